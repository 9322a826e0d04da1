/**
 * What the Performance view knows about Web Vitals: their names, what they measure, and how a
 * value rates against the thresholds the API sends (good ≤ good, poor > poor, as web.dev says).
 */
export const VITALS = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;
export type Vital = (typeof VITALS)[number];

export const VITAL_NAMES: Record<Vital, string> = {
  LCP: 'Largest Contentful Paint',
  INP: 'Interaction to Next Paint',
  CLS: 'Cumulative Layout Shift',
  FCP: 'First Contentful Paint',
  TTFB: 'Time to First Byte',
};

export interface Thresholds {
  good: number;
  poor: number;
}

export type Rating = 'good' | 'ni' | 'poor';

export const RATING_LABELS: Record<Rating, string> = { good: 'Good', ni: 'Needs improvement', poor: 'Poor' };

export function rate(value: number, thresholds: Thresholds): Rating {
  if (value <= thresholds.good) return 'good';
  return value > thresholds.poor ? 'poor' : 'ni';
}

/** A rating as a badge (class from base.css); the words say it, not only the colour. */
export function RatingBadge(props: { value: number | null | undefined; thresholds: Thresholds }) {
  if (props.value === null || props.value === undefined || !Number.isFinite(props.value)) return null;
  const rating = rate(props.value, props.thresholds);
  return <span class={`badge ${rating}`}>{RATING_LABELS[rating]}</span>;
}

/** Shorter axis labels than format.ts's: "1.5 s", "800 ms", "0.12". */
export function axisValue(metric: string, value: number): string {
  if (metric === 'CLS') return value.toFixed(2);
  return value >= 1000 ? `${+(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/**
 * Bucket starts (seconds, as uPlot wants) from `since` to `until` with the API's step, and the
 * answer's values put in their bucket. Empty buckets are `missing`: null for percentiles, so the
 * line breaks there instead of joining points hours apart; 0 for counts.
 */
export function bucketed<P extends { t: number }>(
  range: { since: number; until: number; step_ms: number; points: P[] },
  pick: (point: P) => number,
  missing: number | null = null,
): { times: number[]; values: (number | null)[] } {
  const { since, until, step_ms: stepMs, points } = range;
  const first = Math.floor(since / stepMs) * stepMs;
  const byTime = new Map(points.map((point) => [point.t, pick(point)]));
  const times: number[] = [];
  const values: (number | null)[] = [];
  for (let t = first; t < until; t += stepMs) {
    times.push(t / 1000);
    values.push(byTime.get(t) ?? missing);
  }
  return { times, values };
}
