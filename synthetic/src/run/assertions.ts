/**
 * Assertions, evaluated once the run is over against the same histograms the summary comes
 * from (so `percentile 99.9` is exact to HdrHistogram's precision, not read off p99). Each gives
 * a readable line in Gatling's words: `Global: percentile 95 of response time is less than 800 ms`.
 */
import type { AssertionResult } from '../contract.js';
import type { AssertionSpec } from '../definition.js';
import { percentile, toMs } from './histogram.js';
import type { Measured } from './stats.js';

export interface AssertionSource {
  global: Measured;
  requests: Measured[];
  groups: Measured[];
  durationMs: number;
}

export function evaluateAssertions(specs: AssertionSpec[], source: AssertionSource): AssertionResult[] {
  return specs.flatMap((spec) => {
    if (spec.scope === 'global') return [evaluate(spec, 'global', 'Global', source.global, source.durationMs)];
    if (spec.scope === 'forAll') {
      if (source.requests.length === 0) return [evaluate(spec, 'request', 'For all requests', undefined, source.durationMs)];
      return source.requests.map((each) => evaluate(spec, 'request', requestLabel(each), each, source.durationMs));
    }
    const { scope, measured } = findDetails(spec.path, source);
    return [evaluate(spec, scope, spec.path.join(' / '), measured, source.durationMs)];
  });
}

function requestLabel(measured: Measured): string {
  return [...measured.groups, measured.name].join(' / ');
}

/** `details('a', 'b')`: the group a / b if there is one, else the request b inside group a. */
function findDetails(path: string[], source: AssertionSource): { scope: 'group' | 'request'; measured?: Measured } {
  const key = path.join('\u0000');
  const group = source.groups.find((each) => each.groups.join('\u0000') === key);
  if (group) return { scope: 'group', measured: group };
  const request = source.requests.find((each) => [...each.groups, each.name].join('\u0000') === key);
  return { scope: 'request', measured: request };
}

function evaluate(spec: AssertionSpec, scope: AssertionResult['scope'], target: string, measured: Measured | undefined, durationMs: number): AssertionResult {
  const description = `${target}: ${metricText(spec)} ${conditionText(spec)}`;
  const actual = measured && measured.ok + measured.ko > 0 ? measure(spec, measured, durationMs) : null;
  if (actual === null) {
    const message = measured ? `no requests for ${target}` : `nothing named ${target} was requested`;
    return { description, scope, target, passed: false, actual, message };
  }
  const passed = holds(spec, actual);
  return passed ? { description, scope, target, passed, actual } : { description, scope, target, passed, actual, message: `${metricText(spec)} was ${actual}${unit(spec)}` };
}

function measure(spec: AssertionSpec, measured: Measured, durationMs: number): number {
  const { histogram } = measured;
  const count = measured.ok + measured.ko;
  switch (spec.metric) {
    case 'responseTime':
      switch (spec.stat) {
        case 'min':
          return toMs(histogram.minNonZeroValue);
        case 'max':
          return toMs(histogram.maxValue);
        case 'mean':
          return toMs(histogram.mean);
        case 'stdDev':
          return toMs(histogram.stdDeviation);
        case 'percentile':
          return toMs(percentile(histogram, spec.percentile ?? 95));
      }
      break;
    case 'failedRequests':
    case 'successfulRequests':
    case 'allRequests': {
      const matching = spec.metric === 'failedRequests' ? measured.ko : spec.metric === 'successfulRequests' ? measured.ok : count;
      return spec.stat === 'count' ? matching : Math.round((matching / count) * 10000) / 100;
    }
    case 'requestsPerSec':
      return durationMs > 0 ? Math.round((count / (durationMs / 1000)) * 100) / 100 : 0;
  }
  return Number.NaN;
}

function holds(spec: AssertionSpec, actual: number): boolean {
  const { value, value2 = 0 } = spec;
  switch (spec.op) {
    case 'lt':
      return actual < value;
    case 'lte':
      return actual <= value;
    case 'gt':
      return actual > value;
    case 'gte':
      return actual >= value;
    case 'is':
      return actual === value;
    case 'between':
      return actual >= value && actual <= value2;
    case 'around':
      return Math.abs(actual - value) <= value2;
  }
}

function metricText(spec: AssertionSpec): string {
  switch (spec.metric) {
    case 'responseTime':
      return spec.stat === 'percentile' ? `percentile ${spec.percentile ?? 95} of response time` : `${{ min: 'min', max: 'max', mean: 'mean', stdDev: 'standard deviation' }[spec.stat]} of response time`;
    case 'requestsPerSec':
      return 'mean requests per second';
    default: {
      const which = { failedRequests: 'failed', successfulRequests: 'successful', allRequests: 'all' }[spec.metric];
      return spec.stat === 'count' ? `count of ${which} requests` : `percentage of ${which} requests`;
    }
  }
}

function unit(spec: AssertionSpec): string {
  if (spec.metric === 'responseTime') return ' ms';
  if (spec.metric === 'requestsPerSec') return ' req/s';
  return spec.stat === 'percent' ? ' %' : '';
}

function conditionText(spec: AssertionSpec): string {
  const u = unit(spec);
  switch (spec.op) {
    case 'lt':
      return `is less than ${spec.value}${u}`;
    case 'lte':
      return `is less than or equal to ${spec.value}${u}`;
    case 'gt':
      return `is greater than ${spec.value}${u}`;
    case 'gte':
      return `is greater than or equal to ${spec.value}${u}`;
    case 'is':
      return `is ${spec.value}${u}`;
    case 'between':
      return `is between ${spec.value}${u} and ${spec.value2 ?? 0}${u}`;
    case 'around':
      return `is around ${spec.value}${u} ± ${spec.value2 ?? 0}${u}`;
  }
}
