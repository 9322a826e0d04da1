/** The time ranges views offer: the last 1 h, 24 h, 7 d, or custom instants. */
export type RangeChoice = { kind: '1h' | '24h' | '7d' } | { kind: 'custom'; since: number; until: number };

const SPANS = { '1h': 3600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };

export function rangeBounds(range: RangeChoice, now = Date.now()): { since: number; until: number } {
  if (range.kind === 'custom') return { since: range.since, until: range.until };
  // Rounded to the minute so that re-renders ask the same URL (and hit the same cache).
  const until = Math.ceil(now / 60_000) * 60_000;
  return { since: until - SPANS[range.kind], until };
}
