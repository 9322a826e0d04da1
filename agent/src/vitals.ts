import { CLSThresholds, INPThresholds, onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { VitalEvent } from '../../protocol/wire.js';
import { guard } from './guard.js';
import { routeAt } from './navigation.js';
import { selectorOf } from './selector.js';

export type VitalReport = Pick<VitalEvent, 'name' | 'value' | 'rating' | 'route' | 'target' | 'navigation_type' | 'page_view_id'>;

type Entry = PerformanceEntry & {
  element?: Element | null;
  target?: Node | null;
  targetSelector?: string;
  value?: number;
  sources?: { node: Node | null }[];
  interactionId?: number;
  hadRecentInput?: boolean;
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
    const entry = entries.reduce<Entry | undefined>((a, b) => (a!.value! >= b.value! ? a : b), entries[0]);
    return [entry, selectorOf(entry?.sources?.find((s) => s.node)?.node)];
  }
  if (metric.name == 'INP') {
    const entry = entries.find((e) => e.target) || entries[0];
    // The target is null once the element left the DOM; Chromium then still has its selector.
    return [entry, selectorOf(entry?.target) || entries.find((e) => e.targetSelector)?.targetSelector];
  }
  return [entries[0], undefined];
}

let report: (vital: VitalReport) => void;

/** Event Timing and Layout Shift entries not yet given to a route view. */
let entries: Entry[] = [];
let observer: PerformanceObserver | undefined;

/**
 * INP and CLS of one route view's entries: INP as web-vitals computes it for fewer than 50
 * interactions (the longest one; 0 without any), CLS as the largest session window (shifts
 * less than 1 s apart, 5 s at most; none right after an input).
 */
export function viewVitals(entries: Entry[]): [inp: number, cls: number] {
  let inp = 0;
  let cls = 0;
  let window = 0;
  let first = 0;
  let previous = 0;
  for (const { interactionId, duration, value, hadRecentInput, startTime } of entries)
    if (interactionId) inp = Math.max(inp, duration);
    else if (value && !hadRecentInput) {
      window = startTime - previous < 1000 && startTime - first < 5000 ? window + value : ((first = startTime), value);
      previous = startTime;
      cls = Math.max(cls, window);
    }
  return [inp, cls];
}

/** The page view whose values were reported last: each view's are sent once. */
let reported: string;

/**
 * A route view has ended: the route change that replaced it started at `until` and has now
 * settled, so the entries of the view's last interactions have arrived; or the page is hidden
 * (`until` Infinity: the last view, all entries). Reports its INP and CLS with its route and page
 * view id, as navigation_type `route-view`. Where the browser has soft navigations (Chromium), a
 * replaced view ends where the browser's last one started: with the interaction that led to it,
 * which the browser counts to the old view too (its entries' navigationId).
 */
export function reportView(route: string, until: number, page_view_id: string): void {
  let soft: Entry | undefined;
  entries = entries.concat(observer?.takeRecords() || []).filter((e) => e.entryType[0] != 's' || !(soft = e));
  if (soft && until < 1 / 0) until = soft.startTime;
  // At `until` too: the events of the interaction that led to a soft navigation start there (or just before).
  const [inp, cls] = viewVitals(entries.filter((e) => e.startTime <= until));
  entries = entries.filter((e) => e.startTime > until);
  if (reported == page_view_id) return;
  reported = page_view_id;
  const rate = (value: number, [good, poor]: number[]) => (value > poor ? 'poor' : value > good ? 'needs-improvement' : 'good');
  // INP needs an interaction; CLS, Layout Instability support (Chromium): elsewhere 0 would be a lie.
  if (inp) report({ name: 'INP', value: inp, rating: rate(inp, INPThresholds), route, navigation_type: 'route-view', page_view_id });
  if ('LayoutShift' in window)
    report({ name: 'CLS', value: cls, rating: rate(cls, CLSThresholds), route, navigation_type: 'route-view', page_view_id });
}

/**
 * Starts collecting what reportView needs. Own observers rather than web-vitals' soft-navigation
 * mode: that one needs Chromium's soft navigations and its own idea of where a view starts.
 */
export function observeViews(): void {
  // Bounded: entries hold DOM nodes, and a page that never changes route never lets go of them.
  observer = new PerformanceObserver(guard((list: PerformanceObserverEntryList) => entries.length < 1000 && entries.push(...list.getEntries())));
  // As web-vitals' INP: interactions from 40 ms (the minimum); buffered: those before the agent ran.
  // soft-navigation: where supported (elsewhere ignored), the browser's own view boundaries.
  for (const type of ['event', 'layout-shift', 'soft-navigation']) observer.observe({ type, buffered: true, durationThreshold: 40 });
}

/** Reports LCP, INP, CLS, FCP and TTFB, each with the route it happened on. */
export function trackVitals(onReport: typeof report): void {
  report = onReport;
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
