/**
 * Runs a simulation: every scenario's injection concurrently, throttling, max duration, live
 * progress, then the RunSummary with its assertion results and the generator's own figures.
 */
import type { Recorder, RunSummary } from '../contract.js';
import type { ScenarioDefinition, SimulationDefinition, UserContext } from '../definition.js';
import { evaluateAssertions } from './assertions.js';
import { type Model, scenarioModel } from './injection.js';
import { startProgress } from './progress.js';
import { injectClosed, injectOpen, sleep, type Stopper } from './scheduler.js';
import { createStats } from './stats.js';
import { createThrottle } from './throttle.js';

export interface RunOptions {
  /** The simulation's name (its file name) for the summary. */
  simulation: string;
  label?: string | null;
  /** Where progress lines go; none when absent. */
  progress?: (line: string) => void;
  progressIntervalMs?: number;
  /** Aborting it interrupts the run (Ctrl-C). */
  signal?: AbortSignal;
  /** How long stopped users get to finish their current step before the summary is taken. */
  stopGraceMs?: number;
  /** For randomized arrivals in tests. */
  random?: () => number;
}

type StopReason = RunSummary['stopReason'];

export async function runSimulation(definition: SimulationDefinition, options: RunOptions): Promise<RunSummary> {
  // Fails before anything starts when a profile cannot run.
  const models = new Map(definition.scenarios.map((scenario) => [scenario, scenarioModel(scenario.name, scenario.injection)]));
  const cpuBefore = process.cpuUsage();
  const startedAt = Date.now();
  const origin = performance.now();
  const stats = createStats(origin);

  const controller = new AbortController();
  let stopReason: StopReason | null = null;
  const stop = (reason: StopReason) => {
    if (stopReason !== null) return;
    stopReason = reason;
    controller.abort();
    throttle?.release();
  };
  const stopper: Stopper = { reason: () => stopReason, signal: controller.signal };
  const onInterrupt = () => stop('interrupted');
  options.signal?.addEventListener('abort', onInterrupt);
  if (options.signal?.aborted) onInterrupt();

  const throttle = createThrottle(definition.throttle, origin);
  const timers: NodeJS.Timeout[] = [];
  // Like Gatling: a throttle's end, or maxDuration, ends the run.
  const limitMs = Math.min(definition.maxDurationSeconds !== undefined ? definition.maxDurationSeconds * 1000 : Infinity, throttle?.endMs ?? Infinity);
  if (Number.isFinite(limitMs)) timers.push(setTimeout(() => stop('max_duration'), limitMs));

  // Users in flight, and who waits for none to be left: a counter, not a set of promises (this is
  // per request in a closed model, where a user is often one request).
  let running = 0;
  let onIdle: (() => void) | null = null;
  const allEnded = () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => (onIdle = resolve)));
  const usersPerScenario = new Map<string, number>(definition.scenarios.map((scenario) => [scenario.name, 0]));
  const stopping = () => stopReason !== null;
  const stopRun = (reason: 'feeder_exhausted') => stop(reason);
  const throttleWait = throttle ? throttle.acquire : noThrottle;
  let nextUserId = 0;
  let userFailures = 0;

  const launcher = (scenario: ScenarioDefinition, model: Model) => {
    const recorder = usersRecorder(stats.recorder(model));
    const counting = stats.recorder(model);
    let users = 0;
    const ended = () => {
      counting.userEnded(scenario.name);
      if (--running === 0 && onIdle) {
        const resolve = onIdle;
        onIdle = null;
        resolve();
      }
    };
    const failed = (error: unknown) => {
      // runUser must record failures itself; a rejection is a runtime bug — say it once.
      if (userFailures++ === 0) options.progress?.(`a virtual user of "${scenario.name}" threw: ${error instanceof Error ? error.stack : String(error)}`);
      ended();
    };
    return (arrival: number): Promise<void> => {
      const context: UserContext = { scenario: scenario.name, userId: ++nextUserId, arrival, recorder, stopping, stopRun, throttle: throttleWait };
      usersPerScenario.set(scenario.name, ++users);
      running++;
      counting.userStarted(scenario.name);
      return scenario.runUser(context).then(ended, failed);
    };
  };

  const progress = options.progress ? startProgress(stats, origin, options.progress, options.progressIntervalMs) : null;
  try {
    await Promise.all(
      definition.scenarios.map((scenario) => {
        const model = models.get(scenario)!;
        const launch = launcher(scenario, model);
        return model === 'open' ? injectOpen(scenario.injection, origin, launch, stopper, options.random) : injectClosed(scenario.injection, origin, launch, stopper);
      }),
    );
    await Promise.race([allEnded(), new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve()))]);
    if (stopReason !== null && running > 0) {
      // Users end at their next step; a request in flight gets a grace period, not forever.
      await Promise.race([allEnded(), sleep(options.stopGraceMs ?? 5000, { reason: () => null, signal: new AbortController().signal })]);
    }
  } finally {
    progress?.stop();
    for (const timer of timers) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onInterrupt);
    throttle?.release();
  }

  const durationMs = performance.now() - origin;
  const endedAt = Date.now();
  const parts = stats.summaryParts(durationMs);
  await definition.close();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    simulation: options.simulation,
    label: options.label ?? null,
    startedAt,
    endedAt,
    durationMs: Math.round(durationMs),
    scenarios: [...usersPerScenario.entries()].map(([name, users]) => ({ name, users })),
    stopReason: stopReason ?? 'completed',
    ...parts,
    assertions: evaluateAssertions(definition.assertions, { global: stats.global(), requests: stats.requests(), groups: stats.groups(), durationMs }),
    generator: { node: process.version, cpuMs: Math.round((cpu.user + cpu.system) / 1000), peakRssBytes: process.resourceUsage().maxRSS * 1024 },
  };
}

const ready = Promise.resolve();
const noThrottle = () => ready;

/** The runner counts users itself (it starts and awaits them); the runtime's own calls are ignored so nobody is counted twice. */
function usersRecorder(recorder: Recorder): Recorder {
  return { request: recorder.request, group: recorder.group, userStarted: () => {}, userEnded: () => {} };
}
