/**
 * `lookout sourcemaps upload` against a real collector: names, batching (a bundle with its
 * map), what each line says, rejected files, wrong tokens and URLs, a collector that is not
 * there, and the built CLI as users run it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../collector/src/paths.js';
import { sourcemapsCommand } from '../../sourcemaps/src/cli.js';
import { injectDirectory } from '../../sourcemaps/src/inject.js';
import { uploadDirectory, type UploadOptions } from '../../sourcemaps/src/upload.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { buildWithEsbuild, buildWithRollup, useTempDirs } from './build-fixture.js';

let collector: TestCollector;
/** static/js/app.js (rollup + terser, with sources content) and static/js/vendor.js (esbuild, without), injected. */
let build: string;
let ids: Record<string, string>;
const fresh = useTempDirs();

beforeAll(async () => {
  collector = await startTestCollector();
  build = await fresh('upload');
  await buildWithRollup(join(build, 'static/js'), { fileName: 'app.js' });
  await buildWithEsbuild(join(build, 'static/js'), { fileName: 'vendor.js', sourcesContent: false });
  const results = await injectDirectory(build, () => {});
  ids = Object.fromEntries(results.map((r) => [r.file.slice(build.length + 1), r.status === 'injected' ? r.debugId : '']));
}, 120_000);

afterAll(async () => {
  await collector?.stop();
});

const options = (release: string, more: Partial<UploadOptions> = {}) => {
  const lines: string[] = [];
  return { lines, options: { url: collector.url, project: 1, token: 'test-admin-token', release, print: (line: string) => lines.push(line), ...more } };
};

/** What the collector lists for a release, by name. */
async function listed(release: string): Promise<Record<string, any>> {
  const { artifacts } = await collector.api(`/api/1/releases/${encodeURIComponent(release)}/artifacts`);
  return Object.fromEntries(artifacts.map((a: any) => [a.name, a]));
}

