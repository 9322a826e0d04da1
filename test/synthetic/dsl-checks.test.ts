/** Every check kind against real responses: what passes, what fails, and the reason it gives. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atOnceUsers,
  bodyString,
  css,
  header,
  headerRegex,
  http,
  httpProtocol,
  jsonPath,
  regex,
  responseTimeInMillis,
  scenario,
  simulation,
  status,
  type Check,
  type Session,
} from '../../synthetic/src/index.js';
import { drive, type Collected } from './dsl-driver.js';
import { startTarget, type Target } from './target.js';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

/** Runs one GET with these checks (plus a step that captures the session) and returns the record and the session. */
async function checkOnce(url: string, ...checks: Check[]): Promise<{ run: Collected; ok: boolean; failure?: string; session: Session }> {
  let session!: Session;
  const scn = scenario('checks')
    .exec(http('probe').get(url).check(...checks))
    .exec((s) => {
      session = s;
    });
  const run = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
  expect(run.requests).toHaveLength(1);
  return { run, ok: run.requests[0].ok, failure: run.requests[0].failure, session };
}

describe('status', () => {
  it('defaults to 2xx or 304 when no status check is given', async () => {
    expect((await checkOnce('/status/204')).ok).toBe(true);
    expect((await checkOnce('/status/304')).ok).toBe(true);
    const failed = await checkOnce('/status/500');
    expect(failed.failure).toBe('status.find.in(200-299, 304), but actually found 500');
    expect(failed.run.requests[0].status).toBe(500);
    expect(failed.session.isFailed()).toBe(true);
  });

  it('is / in replace the default, so an expected 404 passes', async () => {
    expect((await checkOnce('/status/404', status().is(404))).ok).toBe(true);
    expect((await checkOnce('/status/201', status().in(200, 201))).ok).toBe(true);
    expect((await checkOnce('/status/202', status().in(200, 201))).failure).toBe('status.find.in(200, 201), but actually found 202');
    expect((await checkOnce('/status/200', status().not(200))).failure).toBe('status.find.not(200), but actually found 200');
    expect((await checkOnce('/', status().saveAs('code'))).session.get('code')).toBe(200);
  });
});

describe('headers', () => {
  it('header exists / is / notExists / saveAs', async () => {
    const ok = await checkOnce('/page', header('Content-Type').is('text/html; charset=utf-8').saveAs('type'), header('x-missing').notExists());
    expect(ok.ok).toBe(true);
    expect(ok.session.get('type')).toBe('text/html; charset=utf-8');
    expect((await checkOnce('/page', header('x-missing').exists())).failure).toBe('header(x-missing).find.exists, found nothing');
    expect((await checkOnce('/page', header('content-type').is('text/plain'))).failure).toBe('header(content-type).find.is(text/plain), but actually found text/html; charset=utf-8');
  });

  it('headerRegex extracts the capture group from each value of a repeated header', async () => {
    const set = await checkOnce(
      '/cookies/set?a=1&b=22',
      headerRegex('set-cookie', '^(\\w+)=').findAll().is(['a', 'b']),
      headerRegex('set-cookie', /b=(\d+)/).saveAs('b'),
      headerRegex('set-cookie', 'Path=/').count().is(2),
      headerRegex('set-cookie', '^\\w+=\\d+').find(1).is('b=22'),
    );
    expect(set.failure).toBeUndefined();
    expect(set.session.get('b')).toBe('22');
    expect((await checkOnce('/cookies/set?a=1', headerRegex('set-cookie', 'auth=([^;]+)').saveAs('authToken'))).failure).toBe(
      'headerRegex(set-cookie, auth=([^;]+)).find.exists, found nothing',
    );
  });
});

