/**
 * The contract between the parts of the certificate-monitoring module: what is checked (a
 * target), what a check finds per address and per certificate, and the verdicts — read by the
 * command's table/JSON/plugin output, the collector's store and alert rules, and the dashboard.
 */

export const STARTTLS_PROTOCOLS = ['smtp', 'imap', 'pop3', 'ftp', 'postgres'] as const;
/** `tls`: TLS from the first byte (HTTPS, SMTPS 465, IMAPS 993…); the others upgrade a plain connection. */
export type CertProtocol = 'tls' | (typeof STARTTLS_PROTOCOLS)[number];

export interface CertTarget {
  host: string;
  port: number;
  protocol: CertProtocol;
  /** The name sent as SNI and checked against the certificate; default `host`. */
  serverName?: string;
}

export interface CertificateInfo {
  /** 0 = the leaf, then the chain as presented (and completed from the trust store, `presented: false`). */
  position: number;
  presented: boolean;
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  serialNumber: string;
  /** SHA-256 of the DER, uppercase hex with colons (as openssl prints it). */
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired), from the check's time. */
  daysLeft: number;
  keyType: 'rsa' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';
  /** RSA modulus bits, EC curve bits. */
  keyBits: number | null;
  /** e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`. */
  signatureAlgorithm: string;
  selfSigned: boolean;
  isCA: boolean;
  ocspUrls: string[];
}

export type VerdictCode =
  | 'expired'
  | 'expiring_critical'
  | 'expiring_warning'
  | 'not_yet_valid'
  | 'chain_unverified'
  | 'self_signed'
  | 'missing_intermediate'
  | 'hostname_mismatch'
  | 'weak_key'
  | 'weak_signature'
  | 'old_protocol_accepted'
  | 'ocsp_revoked'
  | 'ocsp_unknown'
  | 'ocsp_error'
  | 'ocsp_stapling_absent'
  | 'connection_failed'
  | 'starttls_failed';

export interface Verdict {
  code: VerdictCode;
  severity: 'critical' | 'warning' | 'info';
  /** The certificate it is about (position), when it is about one. */
  position?: number;
  /** Plain language: `the intermediate "R11" expires in 9 days (2026-12-04), before the leaf`. */
  message: string;
}

export interface OcspStatus {
  /** The server stapled an OCSP response during the handshake. */
  stapled: boolean;
  stapledStatus?: 'good' | 'revoked' | 'unknown';
  /** The staple could not be used: malformed, or its signature does not verify (then no stapledStatus). */
  stapledError?: string;
  /** Asked to the certificate's responder (opt-in). */
  responder?: { url: string; status: 'good' | 'revoked' | 'unknown' | 'error'; message?: string; revokedAt?: string };
}

export interface AddressResult {
  address: string;
  family: 4 | 6;
  /** false: no TLS session (connection refused, timeout, STARTTLS refused, handshake failed). */
  connected: boolean;
  error?: string;
  /** Negotiated, e.g. `TLSv1.3`. */
  protocolVersion?: string;
  cipher?: string;
  /** Versions below TLS 1.2 the server accepted when offered alone. */
  oldProtocolsAccepted: string[];
  chain: CertificateInfo[];
  ocsp: OcspStatus;
  verdicts: Verdict[];
  /** Worst severity of the verdicts; `critical` when not connected. */
  state: 'ok' | 'warning' | 'critical';
}

export interface CheckResult {
  target: CertTarget;
  /** Epoch ms. */
  checkedAt: number;
  /** Every A and AAAA address, each checked on its own. */
  addresses: AddressResult[];
  /** Resolution failed: no address at all. */
  error?: string;
  state: 'ok' | 'warning' | 'critical' | 'unknown';
  /** The smallest daysLeft over every certificate of every address (null when none was seen). */
  minDaysLeft: number | null;
}

export interface CheckOptions {
  warnDays: number;
  critDays: number;
  /** Extra trust anchors (PEM), besides the system store. */
  caFile?: string;
  /** Ask each leaf's OCSP responder (bounded by timeoutMs). */
  ocsp: boolean;
  timeoutMs: number;
  /** Name resolution (tests supply their own); default: dns.promises lookup with all: true. */
  resolve?: (host: string) => Promise<{ address: string; family: 4 | 6 }[]>;
}
