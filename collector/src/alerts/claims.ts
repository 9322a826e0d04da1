/**
 * "Only one collector sends this alert." Several collectors on one ClickHouse each see their own
 * share of events, but a window rule or a digest may come due on all of them, and a restart must
 * not send again what was sent. Before sending, a collector writes a claim (key, its id, a random
 * nonce, the time) to `alert_claims`, waits `settleMs` for claims written at the same moment to
 * become visible, then reads the key's earliest claim: it sends only if that claim is its own.
 * A claim outlives restarts (30 days), so an alert that was sent is never sent again.
 * docs/alerts.md discusses the assumptions (clocks within `settleMs` of each other; on a cluster,
 * claims are read from the replica they were written to or with sequential consistency).
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/types.js';

export interface Claims {
  /** True when this collector won the key. */
  claim(projectId: number, key: string): Promise<boolean>;
}

export function createClaims(store: Store, collectorId: string, options: { settleMs?: number } = {}): Claims {
  const settleMs = options.settleMs ?? 150;
  return {
    async claim(projectId, key) {
      const nonce = randomBytes(8).toString('hex');
      await store.insert('alert_claims', [{ project_id: projectId, claim_key: key, collector_id: collectorId, nonce, claimed_at: Date.now() }]);
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const [first] = await store.query<{ nonce: string }>(
        'SELECT nonce FROM alert_claims WHERE project_id = {projectId:UInt32} AND claim_key = {key:String} ORDER BY claimed_at, nonce LIMIT 1',
        { projectId, key },
      );
      return first?.nonce === nonce;
    },
  };
}
