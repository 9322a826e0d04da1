/**
 * Token buckets keyed by project or client IP. A bucket refills continuously at `ratePerSecond`
 * up to `burst`; a request that cannot take its tokens learns how long to wait (Retry-After).
 */
export interface TokenBuckets {
  /** Takes `cost` tokens; returns 0 when allowed, else the seconds until it would be. */
  take(key: string, cost: number): number;
}

export function createTokenBuckets(
  ratePerSecond: number,
  burst: number,
  now: () => number = () => performance.now(),
  maxKeys = 100_000,
): TokenBuckets {
  if (ratePerSecond <= 0) return { take: () => 0 };
  const buckets = new Map<string, { tokens: number; at: number }>();

  return {
    take(key, requested) {
      // A batch bigger than the burst could never pass; it may drain a full bucket instead.
      const cost = Math.min(requested, burst);
      const t = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        // Many distinct IPs must not grow memory without bound; full buckets carry no state worth keeping.
        if (buckets.size >= maxKeys) buckets.clear();
        bucket = { tokens: burst, at: t };
        buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * ratePerSecond);
      bucket.at = t;
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return 0;
      }
      const needed = cost - bucket.tokens;
      return Math.max(1, Math.ceil(needed / ratePerSecond));
    },
  };
}
