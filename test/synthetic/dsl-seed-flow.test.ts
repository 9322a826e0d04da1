/**
 * The seed's flow end to end against the local target: log in, take the auth token from
 * Set-Cookie with a header regex check and saveAs, send it as a header, fetch the list of open
 * requests, foreach over their ids with a request each, with checks on status, body and time.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  constantUsersPerSec,
  exec,
  FormBody,
  foreach,
  headerRegex,
  http,
  httpProtocol,
  jsonPath,
  pause,
  responseTimeInMillis,
  scenario,
  simulation,
  status,
} from '../../synthetic/src/index.js';
import { drive } from './dsl-driver.js';
import { startTarget, TARGET_PASSWORD, type Target } from './target.js';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

const login = exec(
  http('Login')
    .post('/login')
    .body(FormBody({ username: '#{user}', password: TARGET_PASSWORD }))
    .check(status().is(200), headerRegex('set-cookie', 'auth=([^;]+)').saveAs('authToken'), jsonPath('$.user.name').is('#{user}')),
);

const browse = exec(
  http('Open requests')
    .get('/requests?status=open')
    .header('authorization', 'Bearer #{authToken}')
    .check(status().is(200), jsonPath('$[*].id').findAll().saveAs('ids'), jsonPath('$[*].status').findAll().transform((all: string[]) => [...new Set(all)]).is(['open']), responseTimeInMillis().lte(10_000)),
).pause(0.05);

const readEach = foreach(
  'ids',
  'id',
  exec(
    http('Request')
      .get('/requests/#{id}')
      .header('authorization', 'Bearer #{authToken}')
      .check(status().is(200), jsonPath('$.id').is('#{id}'), jsonPath('$.status').is('open')),
  ),
);

it('logs in, carries the token from Set-Cookie as a bearer header, and reads every open request', async () => {
  const seed = scenario('Triage')
    .exec((session) => session.set('user', 'ann'))
    .exec(login)
    .exitHereIfFailed()
    .exec(browse)
    .exec(readEach);
  const sim = simulation({ protocol: httpProtocol().baseUrl(target.url).acceptHeader('application/json'), scenarios: [seed.injectOpen(constantUsersPerSec(1).during(1))] });
  target.reset();
  const start = performance.now();
  const run = await drive(sim, { arrival: () => start });

  expect(run.requests.filter((r) => !r.ok)).toEqual([]);
  const names = run.requests.map((r) => r.name);
  expect(names.slice(0, 2)).toEqual(['Login', 'Open requests']);
  expect(names.filter((n) => n === 'Request')).toHaveLength(50);
  expect(run.started).toBe(1);
  expect(run.ended).toBe(1);

  // What the target really received: 50 distinct open ids, each with the token issued at login.
  const token = target.tokens.get('ann');
  expect(token).toMatch(/^[0-9a-f]{24}$/);
  const reads = target.log.filter((entry) => entry.path.startsWith('/requests/'));
  expect(reads).toHaveLength(50);
  expect(new Set(reads.map((entry) => entry.path)).size).toBe(50);
  expect(reads.every((entry) => entry.headers.authorization === `Bearer ${token}`)).toBe(true);
  const openIds = target.requests.filter((r) => r.status === 'open').slice(0, 50).map((r) => `/requests/${r.id}`);
  expect(reads.map((entry) => entry.path)).toEqual(openIds);
  expect(target.log.every((entry) => entry.headers.accept === 'application/json')).toBe(true);
  // The login cookie went back too (the user's cookie jar).
  expect(reads.every((entry) => entry.headers.cookie === `auth=${token}`)).toBe(true);

  // Intended starts: the arrival, then each previous end — plus the pause after the list.
  const [first, list, firstRead] = run.requests;
  expect(first.intendedStart).toBe(start);
  expect(list.intendedStart).toBe(first.end);
  expect(firstRead.intendedStart).toBeCloseTo(list.end + 50, 5);
  expect(firstRead.start).toBeGreaterThanOrEqual(firstRead.intendedStart);
  for (let i = 3; i < run.requests.length; i++) expect(run.requests[i].intendedStart).toBe(run.requests[i - 1].end);
  for (const r of run.requests) expect(r.end).toBeGreaterThanOrEqual(r.start);
});

it('a wrong password fails the login check and exitHereIfFailed ends the user there', async () => {
  const seed = scenario('Triage').exec((session) => session.set('user', 'mallory')).exec(
    http('Login')
      .post('/login')
      .body(FormBody({ username: '#{user}', password: 'wrong' }))
      .check(headerRegex('set-cookie', 'auth=([^;]+)').saveAs('authToken')),
  ).exitHereIfFailed().exec(browse).exec(readEach);
  const sim = simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [seed.injectOpen(constantUsersPerSec(1).during(1))] });
  const run = await drive(sim);
  expect(run.requests).toHaveLength(1);
  expect(run.requests[0]).toMatchObject({ name: 'Login', ok: false, status: 401, failure: 'status.find.in(200-299, 304), but actually found 401' });
  expect(run.ended).toBe(1);
});

it('the flow also works with pause() as a chain of its own and a JSON login', async () => {
  const { JsonBody } = await import('../../synthetic/src/index.js');
  const flow = scenario('JSON login')
    .exec(http('Login').post('/login').body(JsonBody({ username: 'bob', password: TARGET_PASSWORD })).check(headerRegex('set-cookie', 'auth=([^;]+)').saveAs('authToken')))
    .exec(pause(0))
    .exec(http('Open requests').get('/requests').queryParam('status', 'open').header('authorization', (s) => `Bearer ${s.get<string>('authToken')}`).check(jsonPath('$.length').is(50)));
  const sim = simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [flow.injectOpen(constantUsersPerSec(1).during(1))] });
  const run = await drive(sim);
  expect(run.requests.map((r) => [r.name, r.ok, r.failure])).toEqual([
    ['Login', true, undefined],
    ['Open requests', true, undefined],
  ]);
});
