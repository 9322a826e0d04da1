/**
 * The contract between the parts of the load-testing module (one file so each part can be built
 * against it alone): what a virtual user records per request, the scenario a simulation declares,
 * and the run summary every report, the JUnit file and the collector's trends read.
 */

/** One request (or group) outcome, recorded by the virtual-user runtime as it happens. */
export interface RequestRecord {
  /** The request's name as given to `http(name)`; resources fetched for a page: `<page name> / <resource url path>`. */
  name: string;
  /** The enclosing `group(...)` names, outermost first; [] outside any group. */
  groups: string[];
  /**
   * When the request should have started (ms, performance.timeOrigin-relative via
   * performance.now()). In open-model injection a user's first request is due at its arrival
   * time, not when the load generator got round to it: latency counts from here (no
   * coordinated omission). Later requests of the same user: the moment the previous step ended.
   */
  intendedStart: number;
  /** When it was actually sent (performance.now()). */
  start: number;
  /** When the response (body included) was read, or the failure happened (performance.now()). */
  end: number;
  ok: boolean;
  /** Why it failed: `status.in(200-299, 304) but was 500`, `jsonPath($.token).find exists but found nothing`, `timeout after 10000 ms`, `ECONNREFUSED`… */
  failure?: string;
  status?: number;
}

/** One group's outcome: recorded when a `group(name, chain)` finishes (its duration is the whole chain's). */
export interface GroupRecord {
  /** The group path, outermost first, this group last. */
  groups: string[];
  start: number;
  end: number;
  ok: boolean;
}

export interface Recorder {
  request(record: RequestRecord): void;
  group(record: GroupRecord): void;
  userStarted(scenario: string): void;
  userEnded(scenario: string): void;
}

export interface RequestStats {
  /** `name` for a request; the group path joined with ' / ' for a group; 'Global' for all. */
  name: string;
  groups: string[];
  count: number;
  ok: number;
  ko: number;
  /** Response times in ms, from HdrHistogram (exact to 3 significant digits), of ALL requests (OK and KO). */
  min: number;
  max: number;
  mean: number;
  stdDev: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
  /** Requests per second over the run's duration. */
  rps: number;
}

export interface TimelinePoint {
  /** Seconds since the run started. */
  second: number;
  activeUsers: number;
  /** Requests sent and responses received in that second. */
  requests: number;
  responses: number;
  ko: number;
  /** Response-time percentiles of the responses received in that second (ms); null without responses. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface AssertionResult {
  /** Readable: `Global: percentile 95 of response time is less than 800 ms`. */
  description: string;
  scope: 'global' | 'group' | 'request';
  /** 'Global', the group path joined by ' / ', or the request name. */
  target: string;
  passed: boolean;
  /** The measured value (ms, %, count or req/s); null when the target had no requests. */
  actual: number | null;
  /** Why it failed, readable; absent when it passed. */
  message?: string;
}

export interface RunSummary {
  simulation: string;
  /** `--label` (a git SHA, a release): how runs are compared across time. */
  label: string | null;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  durationMs: number;
  scenarios: { name: string; users: number }[];
  /** How the run ended: completed, or stopped early (a queue feeder ran dry, maxDuration). */
  stopReason: 'completed' | 'feeder_exhausted' | 'max_duration' | 'interrupted';
  global: RequestStats;
  groups: RequestStats[];
  requests: RequestStats[];
  errors: { reason: string; count: number; percent: number }[];
  /** Response-time distribution (ms buckets) for the report's histogram. */
  distribution: { fromMs: number; toMs: number; ok: number; ko: number }[];
  timeline: TimelinePoint[];
  assertions: AssertionResult[];
  /** Load generator info: node version, CPU time used (ms), peak RSS (bytes). */
  generator: { node: string; cpuMs: number; peakRssBytes: number };
}
