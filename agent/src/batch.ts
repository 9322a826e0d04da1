/**
 * Pure rules of the transport: what goes in one request, how long to wait after a
 * failure, which events are still worth retrying. Kept apart so they are tested alone.
 */

export const MAX_BATCH_EVENTS = 50;
/** Requests stay small enough for keepalive and beacons, which share a 64 KiB budget. */
export const MAX_BATCH_BYTES = 16 * 1024;
export const BATCH_INTERVAL_MS = 5000;
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 5 * 60e3;
export const RETRY_QUEUE_MAX_EVENTS = 100;
export const RETRY_QUEUE_MAX_AGE_MS = 24 * 3600e3;

/**
 * Takes the events of the next request off the front of `queue`: at most MAX_BATCH_EVENTS
 * and MAX_BATCH_BYTES of JSON, but always at least one, so an oversized event goes alone
 * instead of blocking the queue.
 */
export function takeBatch<T>(queue: T[], maxEvents = MAX_BATCH_EVENTS, maxBytes = MAX_BATCH_BYTES): T[] {
  let bytes = 0;
  let n = 0;
  while (n < queue.length && n < maxEvents && (bytes += JSON.stringify(queue[n]).length + 1) <= maxBytes) n++;
  return queue.splice(0, n || 1);
}

/**
 * Exponential backoff with "equal jitter": half fixed, half random, so that many pages
 * failing at once (collector restart) do not come back in lockstep.
 */
export const backoffDelay = (attempt: number, random = Math.random()): number =>
  Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) * (0.5 + random / 2);

/** Retry-After as delta-seconds or an HTTP date, in ms from now; undefined if unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return;
  const seconds = +header;
  const ms = seconds >= 0 ? seconds * 1000 : Date.parse(header) - now;
  return ms >= 0 ? ms : ms < 0 ? 0 : undefined;
}

/** The retry queue's bounds: newest RETRY_QUEUE_MAX_EVENTS events younger than a day. */
export const boundRetryQueue = <T extends { timestamp: number }>(events: T[], now = Date.now()): T[] =>
  events.filter((e) => now - e.timestamp < RETRY_QUEUE_MAX_AGE_MS).slice(-RETRY_QUEUE_MAX_EVENTS);