describe('body', () => {
  it('regex on the body, with find(n), findAll, count', async () => {
    const page = await checkOnce(
      '/page',
      regex('data-id="(\\d+)"').findAll().saveAs('ids'),
      regex('data-id="(\\d+)"').find(2).is('3'),
      regex('<li ').count().is(3),
      regex('no such thing').notExists(),
    );
    expect(page.failure).toBeUndefined();
    expect(page.session.get('ids')).toEqual(['42', '1', '3', '5']);
    expect((await checkOnce('/page', regex('<li ').count().lt(2))).failure).toBe('regex(<li ).count.lt(2), but actually found 3');
    expect((await checkOnce('/page', regex('data-id="(\\d+)"').find(9))).failure).toBe('regex(data-id="(\\d+)").find(9).exists, found nothing');
  });

  it('jsonPath on JSON, with transform and saveAs; a non-JSON body is a readable failure', async () => {
    const json = await checkOnce(
      '/echo?x=1',
      jsonPath('$.method').is('GET'),
      jsonPath('$.query.x').transform(Number).is(1).saveAs('x'),
      jsonPath('$.headers.*').count().gte(2),
      jsonPath('$.nothing').notExists(),
    );
    expect(json.failure).toBeUndefined();
    expect(json.session.get('x')).toBe(1);
    expect((await checkOnce('/echo', jsonPath('$.token'))).failure).toBe('jsonPath($.token).find.exists, found nothing');
    expect((await checkOnce('/echo', jsonPath('$.method').in('POST', 'PUT'))).failure).toBe('jsonPath($.method).find.in(POST, PUT), but actually found GET');
    expect((await checkOnce('/page', jsonPath('$.x'))).failure).toMatch(/^jsonPath\(\$\.x\)\.find\.exists failed: the body is not JSON \(.+\)$/);
  });

  it('css selects text or an attribute from HTML', async () => {
    const html = await checkOnce(
      '/page',
      css('h1.title').is('Open requests'),
      css('li.item', 'data-id').findAll().is(['1', '3', '5']),
      css('h1', 'data-id').saveAs('headline'),
      css('li.item').count().is(3),
      css('table').notExists(),
    );
    expect(html.failure).toBeUndefined();
    expect(html.session.get('headline')).toBe('42');
    expect((await checkOnce('/page', css('li.item').find(1).is('Five'))).failure).toBe('css(li.item).find(1).is(Five), but actually found Three');
  });

  it('bodyString sees the whole body', async () => {
    expect((await checkOnce('/', bodyString().is('ok'))).ok).toBe(true);
  });
});

describe('response time', () => {
  it('passes under the limit and fails over it with the time it found', async () => {
    expect((await checkOnce('/slow?ms=10', responseTimeInMillis().gte(10), responseTimeInMillis().lte(30_000))).ok).toBe(true);
    const slow = await checkOnce('/slow?ms=150', responseTimeInMillis().lte(100));
    expect(slow.failure).toMatch(/^responseTimeInMillis\.find\.lte\(100\), but actually found \d+(\.\d+)?$/);
    expect(Number(slow.failure!.split('found ')[1])).toBeGreaterThanOrEqual(150);
  });
});

describe('order and saving', () => {
  it('the first failing check fails the request; values saved before it are kept, later ones are not evaluated', async () => {
    const result = await checkOnce('/echo', jsonPath('$.method').saveAs('method'), status().is(201), jsonPath('$.query').saveAs('query'));
    expect(result.failure).toBe('status.find.is(201), but actually found 200');
    expect(result.session.get('method')).toBe('GET');
    expect(result.session.contains('query')).toBe(false);
  });

  it('expected values may be templates or functions of the session', async () => {
    let session!: Session;
    const scn = scenario('templated expectations')
      .exec((s) => s.set('method', 'GET').set('want', 'echo'))
      .exec(http('probe').get('/echo').check(jsonPath('$.method').is('#{method}'), jsonPath('$.method').is((s: Session) => s.get('method'))))
      .exec(http('missing').get('/echo').check(jsonPath('$.method').is('#{nope}')))
      .exec((s) => {
        session = s;
      });
    const run = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    expect(run.requests.map((r) => r.failure)).toEqual([undefined, "jsonPath($.method).find.is(#{nope}) failed: no attribute named 'nope' in the session"]);
    expect(session.isFailed()).toBe(true);
  });
});
