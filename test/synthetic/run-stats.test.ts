/**
 * The stats module alone: constant memory whatever the number of samples, exact-to-precision
 * percentiles, the timeline, errors and distribution, and assertion evaluation with Gatling-like
 * descriptions.
 */
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../synthetic/src/contract.js';
import type { AssertionSpec } from '../../synthetic/src/definition.js';
import { evaluateAssertions } from '../../synthetic/src/run/assertions.js';
import { createStats } from '../../synthetic/src/run/stats.js';

const record = (name: string, start: number, latency: number, ok = true, groups: string[] = []): RequestRecord => ({
  name,
  groups,
  intendedStart: start,
  start,
  end: start + latency,
  ok,
  status: ok ? 200 : 500,
  failure: ok ? undefined : 'status.in(200-299, 304) but was 500',
});

describe('stats', () => {
  it('a million records do not grow memory: the same histograms, the same footprint', () => {
    const stats = createStats(0, () => 0);
    const recorder = stats.recorder('open');
    const feed = (from: number, to: number) => {
      for (let i = from; i < to; i++) recorder.request(record(i % 3 === 0 ? 'a' : 'b', i / 10, (i % 1000) + 0.5, i % 100 !== 0));
    };
    feed(0, 10_000);
    const small = stats.footprint();
    const heapBefore = process.memoryUsage().heapUsed;
    feed(10_000, 1_000_000);
    const large = stats.footprint();
    expect(large).toEqual(small);
    // Some garbage is allowed, not a sample per record (1M records would be tens of MB).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024);
    const parts = stats.summaryParts(100_000);
    expect(parts.global.count).toBe(1_000_000);
    expect(parts.global.ko).toBe(10_000);
    // Uniform 0.5..999.5 ms: percentiles to HdrHistogram's 3 significant digits.
    expect(parts.global.p50).toBeGreaterThan(495);
    expect(parts.global.p50).toBeLessThan(505);
    expect(parts.global.p99).toBeGreaterThan(985);
    expect(parts.global.p99).toBeLessThan(995);
    expect(parts.global.rps).toBe(10_000);
    // The timeline: one point per second of the run (100 s of records), not per record.
    expect(parts.timeline.length).toBe(101);
    expect(parts.timeline[5].requests).toBe(10_000);
  });

  it('response time is end − intendedStart in the open model, end − start in the closed one', () => {
    const stats = createStats(0, () => 0);
    const late: RequestRecord = { name: 'r', groups: [], intendedStart: 0, start: 900, end: 1000, ok: true };
    stats.recorder('open').request(late);
    expect(stats.summaryParts(1000).global.max).toBeCloseTo(1000, -1);
    const closedStats = createStats(0, () => 0);
    closedStats.recorder('closed').request(late);
    expect(closedStats.summaryParts(1000).global.max).toBeCloseTo(100, 0);
  });

  it('per request, per group, errors, distribution and timeline', () => {
    let now = 0;
    const stats = createStats(0, () => now);
    const recorder = stats.recorder('open');
    recorder.userStarted('s');
    recorder.request(record('login', 10, 100));
    recorder.request(record('list', 200, 50, true, ['browse']));
    recorder.request(record('list', 1200, 300, false, ['browse']));
    recorder.group({ groups: ['browse'], start: 200, end: 1500, ok: false });
    now = 1600;
    recorder.userEnded('s');
    const parts = stats.summaryParts(2000);
    expect(parts.requests.map((each) => [each.name, each.groups, each.count, each.ok, each.ko])).toEqual([
      ['login', [], 1, 1, 0],
      ['list', ['browse'], 2, 1, 1],
    ]);
    expect(parts.groups).toMatchObject([{ name: 'browse', groups: ['browse'], count: 1, ko: 1 }]);
    expect(parts.groups[0].max).toBeCloseTo(1300, -1);
    expect(parts.errors).toEqual([{ reason: 'status.in(200-299, 304) but was 500', count: 1, percent: 33.33 }]);
    expect(parts.distribution.reduce((sum, bucket) => sum + bucket.ok, 0)).toBe(2);
    expect(parts.distribution.reduce((sum, bucket) => sum + bucket.ko, 0)).toBe(1);
    expect(parts.timeline.map((point) => [point.second, point.requests, point.responses, point.ko, point.activeUsers])).toEqual([
      [0, 2, 2, 0, 1],
      [1, 1, 1, 1, 1],
    ]);
    expect(parts.timeline[1].p99).toBeCloseTo(300, -1);
  });
});

describe('assertions', () => {
  const stats = createStats(0, () => 0);
  const recorder = stats.recorder('closed');
  for (let i = 0; i < 100; i++) recorder.request(record('home', i * 10, i + 1, i < 98));
  for (let i = 0; i < 10; i++) recorder.request(record('search', i * 10, 500, true, ['shop']));
  recorder.group({ groups: ['shop'], start: 0, end: 600, ok: true });
  const source = { global: stats.global(), requests: stats.requests(), groups: stats.groups(), durationMs: 10_000 };
  const check = (spec: Partial<AssertionSpec>) => evaluateAssertions([{ scope: 'global', path: [], op: 'lt', value: 0, metric: 'responseTime', stat: 'max', ...spec } as AssertionSpec], source);

  it('global percentiles, counts, percentages and req/s, each with a readable description', () => {
    expect(check({ stat: 'percentile', percentile: 95, op: 'lt', value: 800 })[0]).toMatchObject({
      description: 'Global: percentile 95 of response time is less than 800 ms',
      scope: 'global',
      target: 'Global',
      passed: true,
    });
    const failed = check({ metric: 'failedRequests', stat: 'percent', op: 'lte', value: 1 })[0];
    expect(failed).toMatchObject({ description: 'Global: percentage of failed requests is less than or equal to 1 %', passed: false, actual: 1.82 });
    expect(failed.message).toContain('was 1.82 %');
    expect(check({ metric: 'failedRequests', stat: 'count', op: 'is', value: 2 })[0].passed).toBe(true);
    expect(check({ metric: 'requestsPerSec', stat: 'value', op: 'between', value: 10, value2: 12 })[0]).toMatchObject({ passed: true, actual: 11 });
    // mean (100 × 50.5 ms + 10 × 500 ms) / 110 ≈ 91.4 ms
    expect(check({ metric: 'responseTime', stat: 'mean', op: 'around', value: 90, value2: 5 })[0].passed).toBe(true);
    expect(check({ metric: 'responseTime', stat: 'mean', op: 'around', value: 80, value2: 5 })[0]).toMatchObject({ description: 'Global: mean of response time is around 80 ms ± 5 ms', passed: false });
  });

  it('forAll gives one result per request; details finds a group or a request inside groups', () => {
    const forAll = check({ scope: 'forAll', stat: 'max', op: 'lt', value: 200 });
    expect(forAll.map((each) => [each.target, each.passed])).toEqual([
      ['home', true],
      ['shop / search', false],
    ]);
    expect(check({ scope: 'details', path: ['shop'], stat: 'max', op: 'gte', value: 600 })[0]).toMatchObject({ scope: 'group', target: 'shop', passed: true });
    expect(check({ scope: 'details', path: ['shop', 'search'], metric: 'allRequests', stat: 'count', op: 'is', value: 10 })[0]).toMatchObject({ scope: 'request', passed: true });
    const missing = check({ scope: 'details', path: ['nope'], op: 'lt', value: 1 })[0];
    expect(missing).toMatchObject({ passed: false, actual: null });
    expect(missing.message).toContain('nothing named nope');
  });
});
