import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { observeViews, reportView, trackVitals, viewVitals, type VitalReport } from '../../agent/src/vitals.js';

// No browser here: web-vitals' own reporting is not under test, only its thresholds are used.
vi.mock('web-vitals', () => ({ CLSThresholds: [0.1, 0.25], INPThresholds: [200, 500], onCLS() {}, onFCP() {}, onINP() {}, onLCP() {}, onTTFB() {} }));

/** An Event Timing entry: part of an interaction when `interactionId` is set. */
const event = (startTime: number, duration: number, interactionId = 0) => ({ entryType: 'event', name: 'click', startTime, duration, interactionId }) as unknown as PerformanceEntry;
const shift = (startTime: number, value: number, hadRecentInput = false) =>
  ({ entryType: 'layout-shift', name: '', startTime, duration: 0, value, hadRecentInput }) as unknown as PerformanceEntry;

describe('viewVitals (per route view INP and CLS)', () => {
  it('takes the longest interaction as INP, ignoring events that are no interaction', () => {
    expect(viewVitals([event(100, 48, 7), event(900, 300), event(2000, 136, 9), event(2010, 64, 9)])[0]).toBe(136);
    expect(viewVitals([event(900, 300)])[0]).toBe(0);
  });

  it('takes the largest session window of shifts as CLS: gaps over 1 s and windows over 5 s start a new one', () => {
    // Window 1: 0.1 + 0.05 (900 ms apart); window 2 after a 1.5 s gap: 0.2 + 0.02.
    expect(viewVitals([shift(1000, 0.1), shift(1900, 0.05), shift(3400, 0.2), shift(4000, 0.02)])[1]).toBeCloseTo(0.22);
    // Shifts 800 ms apart for 6 s: the window is cut at 5 s (7 shifts in it), the rest starts anew.
    const steady = Array.from({ length: 9 }, (_, i) => shift(10_000 + i * 800, 0.01));
    expect(viewVitals(steady)[1]).toBeCloseTo(0.07);
  });

  it('leaves out shifts right after an input, and is 0 for a view without any', () => {
    expect(viewVitals([shift(1000, 0.3, true), shift(1100, 0.04), event(1000, 80, 3)])).toEqual([80, 0.04]);
    expect(viewVitals([])).toEqual([0, 0]);
  });
});

describe('reportView (per route view INP and CLS events)', () => {
  /** What the agent's observer has not delivered yet: takeRecords() hands it over. */
  const pending: PerformanceEntry[] = [];
  const sent: VitalReport[] = [];
  /** Chromium's entry for a soft navigation: it has the interaction's id and a duration, and is no interaction itself. */
  const soft = (startTime: number, interactionId: number) =>
    ({ entryType: 'soft-navigation', name: 'https://shop.test/b', startTime, duration: 400, interactionId }) as unknown as PerformanceEntry;
  const vital = (name: string, value: number, route: string, page_view_id: string) => expect.objectContaining({ name, value, route, page_view_id, navigation_type: 'route-view' });

  beforeAll(() => {
    vi.stubGlobal(
      'PerformanceObserver',
      class {
        observe() {}
        takeRecords = () => pending.splice(0);
      },
    );
    // Chromium: the Layout Instability API is there, so CLS is sent (0 included).
    vi.stubGlobal('window', { LayoutShift: class {} });
    trackVitals((vital) => sent.push(vital));
    observeViews();
  });
  afterAll(() => void vi.unstubAllGlobals());
  beforeEach(() => void (sent.length = 0));

  it("splits where the browser's soft navigation started (its interaction), not at the route change, and sends each view once", () => {
    // The click that led to /b is at 900 (its pointerdown just before); it fetched, then pushed the
    // URL: the route change started at 1000. A slow click at 950 happened while /b was loading.
    pending.push(event(100, 120, 1), shift(200, 0.05), event(899.8, 64, 2), soft(900, 2), event(900, 64, 2), event(950, 300, 3), shift(1500, 0.2));
    reportView('/a', 1000, 'view-a');
    expect(sent).toEqual([vital('INP', 120, '/a', 'view-a'), vital('CLS', 0.05, '/a', 'view-a')]);

    // The last view, when the page is hidden: everything left is its own.
    sent.length = 0;
    pending.push(event(2000, 48, 3));
    reportView('/b', 1 / 0, 'view-b');
    expect(sent).toEqual([vital('INP', 300, '/b', 'view-b'), vital('CLS', 0.2, '/b', 'view-b')]);
    // Hidden again (or left: pagehide after visibilitychange), or its route change ends later: not twice.
    sent.length = 0;
    pending.push(event(3000, 400, 4));
    reportView('/b', 1 / 0, 'view-b');
    reportView('/b', 4000, 'view-b');
    expect(sent).toEqual([]);
  });

  it('splits at the route change start without soft navigations (Firefox), and sends CLS 0 for a view without shifts', () => {
    pending.push(event(5000, 200, 5), event(5900, 88, 6), shift(6100, 0.1));
    reportView('/c', 6000, 'view-c');
    expect(sent).toEqual([vital('INP', 200, '/c', 'view-c'), vital('CLS', 0, '/c', 'view-c')]);
    sent.length = 0;
    // A soft navigation the browser reported after the route change had ended does not cut the last view.
    pending.push(soft(6050, 7));
    reportView('/d', 1 / 0, 'view-d');
    expect(sent).toEqual([vital('CLS', 0.1, '/d', 'view-d')]);
  });
});
