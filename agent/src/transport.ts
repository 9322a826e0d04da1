import type { Batch, LookoutEvent } from '../../protocol/wire.js';
import {
  BATCH_INTERVAL_MS,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  backoffDelay,
  boundRetryQueue,
  retryAfterMs,
  takeBatch,
} from './batch.js';
import { guard, sdk } from './guard.js';
import { storage as windowStorage } from './session.js';

/** Browsers refuse keepalive requests beyond 64 KiB in flight; stay clear of it. */
export const KEEPALIVE_BUDGET = 60000;
const RETRY_KEY = 'lookout.retry';

export interface TransportOptions {
  /** Ingest URL with `?key=`: a query key and a text/plain body make a CORS "simple" request, no preflight. */
  url: string;
  /** The page's fetch as it was before anyone wrapped it (our own requests must not be counted). */
  fetch?: typeof fetch;
  beacon?: (url: string, body: string) => boolean;
  /** Default: the page's localStorage, looked up when first needed (its first access loads it synchronously). */
  storage?: Storage;
}

/**
 * Batches events and delivers them: every BATCH_INTERVAL_MS or when a batch is full, with
 * backoff on network errors and 5xx, a pause on 429/503 for as long as Retry-After says,
 * and a bounded retry queue in localStorage that outlives offline spells and reloads.
 */
export function createTransport(options: TransportOptions) {
  const { url, fetch: post = fetch } = options;
  const storage = () => options.storage || windowStorage('localStorage')!;
  const now = Date.now;
  const queue: LookoutEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pausedUntil = 0;
  let failures = 0;
  let inFlightKeepalive = 0;
  let chain = Promise.resolve();

  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(guard(flush), delay);
  };

  const stored = (): LookoutEvent[] => {
    try {
      return JSON.parse(storage().getItem(RETRY_KEY)!) || [];
    } catch {
      return [];
    }
  };
  const store = (events: LookoutEvent[]) => {
    const all = stored().concat(events);
    const kept = boundRetryQueue(all, now());
    sdk.dropped += all.length - kept.length;
    try {
      kept.length ? storage().setItem(RETRY_KEY, JSON.stringify(kept)) : storage().removeItem(RETRY_KEY);
    } catch {
      sdk.dropped += events.length;
    }
  };

  /** Sends one batch; its promise tells whether to go on with the next one. */
  async function send(events: LookoutEvent[], exiting?: boolean): Promise<boolean> {
    const batch: Batch = { sdk, events };
    const body = JSON.stringify(batch);
    const keepalive = inFlightKeepalive + body.length < KEEPALIVE_BUDGET;
    // Over the keepalive budget while the page goes away: a beacon is all that is left.
    if (exiting && !keepalive) return options.beacon?.(url, body) || store(events), true;
    let status = 0;
    let retryAfter: string | null = null;
    if (keepalive) inFlightKeepalive += body.length;
    try {
      const response = await post(url, { method: 'POST', body, keepalive });
      status = response.status;
      retryAfter = response.headers.get('Retry-After');
    } catch {}
    if (keepalive) inFlightKeepalive -= body.length;
    if (status >= 200 && status < 300) return !(failures = 0);
    if (status && status < 500 && status != 429) {
      // 400, 401, 403, 413, 415: sending the same again cannot help.
      sdk.dropped += events.length;
      return true;
    }
    const wait = (status == 429 || status == 503) && retryAfterMs(retryAfter);
    pausedUntil = now() + (wait || backoffDelay(failures++));
    store(events);
    schedule(pausedUntil - now());
    return false;
  }

  async function drain() {
    // Paused: (re)arm the retry at the end of the pause. Timers may fire a little before
    // Date.now() says the pause is over; without this the queue would wait for ever.
    if (now() < pausedUntil) return schedule(pausedUntil - now());
    // Events kept from failed sends, in this page or an earlier one, go first.
    const retry = stored();
    if (retry.length) {
      storage().removeItem(RETRY_KEY);
      queue.unshift(...retry);
    }
    while (queue.length && (await send(takeBatch(queue))));
    if (now() < pausedUntil) store(queue.splice(0));
  }

  /** Sends everything queued; the promise settles when done or handed to the retry queue. */
  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    chain = chain.then(drain).catch(() => {
      sdk.failures++;
    });
    return chain;
  }

  return {
    flush,
    enqueue(event: LookoutEvent) {
      queue.push(event);
      if (queue.length >= MAX_BATCH_EVENTS || JSON.stringify(queue).length >= MAX_BATCH_BYTES) flush();
      else if (!timer) schedule(BATCH_INTERVAL_MS);
    },
    isQueued: (event: LookoutEvent) => queue.includes(event),
    /**
     * The page is being hidden or unloaded: start every request now, synchronously (a
     * request behind an `await` may never start), or keep the events for the next page.
     */
    flushOnExit() {
      if (now() < pausedUntil || globalThis.navigator?.onLine === false) store(queue.splice(0));
      while (queue.length) send(takeBatch(queue), true);
    },
  };
}
