/**
 * What a simulation file declares, as plain data: the DSL builders (dsl/) produce it, the runner
 * (run/) executes it. `export default simulation({ … })` in the user's file.
 */
import type { Recorder } from './contract.js';

/** Open model: arrivals regardless of how many users are active. Closed model: a target concurrency. */
export type InjectionStep =
  | { model: 'open'; kind: 'atOnce'; users: number }
  | { model: 'open'; kind: 'ramp'; users: number; seconds: number }
  | { model: 'open'; kind: 'constantRate'; rate: number; seconds: number; randomized?: boolean }
  | { model: 'open'; kind: 'rampRate'; from: number; to: number; seconds: number; randomized?: boolean }
  /** Gatling's stressPeakUsers: `users` arrivals over `seconds` following a smoothed (Heaviside) step. */
  | { model: 'open'; kind: 'stressPeak'; users: number; seconds: number }
  | { model: 'open'; kind: 'nothingFor'; seconds: number }
  | { model: 'closed'; kind: 'constantConcurrent'; users: number; seconds: number }
  | { model: 'closed'; kind: 'rampConcurrent'; from: number; to: number; seconds: number };

/** Throttling: the request rate is capped at `rps` (reached linearly over `rampSeconds`) for `holdSeconds`. */
export interface ThrottleStep {
  rampSeconds: number;
  rps: number;
  holdSeconds: number;
}

export type AssertionMetric =
  | { metric: 'responseTime'; stat: 'min' | 'max' | 'mean' | 'stdDev' | 'percentile'; percentile?: number }
  | { metric: 'failedRequests' | 'successfulRequests' | 'allRequests'; stat: 'count' | 'percent' }
  | { metric: 'requestsPerSec'; stat: 'value' };

export type AssertionSpec = AssertionMetric & {
  /** `global()`, `forAll()` (each request), `details('group', 'request')` (a group path, or a request inside groups). */
  scope: 'global' | 'forAll' | 'details';
  path: string[];
  op: 'lt' | 'lte' | 'gt' | 'gte' | 'is' | 'between' | 'around';
  value: number;
  /** `between(a, b)` upper bound; `around(v, plusOrMinus)` tolerance. */
  value2?: number;
};

/** The runtime hands each virtual user these; the chain runs against them. */
export interface UserContext {
  /** Scenario name, for the recorder. */
  scenario: string;
  userId: number;
  /** When this user should have arrived (performance.now() ms): its first request's intended start. */
  arrival: number;
  recorder: Recorder;
  /** Resolves when the runner wants users to stop (max duration, interrupt): chains end at the next step. */
  stopping: () => boolean;
  /** Ends the whole run (a queue feeder ran dry). */
  stopRun: (reason: 'feeder_exhausted') => void;
  /** Waits for a throttle token before each request (no-op without throttle). */
  throttle: () => Promise<void>;
}

/** A scenario ready to run: its name, its injection profile, and how one user runs it. */
export interface ScenarioDefinition {
  name: string;
  injection: InjectionStep[];
  /** Runs one virtual user through the scenario's chain; never rejects (failures are recorded). */
  runUser(context: UserContext): Promise<void>;
}

export interface SimulationDefinition {
  scenarios: ScenarioDefinition[];
  assertions: AssertionSpec[];
  throttle: ThrottleStep[];
  /** Stops the run after this many seconds even if users are still running. */
  maxDurationSeconds?: number;
  /** Closes connection pools etc. when the run ends. */
  close(): Promise<void>;
}
