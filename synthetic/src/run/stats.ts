/**
 * Run statistics: one HdrHistogram per request name, per group, two for the whole run (OK and
 * KO, for the distribution chart), one for the live progress window and one for the current
 * second — a fixed set whatever the run's length; no sample is ever kept.
 *
 * What a response time is depends on the injection model:
 * - open model: `end - intendedStart`, from when the request SHOULD have started (the user's
 *   arrival for its first request). A server that stalls for 1 s delays every request due in
 *   that second, and each of them counts the wait (wrk2's coordinated-omission correction).
 * - closed model: `end - start`. Users only start when others end, so during a stall no request
 *   is due and none counts the wait: a closed model hides stalls (one slow sample per user), which
 *   is how the model works, not a measuring error — use an open model to see them.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { GroupRecord, Recorder, RequestRecord, RequestStats, RunSummary } from '../contract.js';
import { newHistogram, percentile, toMicros, toMs } from './histogram.js';
import type { Model } from './injection.js';
import { createTimeline } from './timeline.js';

/** What assertions and summaries read about one request, one group, or the whole run. */
export interface Measured {
  name: string;
  groups: string[];
  histogram: Histogram;
  ok: number;
  ko: number;
}

export interface ProgressWindow {
  requests: number;
  ko: number;
  p95Ms: number | null;
}

export interface Stats {
  /** The recorder handed to users of a scenario with this injection model. */
  recorder(model: Model): Recorder;
  activeUsers(): number;
  /** Figures since the previous call (the live progress line), then a fresh window. */
  takeWindow(): ProgressWindow;
  totals(): { requests: number; ko: number };
  global(): Measured;
  requests(): Measured[];
  groups(): Measured[];
  toRequestStats(measured: Measured, durationMs: number): RequestStats;
  summaryParts(durationMs: number): Pick<RunSummary, 'global' | 'groups' | 'requests' | 'errors' | 'distribution' | 'timeline'>;
  /** How many histograms exist and their footprint: constant for a given set of names. */
  footprint(): { histograms: number; bytes: number };
}

/** Distinct failure reasons kept; further ones are counted under one line (bounded memory). */
const MAX_REASONS = 500;
const OTHER_REASONS = 'other errors (too many distinct reasons)';
const DISTRIBUTION_BUCKETS = 100;

