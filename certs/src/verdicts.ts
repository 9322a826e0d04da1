/**
 * What is wrong with one address, from the facts a check gathered: one rule per verdict code,
 * applied to every certificate in the chain (not only the leaf).
 */
import type { AddressResult, CertificateInfo, CheckOptions, Verdict } from './contract.js';
import { weakDigest } from './certificate.js';
import type { ChainVerification } from './verify.js';

function role(cert: CertificateInfo): string {
  if (cert.position === 0) return 'the certificate';
  return `the ${cert.selfSigned ? 'root' : 'intermediate'} "${cert.subject.replace(/^CN=/, '')}"`;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

export function validityVerdicts(chain: CertificateInfo[], options: Pick<CheckOptions, 'warnDays' | 'critDays'>, now: number): Verdict[] {
  const verdicts: Verdict[] = [];
  const leaf = chain[0];
  for (const cert of chain) {
    const position = cert.position;
    const beforeLeaf = leaf && cert.position > 0 && cert.notAfter < leaf.notAfter ? ', before the leaf' : '';
    if (Date.parse(cert.notBefore) > now) {
      verdicts.push({ code: 'not_yet_valid', severity: 'critical', position, message: `${role(cert)} is not valid before ${cert.notBefore}` });
    }
    if (Date.parse(cert.notAfter) <= now) {
      verdicts.push({ code: 'expired', severity: 'critical', position, message: `${role(cert)} expired on ${day(cert.notAfter)} (${Math.floor((now - Date.parse(cert.notAfter)) / 86_400_000)} days ago)` });
    } else if (cert.daysLeft < options.critDays) {
      verdicts.push({ code: 'expiring_critical', severity: 'critical', position, message: `${role(cert)} expires in ${cert.daysLeft} days (${day(cert.notAfter)})${beforeLeaf}` });
    } else if (cert.daysLeft < options.warnDays) {
      verdicts.push({ code: 'expiring_warning', severity: 'warning', position, message: `${role(cert)} expires in ${cert.daysLeft} days (${day(cert.notAfter)})${beforeLeaf}` });
    }
  }
  return verdicts;
}

export function strengthVerdicts(chain: CertificateInfo[]): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const cert of chain) {
    const position = cert.position;
    const minimum = cert.keyType === 'rsa' || cert.keyType === 'dsa' ? 2048 : cert.keyType === 'ec' ? 256 : 0;
    if (cert.keyBits !== null && cert.keyBits < minimum) {
      verdicts.push({ code: 'weak_key', severity: 'critical', position, message: `${role(cert)} has a ${cert.keyBits}-bit ${cert.keyType.toUpperCase()} key (at least ${minimum} needed)` });
    }
    // A root's own signature is never checked by clients (it is trusted as such).
    const rootSignature = cert.position > 0 && cert.selfSigned;
    if (!rootSignature && weakDigest(cert.signatureAlgorithm)) {
      verdicts.push({ code: 'weak_signature', severity: 'critical', position, message: `${role(cert)} is signed with ${cert.signatureAlgorithm}` });
    }
  }
  return verdicts;
}

export function trustVerdicts(verification: ChainVerification, hostnameError: string | undefined, serverName: string): Verdict[] {
  const verdicts: Verdict[] = [];
  if (verification.selfSigned) {
    verdicts.push(
      verification.trusted
        ? { code: 'self_signed', severity: 'info', position: 0, message: 'the certificate is self-signed (trusted through the CA file)' }
        : { code: 'self_signed', severity: 'critical', position: 0, message: 'the certificate is self-signed and not trusted' },
    );
  } else if (!verification.trusted) {
    verdicts.push({ code: 'chain_unverified', severity: 'critical', message: `the chain does not verify: ${verification.reason}` });
  }
  if (verification.missingIntermediates.length) {
    const names = verification.missingIntermediates.map((name) => `"${name}"`).join(', ');
    verdicts.push({
      code: 'missing_intermediate',
      severity: 'warning',
      message: verification.trusted
        ? `the server does not send the intermediate ${names}: only clients that already have it can verify the chain`
        : `the server does not send the issuer ${names} of the certificate`,
    });
  }
  if (hostnameError) {
    verdicts.push({ code: 'hostname_mismatch', severity: 'critical', position: 0, message: `${serverName}: ${hostnameError}` });
  }
  return verdicts;
}

export function ocspVerdicts(result: Pick<AddressResult, 'ocsp'>): Verdict[] {
  const verdicts: Verdict[] = [];
  const { stapled, stapledStatus, stapledError, responder } = result.ocsp;
  if (!stapled) verdicts.push({ code: 'ocsp_stapling_absent', severity: 'info', position: 0, message: 'the server does not staple an OCSP response' });
  if (stapledStatus === 'revoked' || responder?.status === 'revoked') {
    const at = responder?.revokedAt ? ` on ${responder.revokedAt}` : '';
    verdicts.push({ code: 'ocsp_revoked', severity: 'critical', position: 0, message: `the certificate is revoked${at} (${stapledStatus === 'revoked' ? 'stapled response' : responder!.url})` });
  }
  if (stapledStatus === 'unknown' || responder?.status === 'unknown') {
    verdicts.push({ code: 'ocsp_unknown', severity: 'warning', position: 0, message: 'the OCSP responder does not know the certificate' });
  }
  if (stapledError) verdicts.push({ code: 'ocsp_error', severity: 'warning', position: 0, message: `OCSP: ${stapledError}` });
  if (responder?.status === 'error') {
    verdicts.push({ code: 'ocsp_error', severity: 'warning', position: 0, message: `OCSP: ${responder.message ?? 'the responder failed'}` });
  }
  return verdicts;
}

export function worstState(verdicts: Verdict[]): 'ok' | 'warning' | 'critical' {
  if (verdicts.some((v) => v.severity === 'critical')) return 'critical';
  if (verdicts.some((v) => v.severity === 'warning')) return 'warning';
  return 'ok';
}
