/**
 * Certificate changes between two checks of one target, per address: the collector turns each
 * into a `cert.changed` event. A new issuer is told apart from a renewal by the same issuer.
 */
import type { CheckResult } from './contract.js';

export interface CertificateChange {
  address: string;
  previousFingerprint: string;
  fingerprint: string;
  previousIssuer: string;
  issuer: string;
  /** true: an unexpected issuer (or a CA switch); false: a renewal by the same issuer. */
  issuerChanged: boolean;
  subject: string;
  notAfter: string;
}

export function changedCertificates(previous: CheckResult | undefined, current: CheckResult): CertificateChange[] {
  if (!previous) return [];
  const changes: CertificateChange[] = [];
  for (const now of current.addresses) {
    const leaf = now.chain[0];
    const before = previous.addresses.find((a) => a.address === now.address)?.chain[0];
    // An address seen for the first time, or one that did not answer, is not a change.
    if (!leaf || !before || leaf.fingerprintSha256 === before.fingerprintSha256) continue;
    changes.push({
      address: now.address,
      previousFingerprint: before.fingerprintSha256,
      fingerprint: leaf.fingerprintSha256,
      previousIssuer: before.issuer,
      issuer: leaf.issuer,
      issuerChanged: before.issuer !== leaf.issuer,
      subject: leaf.subject,
      notAfter: leaf.notAfter,
    });
  }
  return changes;
}