/** A TCP port nobody listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('uploading a build folder', () => {
  it('stores every file under ~/ + its path, each bundle linked to its map by debug ID', async () => {
    const { lines, options: opts } = options('shop@1.0.0');
    const result = await uploadDirectory(build, opts);
    expect(result.exitCode, lines.join('\n')).toBe(0);
    expect(lines).toEqual([
      `uploaded ~/static/js/app.js.map  debug ID ${ids['static/js/app.js']}  (3 sources, sources content: yes)`,
      `uploaded ~/static/js/app.js  debug ID ${ids['static/js/app.js']}  → map ~/static/js/app.js.map`,
      `uploaded ~/static/js/vendor.js.map  debug ID ${ids['static/js/vendor.js']}  (3 sources, sources content: no — without it there is no code context)`,
      `uploaded ~/static/js/vendor.js  debug ID ${ids['static/js/vendor.js']}  → map ~/static/js/vendor.js.map`,
      '4 of 4 files stored in release shop@1.0.0 of project 1 (2 sources, 2 maps)',
    ]);
    const stored = await listed('shop@1.0.0');
    expect(Object.keys(stored).sort()).toEqual(['~/static/js/app.js', '~/static/js/app.js.map', '~/static/js/vendor.js', '~/static/js/vendor.js.map']);
    expect(stored['~/static/js/app.js']).toMatchObject({ kind: 'source', debug_id: ids['static/js/app.js'], map: '~/static/js/app.js.map' });
  });

  it('names files by a full URL prefix, and by a path prefix', async () => {
    const cdn = options('cdn@1', { urlPrefix: 'https://cdn.example.com/assets' });
    expect((await uploadDirectory(build, cdn.options)).exitCode, cdn.lines.join('\n')).toBe(0);
    expect(Object.keys(await listed('cdn@1')).sort()).toEqual([
      'https://cdn.example.com/assets/static/js/app.js',
      'https://cdn.example.com/assets/static/js/app.js.map',
      'https://cdn.example.com/assets/static/js/vendor.js',
      'https://cdn.example.com/assets/static/js/vendor.js.map',
    ]);
    const sub = options('sub@1', { urlPrefix: '~/shop/' });
    expect((await uploadDirectory(join(build, 'static'), sub.options)).exitCode).toBe(0);
    expect(sub.lines[1]).toBe(`uploaded ~/shop/js/app.js  debug ID ${ids['static/js/app.js']}  → map ~/shop/js/app.js.map`);
  });

  it('sends a bundle with its map, map first, when the files are spread over several requests', async () => {
    const dir = await fresh('batches');
    for (const name of ['a', 'b', 'c']) await buildWithEsbuild(dir, { fileName: `${name}.js` });
    await injectDirectory(dir, () => {});
    const requests: number[] = [];
    const counting = options('batches@1', { limits: { files: 2, bytes: 50 * 1024 * 1024 } });
    const send = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      requests.push([...(init!.body as FormData).getAll('file')].length);
      return send(input, init);
    };
    try {
      expect((await uploadDirectory(dir, counting.options)).exitCode).toBe(0);
    } finally {
      globalThis.fetch = send;
    }
    expect(requests).toEqual([2, 2, 2]);
    expect(counting.lines.filter((line) => line.includes('→ map'))).toHaveLength(3);
  });

  it('a map the collector refuses is REJECTED, the others are stored, exit 1', async () => {
    const dir = await fresh('rejected');
    await buildWithEsbuild(dir, { fileName: 'good.js' });
    await injectDirectory(dir, () => {});
    await writeFile(join(dir, 'bad.js.map'), '{"version":3,"sources":["a.ts"],"mappings":');
    const { lines, options: opts } = options('rejected@1');
    const result = await uploadDirectory(dir, opts);
    expect(result.exitCode).toBe(1);
    expect(result.rejected).toEqual([{ name: '~/bad.js.map', reason: expect.any(String) }]);
    expect(lines).toContain(`REJECTED ~/bad.js.map: ${result.rejected[0].reason}`);
    expect(lines.at(-1)).toBe('2 of 3 files stored in release rejected@1 of project 1 (1 source, 1 map); 1 rejected: fix what the lines above say, then upload again');
    expect(Object.keys(await listed('rejected@1'))).toEqual(expect.arrayContaining(['~/good.js', '~/good.js.map']));
  });

  it('says when a bundle matched no map, and when the folder has no maps at all', async () => {
    const dir = await fresh('no-maps');
    await writeFile(join(dir, 'plain.js'), 'console.log(1)\n//# sourceMappingURL=plain.js.map\n');
    const { lines, options: opts } = options('nomaps@1');
    expect((await uploadDirectory(dir, opts)).exitCode).toBe(0);
    expect(lines[0]).toMatch(/^warning: no \.map files under .*: errors will show minified code/);
    expect(lines[1]).toBe(
      'uploaded ~/plain.js  no debug ID  → NO MAP matched (no map in release nomaps@1 is at its sourceMappingURL plain.js.map: upload that map, or run lookout sourcemaps inject first)',
    );
  });
});

describe('when the upload cannot happen', () => {
  it('a wrong token: the collector says why, nothing more is sent, exit 1', async () => {
    const { lines, options: opts } = options('denied@1', { token: 'not-a-token' });
    const result = await uploadDirectory(build, opts);
    expect(result.exitCode).toBe(1);
    expect(lines[0]).toMatch(/^upload failed: HTTP 401: .+ \(check --token \(LOOKOUT_TOKEN\): the admin token or a token of this project\)$/);
    expect(lines.at(-1)).toBe('0 of 4 files stored in release denied@1 of project 1; 4 not uploaded: fix what the lines above say, then upload again');
  });

  it("another project's token: 403", async () => {
    const created = await fetch(`${collector.url}/api/projects`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'other' }),
    }).then((r) => r.json());
    const { lines, options: opts } = options('forbidden@1', { token: created.token });
    expect((await uploadDirectory(build, opts)).exitCode).toBe(1);
    expect(lines[0]).toMatch(/^upload failed: HTTP 403: .+ \(the token has no access to project 1: use that project's token or the admin token\)$/);
  });

  it('a URL that is not the collector: 404', async () => {
    const { lines, options: opts } = options('x@1', { url: `${collector.url}/lookout` });
    expect((await uploadDirectory(build, opts)).exitCode).toBe(1);
    expect(lines[0]).toMatch(/^upload failed: HTTP 404: .+ \(check --project \(LOOKOUT_PROJECT\) and --url \(LOOKOUT_URL\)\)$/);
  });

  it('no collector at the URL: says so, exit 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { lines, options: opts } = options('x@1', { url });
    expect((await uploadDirectory(build, opts)).exitCode).toBe(1);
    expect(lines).toEqual([
      `upload failed: could not reach the collector at ${url} (ECONNREFUSED): check --url (LOOKOUT_URL) and that the collector is running`,
      '0 of 4 files stored in release x@1 of project 1; 4 not uploaded: fix what the lines above say, then upload again',
    ]);
  });
});

describe('the command line', () => {
  const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await sourcemapsCommand(argv, env, (l) => out.push(l), (l) => err.push(l));
    return { code, out, err };
  };

  it('reads flags from the environment; wrong or missing ones are one line and exit 2', async () => {
    const env = { LOOKOUT_URL: collector.url, LOOKOUT_PROJECT: '1', LOOKOUT_TOKEN: 'test-admin-token', LOOKOUT_RELEASE: 'env@1' };
    const ok = await run(['upload', build], env);
    expect(ok.code, ok.out.join('\n') + ok.err.join('\n')).toBe(0);
    expect(ok.out.at(-1)).toBe('4 of 4 files stored in release env@1 of project 1 (2 sources, 2 maps)');

    expect(await run(['upload', '--dist', 'x', build], env)).toEqual({
      code: 2,
      out: [],
      err: ['lookout sourcemaps upload: unknown flag --dist (flags: --url, --project, --token, --release, --url-prefix)'],
    });
    expect((await run(['upload', build], { ...env, LOOKOUT_TOKEN: '' })).err).toEqual(['lookout sourcemaps upload: --token is missing (or set LOOKOUT_TOKEN)']);
    expect((await run(['upload', '--project', 'shop', build], env)).err).toEqual(['lookout sourcemaps upload: --project "shop" must be a project id, a number such as 1']);
    expect((await run(['upload', '--url-prefix', '/static/', build], env)).err[0]).toMatch(/^lookout sourcemaps upload: --url-prefix "\/static\/" must be ~\/ plus a path/);
    expect((await run(['upload', '--release'], env)).err).toEqual(['lookout sourcemaps upload: --release needs a value']);
  });

  it('as users run it: bin/lookout.js sourcemaps upload (built by npm run build)', async () => {
    const bin = resolve(packageRoot, 'bin/lookout.js');
    if (!existsSync(resolve(packageRoot, 'dist/sourcemaps/src/cli.js'))) throw new Error('dist/sourcemaps/src/cli.js is missing: run npm run build first (npm test does)');
    const child = spawn(process.execPath, [bin, 'sourcemaps', 'upload', '--url', collector.url, '--project', '1', '--release', 'bin@1', build], {
      env: { ...process.env, LOOKOUT_TOKEN: 'test-admin-token' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const code = await new Promise((done) => child.on('exit', done));
    expect(code, out).toBe(0);
    expect(out).toContain(`uploaded ~/static/js/app.js  debug ID ${ids['static/js/app.js']}  → map ~/static/js/app.js.map\n`);
    expect(out.trimEnd().split('\n').at(-1)).toBe('4 of 4 files stored in release bin@1 of project 1 (2 sources, 2 maps)');
  });
});