export function createStats(origin: number, now: () => number = () => performance.now()): Stats {
  const requests = new Map<string, Measured>();
  const groups = new Map<string, Measured>();
  const globalOk = newHistogram();
  const globalKo = newHistogram();
  const window = newHistogram();
  const timeline = createTimeline(origin);
  const errors = new Map<string, number>();
  let okCount = 0;
  let koCount = 0;
  let windowRequests = 0;
  let windowKo = 0;
  let active = 0;

  const entry = (table: Map<string, Measured>, key: string, name: string, path: string[]) => {
    let measured = table.get(key);
    if (!measured) {
      measured = { name, groups: path, histogram: newHistogram(), ok: 0, ko: 0 };
      table.set(key, measured);
    }
    return measured;
  };

  const countError = (reason: string) => {
    const key = errors.has(reason) || errors.size < MAX_REASONS ? reason : OTHER_REASONS;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  };

  const record = (record: RequestRecord, latencyMs: number) => {
    const micros = toMicros(latencyMs);
    const key = record.groups.length === 0 ? record.name : `${record.groups.join('\u0000')}\u0000${record.name}`;
    const measured = entry(requests, key, record.name, record.groups);
    measured.histogram.recordValue(micros);
    window.recordValue(micros);
    windowRequests++;
    if (record.ok) {
      measured.ok++;
      okCount++;
      globalOk.recordValue(micros);
    } else {
      measured.ko++;
      koCount++;
      windowKo++;
      globalKo.recordValue(micros);
      countError(record.failure ?? (record.status ? `status ${record.status}` : 'failed'));
    }
    timeline.requestSent(record.start);
    timeline.response(record.end, micros, record.ok);
  };

  const recordGroup = (record: GroupRecord) => {
    const measured = entry(groups, record.groups.join('\u0000'), record.groups.join(' / '), record.groups);
    measured.histogram.recordValue(toMicros(record.end - record.start));
    if (record.ok) measured.ok++;
    else measured.ko++;
  };

  const userStarted = () => {
    active++;
    timeline.userStarted(now());
  };
  const userEnded = () => {
    active--;
    timeline.userEnded(now());
  };

  const recorders: Record<Model, Recorder> = {
    open: { request: (each) => record(each, each.end - each.intendedStart), group: recordGroup, userStarted, userEnded },
    closed: { request: (each) => record(each, each.end - each.start), group: recordGroup, userStarted, userEnded },
  };

  const global = (): Measured => {
    const histogram = newHistogram();
    histogram.add(globalOk);
    histogram.add(globalKo);
    return { name: 'Global', groups: [], histogram, ok: okCount, ko: koCount };
  };

  const toRequestStats = (measured: Measured, durationMs: number): RequestStats => {
    const { histogram } = measured;
    const count = measured.ok + measured.ko;
    const empty = histogram.totalCount === 0;
    const at = (percent: number) => (empty ? 0 : toMs(percentile(histogram, percent)));
    return {
      name: measured.name,
      groups: measured.groups,
      count,
      ok: measured.ok,
      ko: measured.ko,
      min: empty ? 0 : toMs(histogram.minNonZeroValue),
      max: empty ? 0 : toMs(histogram.maxValue),
      mean: empty ? 0 : toMs(histogram.mean),
      stdDev: empty ? 0 : toMs(histogram.stdDeviation),
      p50: at(50),
      p75: at(75),
      p95: at(95),
      p99: at(99),
      rps: durationMs > 0 ? Math.round((count / (durationMs / 1000)) * 100) / 100 : 0,
    };
  };

  return {
    recorder: (model) => recorders[model],
    activeUsers: () => active,
    takeWindow() {
      const figures = { requests: windowRequests, ko: windowKo, p95Ms: window.totalCount > 0 ? toMs(percentile(window, 95)) : null };
      window.reset();
      windowRequests = 0;
      windowKo = 0;
      return figures;
    },
    totals: () => ({ requests: okCount + koCount, ko: koCount }),
    global,
    requests: () => [...requests.values()],
    groups: () => [...groups.values()],
    toRequestStats,
    summaryParts(durationMs) {
      const total = okCount + koCount;
      return {
        global: toRequestStats(global(), durationMs),
        groups: [...groups.values()].map((each) => toRequestStats(each, durationMs)),
        requests: [...requests.values()].map((each) => toRequestStats(each, durationMs)),
        errors: [...errors.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([reason, count]) => ({ reason, count, percent: total > 0 ? Math.round((count / total) * 10000) / 100 : 0 })),
        distribution: distribution(globalOk, globalKo),
        timeline: timeline.points(),
      };
    },
    footprint() {
      const all = [globalOk, globalKo, window, ...[...requests.values(), ...groups.values()].map((each) => each.histogram)];
      // +1: the timeline's per-second histogram.
      return { histograms: all.length + 1, bytes: all.reduce((sum, each) => sum + each.estimatedFootprintInBytes, 0) };
    },
  };
}

/** Response-time distribution: up to 100 equal-width buckets (whole ms) from min to max, OK and KO counted apart. */
function distribution(ok: Histogram, ko: Histogram): RunSummary['distribution'] {
  const recorded = [ok, ko].filter((each) => each.totalCount > 0);
  if (recorded.length === 0) return [];
  const minMs = Math.floor(Math.min(...recorded.map((each) => each.minNonZeroValue)) / 1000);
  const maxMs = Math.ceil(Math.max(...recorded.map((each) => each.maxValue)) / 1000);
  const width = Math.max(1, Math.ceil((maxMs - minMs + 1) / DISTRIBUTION_BUCKETS));
  const buckets: RunSummary['distribution'] = [];
  for (let from = minMs; from <= maxMs; from += width) buckets.push({ fromMs: from, toMs: from + width, ok: 0, ko: 0 });
  const tally = (histogram: Histogram, field: 'ok' | 'ko') => {
    // JsHistogram exposes its recorded values; one pass over the non-empty buckets.
    const iterator = (histogram as unknown as { recordedValuesIterator: RecordedValues }).recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const value = iterator.next();
      const index = Math.min(buckets.length - 1, Math.floor((value.valueIteratedTo / 1000 - minMs) / width));
      buckets[Math.max(0, index)][field] += value.countAtValueIteratedTo;
    }
  };
  tally(ok, 'ok');
  tally(ko, 'ko');
  return buckets;
}

interface RecordedValues {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
}
