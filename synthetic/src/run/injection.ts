/**
 * Injection profiles as timelines of intended times, computed up front (lazily, one arrival at a
 * time) rather than by a setInterval that drifts: each user arrives at a precomputed offset from
 * the scenario's start, and that offset — not when the event loop got round to it — is its
 * `context.arrival`.
 */
import type { InjectionStep } from '../definition.js';

export type Model = 'open' | 'closed';

type OpenStep = Extract<InjectionStep, { model: 'open' }>;
type ClosedStep = Extract<InjectionStep, { model: 'closed' }>;

/** Thrown for a profile that cannot run (the CLI turns it into a usage error). */
export class InjectionError extends Error {}

/**
 * A scenario is open or closed, as in Gatling: `nothingFor` is allowed in both (a gap with no
 * arrivals, or with a target concurrency of 0).
 */
export function scenarioModel(name: string, steps: InjectionStep[]): Model {
  const models = new Set(steps.filter((step) => step.kind !== 'nothingFor').map((step) => step.model));
  if (models.size > 1) throw new InjectionError(`scenario "${name}" mixes open and closed injection steps`);
  for (const step of steps) checkStep(name, step);
  return models.has('closed') ? 'closed' : 'open';
}

function checkStep(name: string, step: InjectionStep) {
  const numbers = Object.entries(step).filter(([, value]) => typeof value === 'number');
  for (const [key, value] of numbers) {
    if (!Number.isFinite(value) || (value as number) < 0) throw new InjectionError(`scenario "${name}": ${step.kind} ${key} must be a number ≥ 0, got ${value}`);
  }
}

/** How long a profile lasts (s): the sum of its steps (atOnce takes no time). */
export function profileSeconds(steps: InjectionStep[]): number {
  return steps.reduce((total, step) => total + ('seconds' in step ? step.seconds : 0), 0);
}

/**
 * Intended arrival offsets (ms from the scenario's start), ascending, for an open profile.
 * Deterministic spacing unless `randomized` (Poisson arrivals: exponential gaps at the same mean
 * rate, as Gatling's `.randomized`).
 */
export function* openArrivals(steps: InjectionStep[], random: () => number = Math.random): Generator<number> {
  let stepStart = 0;
  for (const step of steps) {
    if (step.model !== 'open') continue;
    yield* stepArrivals(step as OpenStep, random, stepStart);
    stepStart += 'seconds' in step ? step.seconds * 1000 : 0;
  }
}

function* stepArrivals(step: OpenStep, random: () => number, start: number): Generator<number> {
  switch (step.kind) {
    case 'nothingFor':
      return;
    case 'atOnce':
      for (let i = 0; i < step.users; i++) yield start;
      return;
    case 'ramp': {
      // Gatling: n users evenly over s, the first at once, spaced s/n apart.
      const gap = step.users > 0 ? (step.seconds * 1000) / step.users : 0;
      for (let i = 0; i < step.users; i++) yield start + i * gap;
      return;
    }
    case 'constantRate':
      yield* rateArrivals(step.rate, step.rate, step.seconds, step.randomized ?? false, random, start);
      return;
    case 'rampRate':
      yield* rateArrivals(step.from, step.to, step.seconds, step.randomized ?? false, random, start);
      return;
    case 'stressPeak':
      yield* stressPeakArrivals(step.users, step.seconds, start);
      return;
  }
}

/**
 * Arrivals at a rate going linearly from `from` to `to` users/s over `seconds`: the k-th user
 * arrives when the expected count of arrivals N(t) = from·t + (to−from)·t²/2s reaches k
 * (deterministic), or reaches a running sum of Exp(1) draws (Poisson, non-homogeneous by
 * inversion of N).
 */
function* rateArrivals(from: number, to: number, seconds: number, randomized: boolean, random: () => number, start: number): Generator<number> {
  const total = from * seconds + ((to - from) * seconds) / 2;
  const timeOf = (count: number) => inverseCumulative(count, from, to, seconds);
  if (!randomized) {
    // Rounded so that 100/s for 4 s is exactly 400 users, the first at once.
    const users = Math.round(total);
    for (let k = 0; k < users; k++) yield start + timeOf(k) * 1000;
    return;
  }
  for (let count = -Math.log(1 - random()); count < total; count += -Math.log(1 - random())) {
    yield start + timeOf(count) * 1000;
  }
}

/** t (s) such that from·t + (to−from)·t²/(2·seconds) = count. */
function inverseCumulative(count: number, from: number, to: number, seconds: number): number {
  const slope = (to - from) / seconds;
  if (Math.abs(slope) < 1e-12) return from > 0 ? count / from : 0;
  // ½·slope·t² + from·t − count = 0, the root in [0, seconds].
  const discriminant = from * from + 2 * slope * count;
  return (-from + Math.sqrt(Math.max(0, discriminant))) / slope;
}

/**
 * Gatling's stressPeakUsers: the arrival times are the quantiles of a smoothed step (the
 * Heaviside function approximated by ½(1 + erf(t))) spread over the duration, so arrivals are
 * sparse at the edges and peak in the middle.
 */
function* stressPeakArrivals(users: number, seconds: number, start: number): Generator<number> {
  const quantile = (u: number) => erfInverse((2 * u) / (users + 2) - 1);
  const edge = Math.abs(quantile(1));
  const scale = (seconds * 1000) / (2 * edge || 1);
  for (let u = 1; u <= users; u++) yield start + Math.max(0, (quantile(u) + edge) * scale);
}

/** Inverse error function (Giles 2010 single-precision approximation, plenty for arrival times). */
export function erfInverse(x: number): number {
  const w = -Math.log((1 - x) * (1 + x));
  let p: number;
  if (w < 5) {
    const v = w - 2.5;
    p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * v;
  } else {
    const v = Math.sqrt(w) - 3;
    p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * v;
  }
  return p * x;
}

/**
 * The closed model's target concurrency at `ms` from the scenario's start: constant, or linear
 * from→to over a rampConcurrent step; null once the profile is over.
 */
export function closedTarget(steps: InjectionStep[], ms: number): number | null {
  let stepStart = 0;
  for (const step of steps) {
    const length = 'seconds' in step ? step.seconds * 1000 : 0;
    if (ms < stepStart + length) {
      if (step.kind === 'nothingFor') return 0;
      const closed = step as ClosedStep;
      if (closed.kind === 'constantConcurrent') return closed.users;
      return Math.round(closed.from + ((closed.to - closed.from) * (ms - stepStart)) / length);
    }
    stepStart += length;
  }
  return null;
}
