/**
 * Sessions, templates and the HTTP side: templated URLs, headers and bodies (missing keys fail
 * the request with Gatling's reason), immutable sessions, per-user cookie jars, redirects,
 * timeouts and connection errors, keep-alive pools.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atOnceUsers,
  FormBody,
  header,
  http,
  httpProtocol,
  jsonPath,
  JsonBody,
  scenario,
  simulation,
  status,
  StringBody,
  type Session,
} from '../../synthetic/src/index.js';
import { createCookieJar } from '../../synthetic/src/runtime/cookies.js';
import { createSession } from '../../synthetic/src/runtime/session.js';
import { resolveString, resolveValue } from '../../synthetic/src/runtime/template.js';
import { drive, failures } from './dsl-driver.js';
import { startTarget, type Target } from './target.js';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

const protocol = () => httpProtocol().baseUrl(target.url);

describe('session', () => {
  it('is immutable: set returns a new session and the old one is unchanged', () => {
    const a = createSession(1, 'scn');
    const b = a.set('x', 1);
    const c = b.set('x', 2).markAsFailed();
    expect(a.contains('x')).toBe(false);
    expect(b.get('x')).toBe(1);
    expect(c.get('x')).toBe(2);
    expect([a.isFailed(), b.isFailed(), c.isFailed(), c.markAsSucceeded().isFailed()]).toEqual([false, false, true, false]);
    expect(c.remove('x').contains('x')).toBe(false);
    expect(c.setAll({ y: 3, z: 4 }).attributes).toEqual({ x: 2, y: 3, z: 4 });
  });

  it('a session function may return nothing (read-only), but not something that is not a session', async () => {
    const seen: unknown[] = [];
    const scn = scenario('fns')
      .exec((s) => s.set('n', 1))
      .exec((s) => {
        seen.push(s.get('n'));
      })
      .exec((s) => s.set('n', s.get<number>('n')! + 1))
      .exec((s) => {
        seen.push(s.get('n'), s.isFailed());
      })
      .exec((() => 42) as unknown as (s: Session) => Session)
      .exec((s) => {
        seen.push(s.isFailed());
      });
    await drive(simulation({ protocol: protocol(), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(seen).toEqual([1, 2, false, true]);
  });
});

describe('templates', () => {
  const session = createSession(7, 'scn').setAll({ id: 42, user: { name: 'Ann', roles: ['a', 'b'] }, ids: [1, 2] });

  it('resolve keys, dotted paths, array indexes, escapes and functions', () => {
    expect(resolveString('/requests/#{id}?by=#{user.name}&r=#{user.roles.1}', session)).toBe('/requests/42?by=Ann&r=b');
    expect(resolveString('\\#{id} is #{id}', session)).toBe('#{id} is 42');
    expect(resolveString('#{ids}', session)).toBe('[1,2]');
    expect(resolveValue('#{ids}', session)).toEqual([1, 2]);
    expect(resolveValue('#{id}', session)).toBe(42);
    expect(resolveString((s) => `user ${s.userId}`, session)).toBe('user 7');
  });

  it('a missing key names itself, as in Gatling', () => {
    expect(() => resolveString('Bearer #{authToken}', session)).toThrow("no attribute named 'authToken' in the session");
    expect(() => resolveString('#{user.email}', session)).toThrow("no attribute named 'user.email' in the session ('user' has no 'email')");
  });

  it('are applied to URLs, query params, headers and all body kinds, end to end', async () => {
    let echoed: Record<string, unknown>[] = [];
    const scn = scenario('templating')
      .exec((s) => s.setAll({ id: 7, user: { name: 'Ann' }, token: 't0k' }))
      .exec(
        http('string body')
          .post('/echo?id=#{id}')
          .queryParam('who', '#{user.name}')
          .header('authorization', 'Bearer #{token}')
          .header('x-fn', (s) => `user-${s.get<number>('id')! * 2}`)
          .header('content-type', 'text/plain')
          .body(StringBody('id=#{id}; name=#{user.name}'))
          .check(jsonPath('$').saveAs('echo1')),
        http('json body')
          .put('/echo')
          .body(JsonBody({ id: '#{id}', label: 'for #{user.name}', nested: ['#{token}', 3] }))
          .check(jsonPath('$').saveAs('echo2')),
        http('json fn body').patch('/echo').body(JsonBody((s: Session) => ({ twice: s.get<number>('id')! * 2 }))).check(jsonPath('$').saveAs('echo3')),
        http('form body')
          .post('/echo')
          .body(FormBody({ username: '#{user.name}', id: '#{id}', many: (s: Session) => [s.get('id'), 'x'] }))
          .check(jsonPath('$').saveAs('echo4')),
      )
      .exec((s) => {
        echoed = ['echo1', 'echo2', 'echo3', 'echo4'].map((k) => s.get<Record<string, unknown>>(k)!);
      });
    const run = await drive(simulation({ protocol: protocol().header('x-default', 'for #{user.name}'), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(failures(run)).toEqual([]);
    const [string, json, fn, form] = echoed as { method: string; query: Record<string, string>; headers: Record<string, string>; body: unknown }[];
    expect(string.method).toBe('POST');
    expect(string.query).toEqual({ id: '7', who: 'Ann' });
    expect(string.headers).toMatchObject({ authorization: 'Bearer t0k', 'x-fn': 'user-14', 'x-default': 'for Ann' });
    expect(string.body).toBe('id=7; name=Ann');
    expect(json.method).toBe('PUT');
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.body).toEqual({ id: 7, label: 'for Ann', nested: ['t0k', 3] });
    expect(fn.body).toEqual({ twice: 14 });
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form.body).toEqual({ username: 'Ann', id: '7', many: ['7', 'x'] });
  });

  it('a missing key fails the request without sending it, with the reason', async () => {
    const scn = scenario('missing').exec(http('Open requests').get('/requests').header('authorization', 'Bearer #{authToken}'));
    target.reset();
    const run = await drive(simulation({ protocol: protocol(), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(run.requests).toHaveLength(1);
    expect(run.requests[0]).toMatchObject({ name: 'Open requests', ok: false, failure: "no attribute named 'authToken' in the session" });
    expect(run.requests[0].status).toBeUndefined();
    expect(target.hits('GET /requests')).toBe(0);
  });
});

describe('cookies', () => {
  it('each virtual user has its own jar', async () => {
    const seen = new Map<number, Record<string, string>>();
    const scn = scenario('cookies')
      .exec(http('set').get((s) => `/cookies/set?user=u${s.userId}`))
      .exec(http('echo').get('/cookies').check(jsonPath('$.cookies').saveAs('cookies')))
      .exec((s) => {
        seen.set(s.userId, s.get('cookies')!);
      });
    await drive(simulation({ protocol: protocol(), scenarios: [scn.injectOpen(atOnceUsers(2))] }), { users: 2, concurrent: true });
    expect(seen.get(1)).toEqual({ user: 'u1' });
    expect(seen.get(2)).toEqual({ user: 'u2' });
  });

  it('honours Path and expiry, and a cookie is not sent to another host', async () => {
    const scn = scenario('cookie rules')
      .exec(http('set').get('/cookies/set?a=1&b=2'), http('scoped').get('/cookies/scoped'))
      .exec(http('root').get('/cookies').check(jsonPath('$.cookies').is({ a: '1', b: '2' })))
      .exec(http('scoped path').get('/cookies/only-here').check(jsonPath('$.cookies').is({ scoped: 'yes', a: '1', b: '2' })))
      .exec(http('expire').get('/cookies/expire?name=a'))
      .exec(http('after expiry').get('/cookies').check(jsonPath('$.cookies').is({ b: '2' })))
      .exec(http('other host').get(`${target.cdnUrl}/`));
    target.reset();
    const run = await drive(simulation({ protocol: protocol(), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(failures(run)).toEqual([]);
    // Same IP, other port: RFC 6265 cookies ignore ports, so the CDN on 127.0.0.1 gets them as a browser would send them.
    expect(target.log.at(-1)!.headers.cookie).toBe('b=2');
  });

  it('the jar matches Domain, subdomains and Secure like a browser', () => {
    const jar = createCookieJar();
    jar.store(new URL('http://shop.example.com/a/b'), ['wide=1; Domain=example.com; Path=/', 'host=2; Path=/', 'dir=3; Path=/a', 'deflt=4', 'other=5; Domain=evil.com', 'sec=6; Secure; Path=/']);
    expect(jar.headerFor(new URL('http://shop.example.com/a/x'))).toBe('dir=3; deflt=4; wide=1; host=2');
    expect(jar.headerFor(new URL('http://api.example.com/'))).toBe('wide=1');
    expect(jar.headerFor(new URL('https://shop.example.com/'))).toBe('wide=1; host=2; sec=6');
    expect(jar.headerFor(new URL('http://evil.com/'))).toBeUndefined();
    jar.store(new URL('http://shop.example.com/'), ['host=; Max-Age=0']);
    expect(jar.get('host')).toBeUndefined();
  });
});

describe('redirects', () => {
  it('are followed (one record, the final status) and keep cookies set on the way', async () => {
    const scn = scenario('redirects')
      .exec(http('chain').get('/redirect/chain/3').check(status().is(200)))
      .exec(http('to json').get('/redirect?to=/echo').check(jsonPath('$.method').is('GET')));
    target.reset();
    const run = await drive(simulation({ protocol: protocol(), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(run.requests.map((r) => [r.name, r.ok, r.status])).toEqual([
      ['chain', true, 200],
      ['to json', true, 200],
    ]);
    expect(target.hits('GET /redirect/chain/3') + target.hits('GET /redirect/chain/2') + target.hits('GET /redirect/chain/1')).toBe(3);
    expect(target.hits('GET /')).toBe(1);
  });

  it('can be turned off, per protocol or per request, and are capped', async () => {
    const scn = scenario('no redirects')
      .exec(http('raw').get('/redirect?to=/').check(status().is(302), header('location').is('/')))
      .exec(http('default check').get('/redirect?to=/'));
    const run = await drive(simulation({ protocol: protocol().disableFollowRedirect(), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(run.requests.map((r) => [r.ok, r.status])).toEqual([
      [true, 302],
      [false, 302],
    ]);
    const capped = scenario('capped').exec(http('loop').get('/redirect/chain/5'), http('per request').get('/redirect?to=/').disableFollowRedirect().check(status().is(302)));
    const cappedRun = await drive(simulation({ protocol: protocol().maxRedirects(2), scenarios: [capped.injectOpen(atOnceUsers(1))] }));
    expect(failures(cappedRun)).toEqual(['too many redirects (more than 2)']);
  });
});

describe('timeouts and errors', () => {
  it('a request that outlives the timeout is KO "timeout after N ms" and the user goes on', async () => {
    const scn = scenario('timeouts')
      .exec(http('slow').get('/slow?ms=1500'))
      .exec(http('per-request').get('/slow?ms=1500').timeout(100))
      .exec(http('trickle').get('/trickle?ms=1200'))
      .exec(http('fast').get('/'));
    const run = await drive(simulation({ protocol: protocol().timeout(200), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(run.requests.map((r) => [r.name, r.ok, r.failure])).toEqual([
      ['slow', false, 'timeout after 200 ms'],
      ['per-request', false, 'timeout after 100 ms'],
      // Headers came at once; the body did not finish in time.
      ['trickle', false, 'timeout after 200 ms'],
      ['fast', true, undefined],
    ]);
    expect(run.requests[0].end - run.requests[0].start).toBeGreaterThanOrEqual(199);
    expect(run.requests[0].end - run.requests[0].start).toBeLessThan(1400);
  });

  it('a stalled server shows in the record', async () => {
    const scn = scenario('stall').exec(http('stalled').get('/'));
    target.stallNext(300);
    const run = await drive(simulation({ protocol: protocol(), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(run.requests[0].ok).toBe(true);
    expect(run.requests[0].end - run.requests[0].start).toBeGreaterThanOrEqual(299);
  });

  it('a refused connection is KO with its error code, never a rejected runUser', async () => {
    const closed = await startTarget();
    const url = closed.url;
    await closed.close();
    const scn = scenario('refused').exec(http('nobody home').get(`${url}/`), http('bad url').get('http://[nope/'));
    const run = await drive(simulation({ protocol: protocol(), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(run.requests[0].failure).toMatch(/ECONNREFUSED/);
    expect(run.requests[1].failure).toBe("invalid URL 'http://[nope/' (base URL " + target.url + ')');
    expect(run.ended).toBe(1);
  });
});

describe('connection pools', () => {
  it('are shared by users and kept alive, and maxConnectionsPerHost caps them', async () => {
    const scn = scenario('pool').exec(http('slow').get('/slow?ms=100'));
    target.reset();
    await drive(simulation({ protocol: protocol().maxConnectionsPerHost(2), scenarios: [scn.injectOpen(atOnceUsers(6))] }), { users: 6, concurrent: true });
    expect(target.hits('GET /slow')).toBe(6);
    expect(target.peakInFlight()).toBe(2);
    target.reset();
    await drive(simulation({ protocol: protocol(), scenarios: [scn.injectOpen(atOnceUsers(6))] }), { users: 6, concurrent: true });
    expect(target.peakInFlight()).toBe(6);
  });
});
