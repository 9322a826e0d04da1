import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Batch, LookoutEvent } from '../../protocol/wire.js';
import { BATCH_INTERVAL_MS, RETRY_QUEUE_MAX_AGE_MS } from '../../agent/src/batch.js';
import { createTransport, KEEPALIVE_BUDGET } from '../../agent/src/transport.js';

const URL_ = 'http://collector.test/api/7/ingest?key=pub';

/** A localStorage stand-in. */
function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, String(v)),
  };
}

let seq = 0;
const event = (extra: Partial<LookoutEvent> = {}): LookoutEvent =>
  ({
    kind: 'error',
    event_id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    timestamp: Date.now(),
    url: 'http://app.test/',
    type: 'Error',
    message: 'boom ' + seq,
    ...extra,
  }) as LookoutEvent;

interface Sent {
  url: string;
  batch: Batch;
  keepalive: boolean;
}

/** A fetch that records requests and answers with the statuses given, in turn. */
function fakeFetch(...answers: (number | [number, Record<string, string>] | 'network')[]) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    sent.push({ url, batch: JSON.parse(init.body as string), keepalive: !!init.keepalive });
    const answer = answers.length > 1 ? answers.shift()! : answers[0] ?? 202;
    if (answer == 'network') throw new TypeError('Failed to fetch');
    const [status, headers] = Array.isArray(answer) ? answer : [answer, {}];
    return new Response(null, { status, headers });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, sent };
}

const setup = (fetch: typeof globalThis.fetch, extra: { beacon?: (u: string, b: string) => boolean; storage?: Storage } = {}) => {
  const storage = extra.storage ?? memoryStorage();
  const transport = createTransport({ url: URL_, fetch, storage, beacon: extra.beacon });
  return { transport, storage };
};
const stored = (storage: Storage): LookoutEvent[] => JSON.parse(storage.getItem('lookout.retry') || '[]');

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-25T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('transport batching', () => {
  it('sends queued events together after BATCH_INTERVAL_MS', async () => {
    const { fetch, sent } = fakeFetch(202);
    const { transport } = setup(fetch);
    transport.enqueue(event());
    transport.enqueue(event());
    await vi.advanceTimersByTimeAsync(BATCH_INTERVAL_MS - 1);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe(URL_);
    expect(sent[0].batch.sdk).toMatchObject({ name: 'lookout', version: expect.any(String) });
    expect(sent[0].batch.events.map((e) => e.kind)).toEqual(['error', 'error']);
  });

  it('sends at once when 50 events are queued, and splits by size', async () => {
    const { fetch, sent } = fakeFetch(202);
    const { transport } = setup(fetch);
    for (let i = 0; i < 50; i++) transport.enqueue(event({ message: 'x'.repeat(500) } as Partial<LookoutEvent>));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.flatMap((s) => s.batch.events)).toHaveLength(50);
    for (const s of sent) expect(JSON.stringify(s.batch.events).length).toBeLessThanOrEqual(16 * 1024);
  });

  it('flush() sends now and settles when done', async () => {
    const { fetch, sent } = fakeFetch(202);
    const { transport } = setup(fetch);
    transport.enqueue(event());
    await transport.flush();
    expect(sent).toHaveLength(1);
  });

  it('tells whether an event still waits in the queue', async () => {
    const { fetch } = fakeFetch(202);
    const { transport } = setup(fetch);
    const e = event();
    transport.enqueue(e);
    expect(transport.isQueued(e)).toBe(true);
    await transport.flush();
    expect(transport.isQueued(e)).toBe(false);
  });
});

