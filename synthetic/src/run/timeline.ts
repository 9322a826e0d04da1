/**
 * Per-second figures for the report's charts: requests sent and responses received in each
 * second, users active during it, and the percentiles of that second's responses. One histogram
 * is reused (reset at each second boundary), so memory is a small object per second of run —
 * never a sample per request.
 */
import type { TimelinePoint } from '../contract.js';
import { newHistogram, percentile, toMs } from './histogram.js';

export interface Timeline {
  requestSent(startMs: number): void;
  response(endMs: number, micros: number, ok: boolean): void;
  userStarted(nowMs: number): void;
  userEnded(nowMs: number): void;
  points(): TimelinePoint[];
}

export function createTimeline(origin: number): Timeline {
  const points: TimelinePoint[] = [];
  const histogram = newHistogram();
  // The second whose responses the histogram currently holds; every earlier second is closed.
  let open = 0;
  // Users started and ended in each second: active users are derived from them at the end.
  const started: number[] = [];
  const ended: number[] = [];

  const secondOf = (ms: number) => Math.max(0, Math.floor((ms - origin) / 1000));
  const point = (second: number) => {
    while (points.length <= second) {
      points.push({ second: points.length, activeUsers: 0, requests: 0, responses: 0, ko: 0, p50: null, p95: null, p99: null, max: null });
    }
    return points[second];
  };

  const close = () => {
    const closing = point(open);
    if (histogram.totalCount > 0) {
      closing.p50 = toMs(percentile(histogram, 50));
      closing.p95 = toMs(percentile(histogram, 95));
      closing.p99 = toMs(percentile(histogram, 99));
      closing.max = toMs(histogram.maxValue);
      histogram.reset();
    }
  };

  const count = (counts: number[], second: number) => {
    while (counts.length <= second) counts.push(0);
    counts[second]++;
  };

  return {
    requestSent(startMs) {
      point(secondOf(startMs)).requests++;
    },
    response(endMs, micros, ok) {
      const second = secondOf(endMs);
      if (second > open) {
        close();
        open = second;
      }
      const target = point(second);
      target.responses++;
      if (!ok) target.ko++;
      histogram.recordValue(micros);
    },
    userStarted(nowMs) {
      count(started, secondOf(nowMs));
    },
    userEnded(nowMs) {
      count(ended, secondOf(nowMs));
    },
    points() {
      close();
      point(Math.max(started.length, ended.length) - 1);
      // Gatling's "active users" of a second: those active when it began plus those who arrived in it.
      let active = 0;
      for (const each of points) {
        each.activeUsers = active + (started[each.second] ?? 0);
        active += (started[each.second] ?? 0) - (ended[each.second] ?? 0);
      }
      return points;
    },
  };
}
