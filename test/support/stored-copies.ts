/**
 * How many raw rows (no FINAL) each event id has across the event tables: the check behind
 * "every acknowledged event stored exactly once".
 */
import { expect } from 'vitest';
import type { Store } from '../../collector/src/store/types.js';

export async function storedCopies(store: Store, ids?: string[]): Promise<Map<string, number>> {
  const rows = await store.query<{ id: string; copies: string }>(
    `SELECT toString(event_id) AS id, count() AS copies FROM (
       SELECT event_id FROM errors UNION ALL SELECT event_id FROM vitals UNION ALL SELECT event_id FROM navigations
     ) ${ids ? 'WHERE toString(event_id) IN {ids:Array(String)}' : ''} GROUP BY id`,
    ids ? { ids } : undefined,
  );
  return new Map(rows.map((row) => [row.id, Number(row.copies)]));
}

/** Every acknowledged event id has exactly one raw row; closes the store. */
export async function expectEachStoredOnce(store: Store, acknowledged: Iterable<string>): Promise<void> {
  try {
    const copies = await storedCopies(store);
    const ids = [...acknowledged];
    expect(ids.filter((id) => !copies.has(id)), 'acknowledged but not stored').toEqual([]);
    expect(ids.filter((id) => (copies.get(id) ?? 0) > 1), 'stored more than once').toEqual([]);
  } finally {
    await store.close();
  }
}
