/**
 * Control flow: repeat (all three spellings), during, foreach, group records (KO if anything
 * inside failed), exitHereIfFailed, doIf, the runner's stop and throttle, and chain reuse.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  atOnceUsers,
  doIf,
  doIfOrElse,
  during,
  exec,
  exitHereIfFailed,
  foreach,
  group,
  holdFor,
  http,
  httpProtocol,
  pause,
  reachRps,
  repeat,
  scenario,
  simulation,
  status,
  type ScenarioBuilder,
} from '../../synthetic/src/index.js';
import { drive } from './dsl-driver.js';
import { startTarget, type Target } from './target.js';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

const run = (scn: ScenarioBuilder, options: Parameters<typeof drive>[1] = {}) =>
  drive(simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(1))] }), options);
const hit = (name: string) => http(name).get('/');
const fail = (name: string) => http(name).get('/status/500');

it('repeat: direct, curried, with a counter, and from a template', async () => {
  const counters: number[] = [];
  const scn = scenario('repeat')
    .repeat(2, exec(hit('a')))
    .repeat(2)(exec(hit('b')))
    .repeat(3, 'i')(exec((s) => {
      counters.push(s.get<number>('i')!);
    }))
    .repeat(2, 'j', exec(hit('c')))
    .exec((s) => s.set('n', 2))
    .repeat('#{n}', exec(hit('d')))
    .exec((s) => {
      counters.push(s.contains('i') ? -1 : 99);
    });
  const result = await run(scn);
  expect(result.requests.map((r) => r.name)).toEqual(['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd']);
  expect(counters).toEqual([0, 1, 2, 99]);
});

it('during: loops until the deadline, stopping at the next step boundary', async () => {
  const scn = scenario('during').during(0.3, exec(hit('tick')).pause(0.05), 'k');
  const start = performance.now();
  const result = await run(scn);
  const elapsed = performance.now() - start;
  expect(result.requests.length).toBeGreaterThanOrEqual(3);
  expect(elapsed).toBeGreaterThanOrEqual(300);
  expect(elapsed).toBeLessThan(2_000);
  // Nothing is sent after the deadline: at most one request per 50 ms pause within 300 ms, the last one before it.
  expect(result.requests.length).toBeLessThanOrEqual(7);
  expect(Math.max(...result.requests.map((r) => r.start))).toBeLessThan(start + 320);
});

it('during with a body that does no I/O does not hold the event loop', async () => {
  let iterations = 0;
  let timerFired = false;
  setTimeout(() => (timerFired = true), 20);
  await run(scenario('busy').during(0.1, exec(() => void iterations++)));
  expect(timerFired).toBe(true);
  expect(iterations).toBeGreaterThan(10);
});

it('foreach: each element under the item key, from a key, a template or a function', async () => {
  const scn = scenario('foreach')
    .exec((s) => s.set('ids', [3, 5, 7]))
    .foreach('ids', 'id', exec(http('by key').get('/requests/#{id}').check(status().is(401))), 'i')
    .foreach('#{ids}', 'id', exec(http('by template').get('/status/20#{id}').check(status().in(203, 205, 207))))
    .foreach((s) => (s.get<number[]>('ids') ?? []).slice(0, 1), 'x', exec(http('by fn #{x}').get('/')))
    .exec((s) => s.set('after', s.contains('id') || s.contains('i')));
  target.reset();
  const result = await run(scn);
  expect(result.requests.filter((r) => !r.ok)).toEqual([]);
  expect(result.requests.map((r) => r.name)).toEqual(['by key', 'by key', 'by key', 'by template', 'by template', 'by template', 'by fn #{x}']);
  expect(target.hits('GET /requests/5')).toBe(1);
  expect(target.hits('GET /status/207')).toBe(1);
});

it('groups: nested paths on requests, a group record per pass, KO when anything inside failed', async () => {
  const scn = scenario('groups')
    .group('Browse', exec(hit('home')).group('Details', exec(hit('one'))))
    .group('Checkout', exec(hit('cart')).exec(fail('pay')).exec(hit('receipt')))
    .exec(hit('outside'));
  const result = await run(scn);
  expect(result.requests.map((r) => [r.name, r.groups])).toEqual([
    ['home', ['Browse']],
    ['one', ['Browse', 'Details']],
    ['cart', ['Checkout']],
    ['pay', ['Checkout']],
    ['receipt', ['Checkout']],
    ['outside', []],
  ]);
  expect(result.groups.map((g) => [g.groups, g.ok])).toEqual([
    [['Browse', 'Details'], true],
    [['Browse'], true],
    [['Checkout'], false],
  ]);
  const checkout = result.groups[2];
  expect(checkout.start).toBeLessThanOrEqual(result.requests[2].start);
  expect(checkout.end).toBeGreaterThanOrEqual(result.requests[4].end);
});

it('exitHereIfFailed: continues while all is well, ends the user after a failure', async () => {
  const scn = scenario('exit').exec(hit('first')).exitHereIfFailed().exec(fail('broken')).exec(hit('still runs')).exitHereIfFailed().exec(hit('never'));
  const result = await run(scn);
  expect(result.requests.map((r) => [r.name, r.ok])).toEqual([
    ['first', true],
    ['broken', false],
    ['still runs', true],
  ]);
  expect(result.ended).toBe(1);
});

it('doIf: a session key holding true, a #{template}, a function; a missing key is false', async () => {
  const scn = scenario('doIf')
    .exec((s) => s.setAll({ yes: true, yesText: 'true', no: false, n: 3 }))
    .doIf('yes', exec(hit('key true')))
    .doIf('#{yesText}', exec(hit('template true')))
    .doIf('no', exec(hit('key false')))
    .doIf('absent', exec(hit('missing key')))
    .doIf((s) => s.get<number>('n')! > 2, exec(hit('function true')))
    .doIfOrElse('no', exec(hit('then')), exec(hit('else')));
  const result = await run(scn);
  expect(result.requests.map((r) => r.name)).toEqual(['key true', 'template true', 'function true', 'else']);
});

it('chains are immutable values reused across scenarios', async () => {
  const base = exec(hit('shared'));
  const longer = base.exec(hit('extra'));
  const a = await run(scenario('A').exec(base).exec(base));
  const b = await run(scenario('B').exec(longer));
  expect(a.requests.map((r) => r.name)).toEqual(['shared', 'shared']);
  expect(b.requests.map((r) => r.name)).toEqual(['shared', 'extra']);
  expect(base.steps).toHaveLength(1);
  // The top-level starters build the same steps as the methods.
  expect(repeat(2, base).steps).toEqual(exec(base).repeat(2, base).steps.slice(1));
  expect([during, foreach, group, doIf, doIfOrElse, exitHereIfFailed, pause].every((f) => typeof f === 'function')).toBe(true);
});

it('stops between steps when the runner says so, and waits for a throttle token before each request', async () => {
  let tokens = 0;
  let sent = 0;
  const scn = scenario('stop').repeat(100, exec(hit('tick')).exec(() => void sent++));
  const result = await run(scn, {
    stopping: () => sent >= 5,
    throttle: async () => {
      tokens++;
    },
  });
  expect(result.requests).toHaveLength(5);
  expect(tokens).toBe(5);
  expect(result.ended).toBe(1);
});

it('a long pause ends early when the run stops, and the intended start after a pause is the previous end plus the pause', async () => {
  let stop = false;
  setTimeout(() => (stop = true), 150);
  const start = performance.now();
  const stopped = await run(scenario('pausing').exec(hit('before')).pause(30).exec(hit('after')), { stopping: () => stop });
  expect(performance.now() - start).toBeLessThan(5_000);
  expect(stopped.requests.map((r) => r.name)).toEqual(['before']);

  const paced = await run(scenario('paced').exec(hit('one')).pause(0.1, 0.2).exec(hit('two')));
  const [one, two] = paced.requests;
  expect(two.intendedStart - one.end).toBeGreaterThanOrEqual(100);
  expect(two.intendedStart - one.end).toBeLessThanOrEqual(200);
  expect(two.start).toBeGreaterThanOrEqual(two.intendedStart);
});

it('a throttle that holds a request does not count as latency; a late generator does', async () => {
  const scn = scenario('throttled').exec(hit('held'));
  const arrival = performance.now();
  // The simulation declares a throttle; this driver's stands in for the runner's and holds 200 ms.
  const throttled = simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(1))], throttle: [reachRps(10).in(0), holdFor(10)] });
  const held = await drive(throttled, { arrival: () => arrival, throttle: () => new Promise((resolve) => setTimeout(resolve, 200)) });
  expect(held.requests[0].start - held.requests[0].intendedStart).toBeLessThan(150);
  const late = await run(scn, { arrival: () => performance.now() - 500 });
  expect(late.requests[0].start - late.requests[0].intendedStart).toBeGreaterThanOrEqual(500);
});
