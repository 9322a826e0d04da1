import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { VitalEvent } from '../../protocol/wire.js';
import { guard } from './guard.js';
import { routeAt } from './navigation.js';
import { selectorOf } from './selector.js';

export type VitalReport = Pick<VitalEvent, 'name' | 'value' | 'rating' | 'route' | 'target' | 'navigation_type'>;

type Entry = PerformanceEntry & {
  element?: Element | null;
  target?: Node | null;
  targetSelector?: string;
  value?: number;
  sources?: { node: Node | null }[];
};

/**
 * The entry a metric is about: LCP's last candidate, the largest layout shift, the first
 * event of the slowest interaction. Its element comes from the plain web-vitals entries,
 * which costs far fewer bytes than the attribution build.
 */
function attribute(metric: Metric): [Entry | undefined, string | undefined] {
  const entries = metric.entries as Entry[];
  if (metric.name == 'LCP') {
    const entry = entries[entries.length - 1];
    return [entry, selectorOf(entry?.element)];
  }
  if (metric.name == 'CLS') {
    const entry = entries.reduce<Entry | undefined>((a, b) => (a && a.value! >= b.value! ? a : b), undefined);
    return [entry, selectorOf(entry?.sources?.find((s) => s.node)?.node)];
  }
  if (metric.name == 'INP') {
    const entry = entries.find((e) => e.target) || entries[0];
    // The target is null once the element left the DOM; Chromium then still has its selector.
    return [entry, selectorOf(entry?.target) || entries.find((e) => e.targetSelector)?.targetSelector];
  }
  return [entries[0], undefined];
}

/** Reports LCP, INP, CLS, FCP and TTFB, each with the route it happened on. */
export function trackVitals(report: (vital: VitalReport) => void): void {
  const onMetric = guard((metric: Metric) => {
    const [entry, target] = attribute(metric);
    report({
      name: metric.name,
      value: metric.value,
      rating: metric.rating,
      // TTFB, FCP and LCP belong to the page load; CLS and INP to the route of their entry.
      route: routeAt(entry?.startTime || 0),
      target,
      navigation_type: metric.navigationType,
    });
  });
  for (const on of [onCLS, onFCP, onINP, onLCP, onTTFB]) on(onMetric);
}
