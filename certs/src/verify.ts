/**
 * Our own chain verification, so that we can say *why* a chain fails: from the presented chain,
 * complete the path with trust anchors (Node's root store, the system bundle, the --ca-file) and
 * note which certificates the server should have sent. Signatures are checked with
 * X509Certificate.verify; validity dates are verdicts of their own (expiry), not a trust failure.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { isSelfSigned } from './certificate.js';

/** Debian/Ubuntu, Fedora/RHEL, Alpine: the system bundle, when there is one. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export function parsePemBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

export interface TrustStore {
  /** Anchors by subject (one-line form), for issuer lookups. */
  bySubject: Map<string, X509Certificate[]>;
  fingerprints: Set<string>;
}

function storeOf(certs: X509Certificate[]): TrustStore {
  const bySubject = new Map<string, X509Certificate[]>();
  const fingerprints = new Set<string>();
  for (const cert of certs) {
    if (fingerprints.has(cert.fingerprint256)) continue;
    fingerprints.add(cert.fingerprint256);
    bySubject.set(cert.subject, [...(bySubject.get(cert.subject) ?? []), cert]);
  }
  return { bySubject, fingerprints };
}

let systemAnchors: X509Certificate[] | undefined;
const stores = new Map<string, TrustStore>();

/** Node's bundled roots + the system bundle + caFile, parsed once per caFile version (a long-running collector sees an edited file). */
export function trustStore(caFile?: string): TrustStore {
  const stat = caFile ? statSync(caFile) : undefined;
  const key = caFile ? `${caFile}\0${stat!.mtimeMs}\0${stat!.size}` : '';
  let store = stores.get(key);
  if (!store) {
    systemAnchors ??= [
      ...rootCertificates.flatMap(parsePemBundle),
      ...SYSTEM_BUNDLES.filter(existsSync).slice(0, 1).flatMap((path) => parsePemBundle(readFileSync(path, 'utf8'))),
    ];
    const extra = caFile ? parsePemBundle(readFileSync(caFile, 'utf8')) : [];
    if (caFile && extra.length === 0) throw new Error(`${caFile} holds no PEM certificate`);
    store = storeOf([...systemAnchors, ...extra]);
    for (const old of stores.keys()) if (caFile && old.startsWith(`${caFile}\0`)) stores.delete(old);
    stores.set(key, store);
  }
  return store;
}

function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
  if (!cert.checkIssued(issuer)) return false;
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export interface ChainVerification {
  /** The presented chain, then what the trust store added (`presented: false`). */
  chain: { cert: X509Certificate; presented: boolean }[];
  /** The path ends at a trust anchor. */
  trusted: boolean;
  /** The leaf is self-signed (and the server sent nothing else that matters). */
  selfSigned: boolean;
  /** Intermediates the server should have sent: the store had to supply them, or the leaf's issuer is unknown. */
  missingIntermediates: string[];
  /** Why the path does not reach an anchor (when trusted is false). */
  reason?: string;
}

export function verifyChain(presented: X509Certificate[], store: TrustStore): ChainVerification {
  const chain = presented.map((cert) => ({ cert, presented: true }));
  const leaf = presented[0]!;
  const missingIntermediates: string[] = [];
  let last = presented[presented.length - 1]!;
  // A presented signature that does not verify breaks the chain where it happens.
  for (let i = 0; i + 1 < presented.length; i++) {
    if (!issues(presented[i + 1]!, presented[i]!)) {
      return { chain, trusted: false, selfSigned: false, missingIntermediates, reason: `the signature of "${presented[i]!.subject.replace(/\n/g, ', ')}" does not verify with the next certificate` };
    }
  }
  const name = (cert: X509Certificate): string => cert.subject.replace(/\n/g, ', ');
  for (let depth = 0; depth < 10; depth++) {
    const anchored = store.fingerprints.has(last.fingerprint256);
    if (isSelfSigned(last)) {
      const selfSigned = last === leaf;
      if (anchored) return { chain, trusted: true, selfSigned, missingIntermediates };
      const reason = selfSigned ? 'the certificate is self-signed' : `the root "${name(last)}" is not trusted`;
      return { chain, trusted: false, selfSigned, missingIntermediates, reason };
    }
    const issuer = (store.bySubject.get(last.issuer) ?? []).find((candidate) => issues(candidate, last));
    if (!issuer) {
      // An anchor that is not a root (an intermediate in --ca-file) ends the path as trusted.
      if (anchored) return { chain, trusted: true, selfSigned: false, missingIntermediates };
      if (last === leaf) missingIntermediates.push(last.issuer.replace(/\n/g, ', '));
      const reason = `the issuer "${last.issuer.replace(/\n/g, ', ')}" was not presented and is not trusted`;
      return { chain, trusted: false, selfSigned: false, missingIntermediates, reason };
    }
    chain.push({ cert: issuer, presented: false });
    // The store supplying a non-root means the server left out an intermediate.
    if (!isSelfSigned(issuer)) missingIntermediates.push(name(issuer));
    last = issuer;
  }
  return { chain, trusted: false, selfSigned: false, missingIntermediates, reason: 'the chain is longer than 10 certificates' };
}
