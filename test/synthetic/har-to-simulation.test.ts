/**
 * `lookout load from-har`: the fixture recording (Chromium's HAR export of a log-in, a JSON API
 * and a form post, with its page's scripts, styles, fonts and images) becomes a simulation that
 * keeps the headers that matter, the bodies, the think time as pauses and a check of each
 * recorded status; it type-checks against the DSL, and `lookout load run` replays it against a
 * local target serving what was recorded, which receives the same requests.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommand } from '../../synthetic/src/cli.js';
import type { RunSummary } from '../../synthetic/src/contract.js';
import { harToSimulation } from '../../synthetic/src/har/index.js';

const HAR = await readFile(new URL('./fixtures/recording.har', import.meta.url), 'utf8');
const ORIGIN = 'https://shop.example.test';
const BEARER = 'Bearer eyJhbGciOiJIUzI1NiJ9.alice.sig';
const recordedComment = JSON.parse(JSON.parse(HAR).log.entries.find((e: { request: { url: string } }) => e.request.url.endsWith('/comments')).request.postData.text);

let work: string;
beforeAll(async () => {
  // Inside the repository, so that `lookout/load` and tsc find the DSL and its dependencies.
  await mkdir(resolve('test-results'), { recursive: true });
  work = await mkdtemp(join(resolve('test-results'), 'har-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

/** The generated chain's calls, in order: `exec GET /`, `pause 3.4`… */
const outline = (source: string) =>
  [...source.matchAll(/^ {2}\.(exec|pause)\((.*)$|^ {6}\.(get|post|put|delete)\('([^']*)'\)$/gm)]
    .map((m) => (m[1] === 'pause' ? `pause ${m[2].replace(/\)$/, '')}` : m[3] ? `${m[3].toUpperCase()} ${m[4]}` : undefined))
    .filter(Boolean);

describe('HAR → simulation', () => {
  const source = harToSimulation(HAR, { source: 'recording.har' });

  it('keeps each request in order with the user\'s pauses, and lists the skipped resources', () => {
    expect(outline(source)).toEqual([
      'GET /',
      'GET /api/session',
      'pause 3.4',
      'POST /login',
      'GET /requests',
      'GET /api/requests?status=open&limit=50',
      'pause 5.2',
      'GET /api/requests/17',
      'pause 8.8',
      'POST /api/requests/17/comments',
      // 55 ms after the POST ended: no pause.
      'PUT /api/requests/17',
      'DELETE /api/requests/17/draft',
      // 3.1 s from the DELETE's end: the WebSocket in between is not think time.
      'pause 3.1',
      'GET /requests',
      // From the GET's end; the cancelled request in between is not something the user waited for.
      'pause 3.3',
      'POST /logout',
    ]);
    expect(source).toContain(".baseUrl('https://shop.example.test')");
    expect(source).toMatch(/Skipped 7 static resources \(images, fonts, stylesheets, scripts: `lookout load from-har --include-resources` keeps them/);
    for (const url of ['/static/app.3f9a1c.js', '/static/app.77b2.css', 'inter/v13/UcC73FwrK3iLTeHuS_fvQtMwCp50KnMa1ZL7.woff2', '/img/logo.svg', 'https://cdn.example.test/img/hero@2x.jpg', '/favicon.ico']) {
      expect(source).toMatch(new RegExp(`^//   GET \\S*${url.replace(/[.?*+^$()[\]\\/]/g, '\\$&')}$`, 'm'));
    }
    expect(source).toContain('// Skipped 1 WebSocket:\n//   GET wss://shop.example.test/live');
    expect(source).toContain('// Skipped 1 request without a response (cancelled or blocked in the browser):\n//   GET https://shop.example.test/api/telemetry');
    expect(source).toContain("scenario('Requests — Example Shop')");
    expect(source).toContain('scenarios: [recorded.injectOpen(atOnceUsers(1))]');
  });

  it('keeps the headers that matter: shared ones on the protocol, no cookies, pseudo-headers or client-set ones', () => {
    const protocol = source.slice(source.indexOf('const protocol'), source.indexOf('const recorded'));
    expect(protocol).toContain("'accept-language': 'en-GB,en;q=0.9,de;q=0.8',");
    expect(protocol).toContain("'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)");
    for (const dropped of ["':authority'", "':method'", "':path'", "'cookie'", "'content-length'", "'host'", "'connection'", "'accept-encoding'", "'sec-ch-ua", "'sec-fetch-", "'priority'", "'if-none-match'"]) {
      expect(source, dropped).not.toContain(`${dropped}`);
    }
    expect(source).toContain(`'authorization': '${BEARER}',`);
    expect(source).toContain("'x-csrf-token': 'c5f1e0a2',");
    // The charset variant of JSON is kept; plain application/json and form types are what the bodies set.
    expect(source).toContain("'content-type': 'application/json;charset=UTF-8',");
    expect(source.match(/'content-type'/g)).toHaveLength(1);
  });

  it('turns bodies into FormBody and JsonBody, checks the recorded statuses, replays redirects as recorded', () => {
    expect(source).toContain("username: 'alice@example.test',\n        password: 's3cret!',\n        remember: 'on',\n        next: '/requests',");
    expect(source).toContain("tag: ['a', 'b'],");
    expect(source).toContain('.body(JsonBody({\n        "status": "approved",\n        "priority": 2\n      }))');
    // Recorded "#{…}" is text, not a session lookup.
    expect(source).toContain('.body(JsonBody(() => ({\n        "text": "Looks good — ship it #{not-a-template} \'quoted\'",');
    expect(source.match(/\.check\(status\(\)\.is\((\d+)\)\)/g)!.map((check) => Number(check.match(/\d+/)![0]))).toEqual([200, 200, 302, 200, 200, 200, 201, 200, 204, 302]);
    expect(source).toContain('.check(status().in(200, 304))');
    expect(source.match(/\.disableFollowRedirect\(\)/g)).toHaveLength(2);
  });

  it('keeps static resources as requests when asked, other origins as absolute URLs', () => {
    const all = harToSimulation(HAR, { includeResources: true });
    const calls = outline(all);
    expect(calls.filter((call) => !call!.startsWith('pause'))).toHaveLength(11 + 7);
    expect(calls).toContain('GET https://cdn.example.test/img/hero@2x.jpg');
    expect(calls).toContain('GET /static/app.77b2.css');
    expect(all).not.toContain('Skipped 7 static');
  });

  it('escapes what a recording may carry into string literals and templates', () => {
    const har = JSON.parse(HAR);
    const entry = har.log.entries[0];
    // A fragment is never sent: `#{x}` there is dropped with it.
    entry.request.url = `${ORIGIN}/o'neil/search?q=a%20b#{x}`;
    entry.request.headers.push({ name: 'x-note', value: "line\nbreak 'quote' \\ #{user}" });
    const generated = harToSimulation(JSON.stringify(har));
    expect(generated).toContain(".get('/o\\'neil/search?q=a%20b')");
    expect(generated).toContain("'x-note': 'line\\nbreak \\'quote\\' \\\\ \\\\#{user}',");
  });

  it('says what is wrong with a file that is not a usable HAR', () => {
    expect(() => harToSimulation('<html>')).toThrow(/not a HAR file/);
    expect(() => harToSimulation('{"log": {}}')).toThrow(/no log.entries array/);
    const onlyStatic = JSON.parse(HAR);
    onlyStatic.log.entries = onlyStatic.log.entries.filter((e: { _resourceType: string }) => ['script', 'stylesheet', 'image', 'font'].includes(e._resourceType));
    expect(() => harToSimulation(JSON.stringify(onlyStatic))).toThrow(/none left to replay \(6 skipped: static resource\); include static resources/);
  });

  it('type-checks against the DSL', async () => {
    const dir = join(work, 'typecheck');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'recorded.ts'), source);
    await writeFile(join(dir, 'with-resources.ts'), harToSimulation(HAR, { includeResources: true }));
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: resolve('tsconfig.json'),
        compilerOptions: { noEmit: true, paths: { 'lookout/load': [resolve('synthetic/src/index.ts')] } },
        include: ['*.ts'],
      }),
    );
    const run = await promisify(execFile)(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch((error) => error);
    expect(`${run.stdout ?? ''}${run.stderr ?? ''}`).toBe('');
  }, 60_000);

  it('replays against a target serving what was recorded: the same requests, bodies and headers arrive', async () => {
    const received: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: unknown }[] = [];
    const target: FastifyInstance = Fastify();
    target.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries([...new URLSearchParams(body as string)].map(([k], _i, all) => [k, all.filter(([n]) => n === k).map(([, v]) => v)]))));
    target.addHook('onRequest', async (request) => void received.push({ method: request.method, url: request.url, headers: request.headers, body: undefined }));
    target.addHook('preHandler', async (request) => void (received[received.length - 1].body = request.body));
    target.get('/', async (_request, reply) => reply.type('text/html').send('<html><body>Shop</body></html>'));
    target.get('/api/session', async () => ({ user: null }));
    target.post('/login', async (_request, reply) => reply.code(302).header('location', '/requests').header('set-cookie', 'session=9f8e7d; Path=/; HttpOnly').send());
    target.get('/requests', async (_request, reply) => reply.type('text/html').send('<html>requests</html>'));
    target.get('/api/requests', async () => ({ items: [{ id: 17 }] }));
    target.get('/api/requests/17', async () => ({ id: 17 }));
    target.post('/api/requests/17/comments', async (_request, reply) => reply.code(201).send({ id: 1 }));
    target.put('/api/requests/17', async () => ({ id: 17 }));
    target.delete('/api/requests/17/draft', async (_request, reply) => reply.code(204).send());
    target.post('/logout', async (_request, reply) => reply.code(302).header('location', '/').send());
    const base = await target.listen({ port: 0, host: '127.0.0.1' });
    try {
      // The same recording made against the local target, 20 times faster (pauses of ~0.2 s).
      const har = JSON.parse(HAR.replaceAll(ORIGIN, base));
      const t0 = Date.parse(har.log.entries[0].startedDateTime);
      for (const entry of har.log.entries) entry.startedDateTime = new Date(t0 + (Date.parse(entry.startedDateTime) - t0) / 20).toISOString();
      const file = join(work, 'replay.ts');
      await writeFile(file, harToSimulation(JSON.stringify(har)));
      const reportDir = join(work, 'replay-report');
      const out: string[] = [];
      const code = await loadCommand(['run', file, '--report-dir', reportDir, '--quiet'], { out: (text) => out.push(text), err: (text) => out.push(text) });
      expect(code, out.join('\n')).toBe(0);

      expect(received.map((r) => `${r.method} ${r.url}`)).toEqual([
        'GET /',
        'GET /api/session',
        'POST /login',
        'GET /requests',
        'GET /api/requests?status=open&limit=50',
        'GET /api/requests/17',
        'POST /api/requests/17/comments',
        'PUT /api/requests/17',
        'DELETE /api/requests/17/draft',
        'GET /requests',
        'POST /logout',
      ]);
      const [home, , login, , list, , comment, put] = received;
      expect(home.headers['user-agent']).toMatch(/^Mozilla\/5\.0 \(X11; Linux x86_64\)/);
      expect(home.headers['accept-language']).toBe('en-GB,en;q=0.9,de;q=0.8');
      expect(home.headers.cookie).toBeUndefined();
      expect(home.headers['sec-ch-ua']).toBeUndefined();
      expect(login.body).toEqual({ username: ['alice@example.test'], password: ['s3cret!'], remember: ['on'], next: ['/requests'] });
      expect(login.headers['content-type']).toBe('application/x-www-form-urlencoded');
      // The recorded cookie is not replayed; the one the target set is.
      expect(list.headers.cookie).toBe('session=9f8e7d');
      expect(list.headers.authorization).toBe(BEARER);
      expect(comment.body).toEqual(recordedComment);
      expect(comment.headers['content-type']).toBe('application/json');
      expect(put.body).toEqual({ status: 'approved', priority: 2 });
      expect(received.at(-1)!.body).toEqual({ csrf: ['c5f1e0a2'], tag: ['a', 'b'] });

      const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as RunSummary;
      expect(summary.global).toMatchObject({ count: 11, ko: 0 });
      expect(await readdir(reportDir)).toEqual(expect.arrayContaining(['index.html', 'summary.json', 'junit.xml']));
    } finally {
      await target.close();
    }
  });
});
