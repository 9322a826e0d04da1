import { httpError } from '../server/http-error.js';

export interface TimeRange {
  since: number;
  until: number;
}

/** `since`/`until` as epoch ms or ISO 8601; default: the last 24 hours (plus the accepted clock skew). */
export function parseTimeRange(query: { since?: string; until?: string }, now = Date.now()): TimeRange {
  const until = query.until !== undefined ? parseInstant(query.until, 'until') : now + 60_000;
  const since = query.since !== undefined ? parseInstant(query.since, 'since') : until - 24 * 3600_000;
  if (since >= until) throw httpError(400, '"since" must be earlier than "until"');
  return { since, until };
}

function parseInstant(value: string, name: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw httpError(400, `"${name}" must be epoch milliseconds or an ISO 8601 date (got ${JSON.stringify(value)})`);
  return ms;
}
