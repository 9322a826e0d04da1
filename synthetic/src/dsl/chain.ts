/**
 * Chains: immutable lists of steps. Every method returns a new chain, so a chain value can be
 * reused inside several scenarios or loops: `const login = exec(http('Login')…)` then
 * `scenario('A').exec(login)…`. The top-level functions (`exec`, `pause`, …) start a chain.
 */
import type { Feeder } from '../runtime/feeders.js';
import type { Session } from '../runtime/session.js';
import type { SessionFunction, Step } from '../runtime/steps.js';
import type { Expression } from '../runtime/template.js';
import type { HttpRequestBuilder } from './http.js';

export type Executable = HttpRequestBuilder | SessionFunction | ChainBuilder;

export interface ChainBuilder {
  readonly steps: readonly Step[];
  /** A request, a function of the session (`session => session.set('k', v)`), or another chain. */
  exec(...executables: Executable[]): ChainBuilder;
  /** Pauses `min` seconds, or a uniformly random time between `min` and `max`. */
  pause(minSeconds: Expression<number>, maxSeconds?: Expression<number>): ChainBuilder;
  /** Puts the feeder's next record into the session. */
  feed(feeder: Feeder): ChainBuilder;
  /** `repeat(3, chain)`, `repeat(3, 'i', chain)` or Gatling's `repeat(3)(chain)` / `repeat(3, 'i')(chain)`. */
  repeat(times: Expression<number | string>, counterKey: string, chain: ChainBuilder): ChainBuilder;
  repeat(times: Expression<number | string>, chain: ChainBuilder): ChainBuilder;
  repeat(times: Expression<number | string>, counterKey?: string): (chain: ChainBuilder) => ChainBuilder;
  /** Runs `chain` again and again for `seconds`, stopping at the first step boundary after the deadline. */
  during(seconds: Expression<number | string>, chain: ChainBuilder, counterKey?: string): ChainBuilder;
  /** For each element of the array at `sessionKey` ('ids', '#{ids}' or a function): the element as `itemKey`. */
  foreach(sessionKey: string | ((session: Session) => unknown[]), itemKey: string, chain: ChainBuilder, counterKey?: string): ChainBuilder;
  group(name: Expression<string>, chain: ChainBuilder): ChainBuilder;
  /** Ends the user here when a request or check has failed. */
  exitHereIfFailed(): ChainBuilder;
  /** Runs `chain` when the session key (or `#{key}`) holds true or 'true', or when the function returns true. */
  doIf(condition: string | ((session: Session) => boolean), chain: ChainBuilder): ChainBuilder;
  doIfOrElse(condition: string | ((session: Session) => boolean), then: ChainBuilder, orElse: ChainBuilder): ChainBuilder;
}

export function isChain(value: unknown): value is ChainBuilder {
  return typeof value === 'object' && value !== null && Array.isArray((value as ChainBuilder).steps) && typeof (value as ChainBuilder).exec === 'function';
}

function isRequest(value: unknown): value is HttpRequestBuilder {
  return typeof value === 'object' && value !== null && 'spec' in value && typeof (value as HttpRequestBuilder).check === 'function';
}

function toSteps(executable: Executable): Step[] {
  if (isChain(executable)) return [...executable.steps];
  if (isRequest(executable)) return [{ kind: 'request', request: executable.spec }];
  if (typeof executable === 'function') return [{ kind: 'session', fn: executable }];
  throw new TypeError('exec() takes http(…) requests, functions of the session, or chains');
}

export function chain(steps: readonly Step[] = []): ChainBuilder {
  const append = (...more: Step[]) => chain([...steps, ...more]);
  const built: ChainBuilder = {
    steps,
    exec: (...executables) => append(...executables.flatMap(toSteps)),
    pause: (minSeconds, maxSeconds) => append({ kind: 'pause', minSeconds, maxSeconds }),
    feed: (feeder) => append({ kind: 'feed', feeder }),
    repeat: ((times: Expression<number | string>, counterOrChain?: string | ChainBuilder, body?: ChainBuilder) => {
      if (isChain(counterOrChain)) return append({ kind: 'repeat', times, chain: counterOrChain.steps });
      if (body) return append({ kind: 'repeat', times, counterKey: counterOrChain, chain: body.steps });
      return (inner: ChainBuilder) => append({ kind: 'repeat', times, counterKey: counterOrChain, chain: inner.steps });
    }) as ChainBuilder['repeat'],
    during: (seconds, body, counterKey) => append({ kind: 'during', seconds, counterKey, chain: body.steps }),
    foreach: (items, itemKey, body, counterKey) => append({ kind: 'foreach', items, itemKey, counterKey, chain: body.steps }),
    group: (name, body) => append({ kind: 'group', name, chain: body.steps }),
    exitHereIfFailed: () => append({ kind: 'exitHereIfFailed' }),
    doIf: (condition, body) => append({ kind: 'doIf', condition, chain: body.steps }),
    doIfOrElse: (condition, then, orElse) => append({ kind: 'doIf', condition, chain: then.steps, orElse: orElse.steps }),
  };
  return built;
}

const empty = chain();
export const exec: ChainBuilder['exec'] = (...executables) => empty.exec(...executables);
export const pause: ChainBuilder['pause'] = (min, max) => empty.pause(min, max);
export const feed: ChainBuilder['feed'] = (feeder) => empty.feed(feeder);
export const repeat = ((...args: Parameters<typeof empty.repeat>) => (empty.repeat as (...a: unknown[]) => unknown)(...args)) as ChainBuilder['repeat'];
export const during: ChainBuilder['during'] = (seconds, body, counterKey) => empty.during(seconds, body, counterKey);
export const foreach: ChainBuilder['foreach'] = (items, itemKey, body, counterKey) => empty.foreach(items, itemKey, body, counterKey);
export const group: ChainBuilder['group'] = (name, body) => empty.group(name, body);
export const exitHereIfFailed: ChainBuilder['exitHereIfFailed'] = () => empty.exitHereIfFailed();
export const doIf: ChainBuilder['doIf'] = (condition, body) => empty.doIf(condition, body);
export const doIfOrElse: ChainBuilder['doIfOrElse'] = (condition, then, orElse) => empty.doIfOrElse(condition, then, orElse);
