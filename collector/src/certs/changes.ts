/**
 * Change detection: the leaf an address presents now, against the leaf the same address presented
 * at the target's previous check. A renewal keeps the issuer; anything else (another CA, a
 * self-signed certificate put in by mistake, an interception proxy) is an unexpected issuer.
 * An address seen for the first time, or one that presented no certificate either time, is no change.
 */
import type { StoredCheck } from './results.js';

export interface LeafChange {
  address: string;
  kind: 'renewal' | 'issuer_changed';
  before: { fingerprint: string; subject: string; issuer: string; notAfter: string };
  after: { fingerprint: string; subject: string; issuer: string; notAfter: string };
  /** The check the old leaf was last seen in: with the new fingerprint it names the change once. */
  previousCheckId: string;
}

export function leafChanges(previous: StoredCheck | null, current: StoredCheck): LeafChange[] {
  if (!previous) return [];
  const changes: LeafChange[] = [];
  for (const now of current.addresses) {
    const before = previous.addresses.find((a) => a.address === now.address);
    if (!before?.leafFingerprint || !now.leafFingerprint || before.leafFingerprint === now.leafFingerprint) continue;
    changes.push({
      address: now.address,
      kind: before.leafIssuer === now.leafIssuer ? 'renewal' : 'issuer_changed',
      before: { fingerprint: before.leafFingerprint, subject: before.leafSubject, issuer: before.leafIssuer, notAfter: before.leafNotAfter },
      after: { fingerprint: now.leafFingerprint, subject: now.leafSubject, issuer: now.leafIssuer, notAfter: now.leafNotAfter },
      previousCheckId: previous.checkId,
    });
  }
  return changes;
}
