/** The injection, throttle, assertion and simulation builders produce definition.ts's plain data. */
import { expect, it } from 'vitest';
import {
  atOnceUsers,
  constantConcurrentUsers,
  constantUsersPerSec,
  details,
  exec,
  forAll,
  global,
  holdFor,
  http,
  httpProtocol,
  jumpToRps,
  nothingFor,
  rampConcurrentUsers,
  rampUsers,
  rampUsersPerSec,
  reachRps,
  scenario,
  simulation,
  stressPeakUsers,
} from '../../synthetic/src/index.js';

it('open and closed injection steps', () => {
  expect(atOnceUsers(10)).toEqual({ model: 'open', kind: 'atOnce', users: 10 });
  expect(rampUsers(100).during(10)).toEqual({ model: 'open', kind: 'ramp', users: 100, seconds: 10 });
  expect(constantUsersPerSec(20).during(30)).toEqual({ model: 'open', kind: 'constantRate', rate: 20, seconds: 30 });
  expect(constantUsersPerSec(20).during(30).randomized()).toEqual({ model: 'open', kind: 'constantRate', rate: 20, seconds: 30, randomized: true });
  expect(rampUsersPerSec(10).to(50).during(60)).toEqual({ model: 'open', kind: 'rampRate', from: 10, to: 50, seconds: 60 });
  expect(rampUsersPerSec(10).to(50).during(60).randomized()).toMatchObject({ randomized: true });
  expect(stressPeakUsers(500).during(20)).toEqual({ model: 'open', kind: 'stressPeak', users: 500, seconds: 20 });
  expect(nothingFor(5)).toEqual({ model: 'open', kind: 'nothingFor', seconds: 5 });
  expect(constantConcurrentUsers(8).during(30)).toEqual({ model: 'closed', kind: 'constantConcurrent', users: 8, seconds: 30 });
  expect(rampConcurrentUsers(1).to(20).during(40)).toEqual({ model: 'closed', kind: 'rampConcurrent', from: 1, to: 20, seconds: 40 });
  // Steps stay plain data: JSON round-trips them (the runner may send them to a worker).
  expect(JSON.parse(JSON.stringify(constantUsersPerSec(5).during(1)))).toEqual(constantUsersPerSec(5).during(1));
  expect(() => rampUsers(-1).during(1)).toThrow(/rampUsers must be a number ≥ 0/);
});

it('throttle pieces fold into ThrottleSteps', () => {
  const sim = simulation({
    scenarios: [scenario('s').exec(http('r').get('http://127.0.0.1:1/')).injectOpen(atOnceUsers(1))],
    throttle: [reachRps(100).in(10), holdFor(60), jumpToRps(50), holdFor(30)],
  });
  expect(sim.throttle).toEqual([
    { rampSeconds: 10, rps: 100, holdSeconds: 60 },
    { rampSeconds: 0, rps: 50, holdSeconds: 30 },
  ]);
  expect(() => simulation({ scenarios: [scenario('s').injectOpen(atOnceUsers(1))], throttle: [holdFor(5)] })).toThrow(/holdFor\(…\) must follow/);
});

it('assertions: scope, path, metric, stat, operator and values', () => {
  expect(global().responseTime().percentile(95).lt(800)).toEqual({ scope: 'global', path: [], metric: 'responseTime', stat: 'percentile', percentile: 95, op: 'lt', value: 800 });
  expect(global().responseTime().max().lte(2000)).toEqual({ scope: 'global', path: [], metric: 'responseTime', stat: 'max', op: 'lte', value: 2000 });
  expect(global().responseTime().mean().between(10, 50)).toEqual({ scope: 'global', path: [], metric: 'responseTime', stat: 'mean', op: 'between', value: 10, value2: 50 });
  expect(forAll().failedRequests().percent().lte(1)).toEqual({ scope: 'forAll', path: [], metric: 'failedRequests', stat: 'percent', op: 'lte', value: 1 });
  expect(details('Checkout', 'Pay').successfulRequests().count().gte(10)).toEqual({
    scope: 'details',
    path: ['Checkout', 'Pay'],
    metric: 'successfulRequests',
    stat: 'count',
    op: 'gte',
    value: 10,
  });
  expect(global().allRequests().count().is(100)).toMatchObject({ metric: 'allRequests', stat: 'count', op: 'is', value: 100 });
  expect(global().requestsPerSec().around(50, 5)).toEqual({ scope: 'global', path: [], metric: 'requestsPerSec', stat: 'value', op: 'around', value: 50, value2: 5 });
  expect(global().responseTime().stdDev().gt(0)).toMatchObject({ stat: 'stdDev', op: 'gt' });
  expect(global().responseTime().min().gte(0)).toMatchObject({ stat: 'min', op: 'gte' });
  expect(global().responseTime().percentile3().lt(1)).toMatchObject({ stat: 'percentile', percentile: 95 });
  expect(() => global().responseTime().percentile(0)).toThrow(/percentile must be in/);
  expect(() => details()).toThrow(/needs a group or request name/);
});

it('simulation: scenarios with their injection, assertions, max duration; per-scenario protocols; validation', async () => {
  const browse = scenario('Browse').exec(http('Home').get('/'));
  const buy = scenario('Buy').exec(exec(http('Cart').get('/cart')));
  const assertion = global().failedRequests().count().is(0);
  const sim = simulation({
    protocol: httpProtocol().baseUrl('http://127.0.0.1:1'),
    scenarios: [browse.injectOpen(nothingFor(1), constantUsersPerSec(5).during(2)), buy.injectClosed(constantConcurrentUsers(3).during(2)).protocols(httpProtocol().baseUrl('http://127.0.0.1:2'))],
    assertions: [assertion],
    maxDuration: 30,
  });
  expect(sim.scenarios.map((s) => [s.name, s.injection])).toEqual([
    ['Browse', [nothingFor(1), constantUsersPerSec(5).during(2)]],
    ['Buy', [constantConcurrentUsers(3).during(2)]],
  ]);
  expect(sim.assertions).toEqual([assertion]);
  expect(sim.maxDurationSeconds).toBe(30);
  expect(typeof sim.scenarios[0].runUser).toBe('function');
  await sim.close();

  expect(() => browse.injectOpen(constantConcurrentUsers(1).during(1))).toThrow(/injectOpen\(\) got a closed-model step \(constantConcurrent\)/);
  expect(() => browse.injectClosed(atOnceUsers(1))).toThrow(/injectClosed\(\) got an open-model step/);
  expect(() => simulation({ scenarios: [] })).toThrow(/at least one scenario/);
  expect(() => simulation({ scenarios: [browse.injectOpen(atOnceUsers(1)), browse.injectOpen(atOnceUsers(1))] })).toThrow(/two scenarios are named 'Browse'/);
});
