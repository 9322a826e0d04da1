/**
 * HdrHistogram settings shared by the stats: response times are recorded in MICROSECONDS (a
 * loopback request takes 0.2 ms; 1 ms resolution would flatten it), from 1 µs to one hour, to 3
 * significant digits. Each histogram is a fixed ~94 KB array whatever the number of samples.
 */
import { build, type Histogram } from 'hdr-histogram-js';

export const HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: false });
}

/** Milliseconds (any float) → the microsecond value to record, clamped into the trackable range. */
export function toMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us;
}

/** Microseconds → ms for reports, to 0.01 ms. */
export function toMs(us: number): number {
  return Math.round(us / 10) / 100;
}

/**
 * A percentile in µs. HdrHistogram answers with the top of the value's bucket, which can exceed
 * the largest value recorded (p99 29.3 ms with a max of 29.2): capped at the max.
 */
export function percentile(histogram: Histogram, percent: number): number {
  return Math.min(histogram.getValueAtPercentile(percent), histogram.maxValue);
}
