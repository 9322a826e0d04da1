import { describe, expect, it } from 'vitest';
import { viewVitals } from '../../agent/src/vitals.js';

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
