/** Injection profiles (Gatling's names), producing definition.ts's InjectionStep data. */
import type { InjectionStep, ThrottleStep } from '../definition.js';

type Open<K extends string> = Extract<InjectionStep, { kind: K }>;

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a number ≥ 0, got ${value}`);
  return value;
}

/** `n` users at once. */
export function atOnceUsers(users: number): InjectionStep {
  return { model: 'open', kind: 'atOnce', users: positive(users, 'atOnceUsers') };
}

/** `n` users spread evenly over `during(s)` seconds. */
export function rampUsers(users: number) {
  return { during: (seconds: number): InjectionStep => ({ model: 'open', kind: 'ramp', users: positive(users, 'rampUsers'), seconds: positive(seconds, 'during') }) };
}

/** A rate step, plain data, with a non-enumerable `.randomized()` so it stays JSON-able for the runner. */
export type RandomizableStep = InjectionStep & { randomized(): InjectionStep };

function withRandomized(step: Open<'constantRate'> | Open<'rampRate'>): RandomizableStep {
  const result = { ...step } as RandomizableStep;
  Object.defineProperty(result, 'randomized', { value: (): InjectionStep => ({ ...step, randomized: true }), enumerable: false });
  return result;
}

/** `r` new users per second for `during(s)` seconds, evenly spaced; `.randomized()` for random (Poisson) arrivals at that mean rate. */
export function constantUsersPerSec(rate: number) {
  return {
    during: (seconds: number): RandomizableStep => withRandomized({ model: 'open', kind: 'constantRate', rate: positive(rate, 'constantUsersPerSec'), seconds: positive(seconds, 'during') }),
  };
}

/** From `a` to `b` users per second, linearly, over `during(s)` seconds. */
export function rampUsersPerSec(from: number) {
  return {
    to: (to: number) => ({
      during: (seconds: number): RandomizableStep =>
        withRandomized({ model: 'open', kind: 'rampRate', from: positive(from, 'rampUsersPerSec'), to: positive(to, 'to'), seconds: positive(seconds, 'during') }),
    }),
  };
}

/** `n` users arriving over `during(s)` seconds along a smoothed step (Gatling's Heaviside profile). */
export function stressPeakUsers(users: number) {
  return { during: (seconds: number): InjectionStep => ({ model: 'open', kind: 'stressPeak', users: positive(users, 'stressPeakUsers'), seconds: positive(seconds, 'during') }) };
}

/** No arrivals for `s` seconds. */
export function nothingFor(seconds: number): InjectionStep {
  return { model: 'open', kind: 'nothingFor', seconds: positive(seconds, 'nothingFor') };
}

/** Closed model: keep `n` users active for `during(s)` seconds (a user that ends is replaced). */
export function constantConcurrentUsers(users: number) {
  return { during: (seconds: number): InjectionStep => ({ model: 'closed', kind: 'constantConcurrent', users: positive(users, 'constantConcurrentUsers'), seconds: positive(seconds, 'during') }) };
}

/** Closed model: from `a` to `b` concurrent users, linearly, over `during(s)` seconds. */
export function rampConcurrentUsers(from: number) {
  return {
    to: (to: number) => ({
      during: (seconds: number): InjectionStep => ({ model: 'closed', kind: 'rampConcurrent', from: positive(from, 'rampConcurrentUsers'), to: positive(to, 'to'), seconds: positive(seconds, 'during') }),
    }),
  };
}

/** Throttle pieces, folded into ThrottleStep[] by simulation(): `reachRps(100).in(10), holdFor(60), jumpToRps(50), holdFor(30)`. */
export type ThrottlePiece = { throttle: 'reach'; rps: number; seconds: number } | { throttle: 'jump'; rps: number } | { throttle: 'hold'; seconds: number } | ThrottleStep;

/** Raise (or lower) the request-rate cap to `r` per second, linearly over `in(s)` seconds. */
export function reachRps(rps: number) {
  return { in: (seconds: number): ThrottlePiece => ({ throttle: 'reach', rps: positive(rps, 'reachRps'), seconds: positive(seconds, 'in') }) };
}

/** Set the cap to `r` per second at once. */
export function jumpToRps(rps: number): ThrottlePiece {
  return { throttle: 'jump', rps: positive(rps, 'jumpToRps') };
}

/** Keep the current cap for `s` seconds. */
export function holdFor(seconds: number): ThrottlePiece {
  return { throttle: 'hold', seconds: positive(seconds, 'holdFor') };
}

export function toThrottleSteps(pieces: ThrottlePiece[]): ThrottleStep[] {
  const steps: ThrottleStep[] = [];
  for (const piece of pieces) {
    if (!('throttle' in piece)) steps.push({ ...piece });
    else if (piece.throttle === 'reach') steps.push({ rampSeconds: piece.seconds, rps: piece.rps, holdSeconds: 0 });
    else if (piece.throttle === 'jump') steps.push({ rampSeconds: 0, rps: piece.rps, holdSeconds: 0 });
    else {
      const last = steps[steps.length - 1];
      if (!last) throw new Error('throttle: holdFor(…) must follow reachRps(…).in(…) or jumpToRps(…)');
      last.holdSeconds += piece.seconds;
    }
  }
  return steps;
}