describe('transport failures', () => {
  it('pauses for Retry-After on 429 and keeps the events for then', async () => {
    const { fetch, sent } = fakeFetch([429, { 'Retry-After': '30' }], 202);
    const { transport, storage } = setup(fetch);
    transport.enqueue(event());
    await transport.flush();
    expect(stored(storage)).toHaveLength(1);

    transport.enqueue(event());
    await transport.flush(); // still paused: nothing goes out
    expect(sent).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(30_000);
    expect(sent).toHaveLength(2);
    expect(sent[1].batch.events).toHaveLength(2);
    expect(stored(storage)).toHaveLength(0);
  });

  it('retries at the end of the pause even when its timer fires early', async () => {
    const { fetch, sent } = fakeFetch([429, { 'Retry-After': '3' }], 202);
    const { transport } = setup(fetch);
    transport.enqueue(event());
    await transport.flush();
    // Browsers' timers and Date.now() are different clocks: the timer may run 1 ms "early".
    vi.setSystemTime(Date.now() - 1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
  });

  it('honours Retry-After on 503 too', async () => {
    const { fetch, sent } = fakeFetch([503, { 'Retry-After': '120' }], 202);
    const { transport } = setup(fetch);
    transport.enqueue(event());
    await transport.flush();
    await vi.advanceTimersByTimeAsync(119_000);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(2);
  });

  it('backs off exponentially on network errors and 5xx', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // no jitter: delays are exactly 1 s, 2 s, 4 s
    const { fetch, sent } = fakeFetch('network', 500, 502, 202);
    const { transport, storage } = setup(fetch);
    transport.enqueue(event());
    await transport.flush();
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(4000);
    expect(sent).toHaveLength(4);
    expect(stored(storage)).toEqual([]);
    // The same event every time: nothing lost, nothing doubled.
    expect(new Set(sent.map((s) => s.batch.events[0].event_id)).size).toBe(1);
  });

  it('drops batches the collector refuses for good (4xx) and counts them', async () => {
    const { fetch, sent } = fakeFetch(400, 202);
    const { transport, storage } = setup(fetch);
    transport.enqueue(event());
    await transport.flush();
    transport.enqueue(event());
    await transport.flush();
    expect(sent).toHaveLength(2);
    expect(stored(storage)).toEqual([]);
    expect((sent[1].batch.sdk as { dropped?: number }).dropped).toBeGreaterThanOrEqual(1);
  });

  it('sends events kept by an earlier page first, and forgets those older than a day', async () => {
    const storage = memoryStorage();
    const kept = event();
    const stale = event({ timestamp: Date.now() - RETRY_QUEUE_MAX_AGE_MS - 1 });
    storage.setItem('lookout.retry', JSON.stringify([kept]));
    const { fetch, sent } = fakeFetch(202);
    const { transport } = setup(fetch, { storage });
    transport.enqueue(event());
    await transport.flush();
    expect(sent[0].batch.events[0].event_id).toBe(kept.event_id);
    expect(sent[0].batch.events).toHaveLength(2);

    // A stale event is dropped when the retry queue is next written.
    const failing = fakeFetch('network');
    const second = setup(failing.fetch, { storage });
    storage.setItem('lookout.retry', JSON.stringify([stale]));
    second.transport.enqueue(event());
    await second.transport.flush();
    expect(stored(storage).map((e) => e.event_id)).not.toContain(stale.event_id);
    expect(stored(storage)).toHaveLength(1);
  });

  it('looks up its storage only to use it: not when created, nor when an event is queued', async () => {
    const storage = memoryStorage();
    storage.setItem('lookout.retry', JSON.stringify([event()]));
    let lookups = 0;
    const { fetch, sent } = fakeFetch(202);
    const transport = createTransport({
      url: URL_,
      fetch,
      get storage() {
        lookups++;
        return storage;
      },
    });
    transport.enqueue(event());
    expect(lookups).toBe(0);
    await transport.flush();
    expect(lookups).toBeGreaterThan(0);
    expect(sent[0].batch.events).toHaveLength(2);
  });

  it('keeps at most 100 events for retry', async () => {
    const { fetch } = fakeFetch('network');
    const { transport, storage } = setup(fetch);
    for (let i = 0; i < 130; i++) transport.enqueue(event());
    await transport.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(stored(storage).length).toBeLessThanOrEqual(100);
    expect(stored(storage).length).toBeGreaterThan(0);
  });
});

describe('transport on page exit', () => {
  it('starts the requests synchronously with keepalive', () => {
    const { fetch, sent } = fakeFetch(202);
    const { transport } = setup(fetch);
    transport.enqueue(event());
    transport.flushOnExit();
    expect(sent).toHaveLength(1);
    expect(sent[0].keepalive).toBe(true);
  });

  it('switches to sendBeacon beyond the keepalive budget', () => {
    const { fetch, sent } = fakeFetch(202);
    const beacons: string[] = [];
    const { transport } = setup(fetch, { beacon: (_, body) => (beacons.push(body), true) });
    // Six batches of ~15 KiB: about 90 KB, more than keepalive may carry at once.
    for (let i = 0; i < 96; i++) transport.enqueue(event({ message: 'y'.repeat(900) } as Partial<LookoutEvent>));
    transport.flushOnExit();
    const keepaliveBytes = sent.reduce((n, s) => n + JSON.stringify(s.batch).length, 0);
    expect(keepaliveBytes).toBeLessThan(KEEPALIVE_BUDGET);
    expect(beacons.length).toBeGreaterThan(0);
    const all = [...sent.map((s) => s.batch), ...beacons.map((b) => JSON.parse(b) as Batch)].flatMap((b) => b.events);
    expect(all).toHaveLength(96);
  });

  it('keeps the events when the beacon is refused', () => {
    const { fetch } = fakeFetch(202);
    const { transport, storage } = setup(fetch, { beacon: () => false });
    for (let i = 0; i < 96; i++) transport.enqueue(event({ message: 'y'.repeat(900) } as Partial<LookoutEvent>));
    transport.flushOnExit();
    expect(stored(storage).length).toBeGreaterThan(0);
  });

  it('keeps everything for the next page while rate limited', async () => {
    const { fetch, sent } = fakeFetch([429, { 'Retry-After': '600' }]);
    const { transport, storage } = setup(fetch);
    transport.enqueue(event());
    await transport.flush();
    transport.enqueue(event());
    transport.enqueue(event());
    transport.flushOnExit();
    expect(sent).toHaveLength(1);
    expect(stored(storage)).toHaveLength(3);
  });
});
