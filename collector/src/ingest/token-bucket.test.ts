import { describe, expect, it } from 'vitest';
import { createTokenBuckets } from './token-bucket.js';

describe('token buckets', () => {
  it('allows the burst, then refills at the rate and says how long to wait', () => {
    let now = 0;
    const buckets = createTokenBuckets(10, 20, () => now);
    expect(buckets.take('a', 20)).toBe(0);
    expect(buckets.take('a', 1)).toBe(1);
    now = 500; // 5 tokens back
    expect(buckets.take('a', 5)).toBe(0);
    expect(buckets.take('a', 10)).toBe(1);
    now = 2500; // 20 more, capped at the burst
    expect(buckets.take('a', 20)).toBe(0);
  });

  it('keeps keys apart and lets a batch larger than the burst drain a full bucket', () => {
    let now = 0;
    const buckets = createTokenBuckets(1, 5, () => now);
    expect(buckets.take('x', 5)).toBe(0);
    expect(buckets.take('y', 50)).toBe(0);
    expect(buckets.take('y', 1)).toBe(1);
    expect(buckets.take('x', 3)).toBe(3);
  });

  it('is off when the rate is 0', () => {
    const buckets = createTokenBuckets(0, 0);
    for (let i = 0; i < 1000; i++) expect(buckets.take('k', 100)).toBe(0);
  });
});
