/**
 * Assertions as data (definition.ts's AssertionSpec), Gatling's way:
 * `global().responseTime().percentile(95).lt(800)`, `forAll().failedRequests().percent().lte(1)`,
 * `details('Checkout', 'Pay').requestsPerSec().gte(20)`. The runner evaluates them.
 */
import type { AssertionMetric, AssertionSpec } from '../definition.js';

type Scope = Pick<AssertionSpec, 'scope' | 'path'>;

export interface AssertionCondition {
  lt(value: number): AssertionSpec;
  lte(value: number): AssertionSpec;
  gt(value: number): AssertionSpec;
  gte(value: number): AssertionSpec;
  is(value: number): AssertionSpec;
  between(min: number, max: number): AssertionSpec;
  around(value: number, plusOrMinus: number): AssertionSpec;
}

function condition(scope: Scope, metric: AssertionMetric): AssertionCondition {
  const spec = (op: AssertionSpec['op'], value: number, value2?: number): AssertionSpec => ({ ...scope, ...metric, op, value, ...(value2 === undefined ? {} : { value2 }) });
  return {
    lt: (value) => spec('lt', value),
    lte: (value) => spec('lte', value),
    gt: (value) => spec('gt', value),
    gte: (value) => spec('gte', value),
    is: (value) => spec('is', value),
    between: (min, max) => spec('between', min, max),
    around: (value, plusOrMinus) => spec('around', value, plusOrMinus),
  };
}

function counts(scope: Scope, metric: 'failedRequests' | 'successfulRequests' | 'allRequests') {
  return {
    count: () => condition(scope, { metric, stat: 'count' }),
    percent: () => condition(scope, { metric, stat: 'percent' }),
  };
}

function metrics(scope: Scope) {
  return {
    responseTime: () => ({
      min: () => condition(scope, { metric: 'responseTime', stat: 'min' }),
      max: () => condition(scope, { metric: 'responseTime', stat: 'max' }),
      mean: () => condition(scope, { metric: 'responseTime', stat: 'mean' }),
      stdDev: () => condition(scope, { metric: 'responseTime', stat: 'stdDev' }),
      percentile: (percentile: number) => {
        if (!(percentile > 0 && percentile <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${percentile}`);
        return condition(scope, { metric: 'responseTime', stat: 'percentile', percentile });
      },
      /** Gatling's shorthands. */
      percentile1: () => condition(scope, { metric: 'responseTime', stat: 'percentile', percentile: 50 }),
      percentile2: () => condition(scope, { metric: 'responseTime', stat: 'percentile', percentile: 75 }),
      percentile3: () => condition(scope, { metric: 'responseTime', stat: 'percentile', percentile: 95 }),
      percentile4: () => condition(scope, { metric: 'responseTime', stat: 'percentile', percentile: 99 }),
    }),
    failedRequests: () => counts(scope, 'failedRequests'),
    successfulRequests: () => counts(scope, 'successfulRequests'),
    allRequests: () => counts(scope, 'allRequests'),
    requestsPerSec: () => condition(scope, { metric: 'requestsPerSec', stat: 'value' }),
  };
}

/** All requests together. */
export function global() {
  return metrics({ scope: 'global', path: [] });
}

/** Each request name on its own (every one must pass). */
export function forAll() {
  return metrics({ scope: 'forAll', path: [] });
}

/** A group path, or a request inside groups: `details('Checkout')`, `details('Checkout', 'Pay')`, `details('Login')`. */
export function details(...path: string[]) {
  if (path.length === 0) throw new Error('details() needs a group or request name');
  return metrics({ scope: 'details', path });
}
