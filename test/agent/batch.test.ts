import { describe, expect, it } from 'vitest';
import {
  BACKOFF_MAX_MS,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  RETRY_QUEUE_MAX_AGE_MS,
  backoffDelay,
  boundRetryQueue,
  retryAfterMs,
  takeBatch,
} from '../../agent/src/batch.js';

const event = (i: number, size = 10) => ({ i, pad: 'x'.repeat(size) });

describe('takeBatch', () => {
  it('takes at most MAX_BATCH_EVENTS events and leaves the rest queued in order', () => {
    const queue = Array.from({ length: 120 }, (_, i) => event(i));
    const first = takeBatch(queue);
    expect(first).toHaveLength(MAX_BATCH_EVENTS);
    expect(first[0].i).toBe(0);
    expect(queue).toHaveLength(70);
    expect(queue[0].i).toBe(50);
  });

  it('keeps the JSON of a batch within MAX_BATCH_BYTES', () => {
    const queue = Array.from({ length: 40 }, (_, i) => event(i, 1000));
    const batch = takeBatch(queue);
    expect(JSON.stringify(batch).length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(batch.length).toBe(16); // 16 events of ~1 KiB fill it; a 17th would not fit
    expect(JSON.stringify([...batch, queue[0]]).length).toBeGreaterThan(MAX_BATCH_BYTES);
  });

  it('sends an event bigger than a batch alone rather than blocking the queue', () => {
    const queue = [event(0, MAX_BATCH_BYTES * 2), event(1)];
    expect(takeBatch(queue).map((e) => e.i)).toEqual([0]);
    expect(queue.map((e) => e.i)).toEqual([1]);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt, between half and all of the step', () => {
    expect(backoffDelay(0, 0)).toBe(500);
    expect(backoffDelay(0, 1)).toBe(1000);
    expect(backoffDelay(3, 0)).toBe(4000);
    expect(backoffDelay(3, 1)).toBe(8000);
  });

  it('is capped', () => {
    expect(backoffDelay(30, 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(1000, 0.999)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });

  it('spreads clients that failed together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  it('reads delta-seconds', () => expect(retryAfterMs('120', now)).toBe(120_000));
  it('reads an HTTP date', () => expect(retryAfterMs('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30_000));
  it('treats a date in the past as now', () => expect(retryAfterMs('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0));
  it('ignores a missing or unreadable header', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});

describe('boundRetryQueue', () => {
  const now = 10 * RETRY_QUEUE_MAX_AGE_MS;
  it('keeps the newest 100 events', () => {
    const events = Array.from({ length: 150 }, (_, i) => ({ timestamp: now - 1000 + i }));
    const kept = boundRetryQueue(events, now);
    expect(kept).toHaveLength(100);
    expect(kept[0]).toBe(events[50]);
  });
  it('drops events older than a day', () => {
    const old = { timestamp: now - RETRY_QUEUE_MAX_AGE_MS - 1 };
    const fresh = { timestamp: now - RETRY_QUEUE_MAX_AGE_MS + 1000 };
    expect(boundRetryQueue([old, fresh], now)).toEqual([fresh]);
  });
});
