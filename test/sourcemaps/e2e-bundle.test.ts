/**
 * Source maps end to end: the fixture TypeScript app built by rollup + terser and by esbuild
 * (minified, external maps), injected and uploaded with the CLI's code, served on a page with
 * the agent from a real collector, made to throw in headless Chromium and Firefox. The stored
 * error's top frames point at the original TypeScript file and line, with source context.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEvent } from '../../protocol/wire.js';
import { injectDirectory } from '../../sourcemaps/src/inject.js';
import { uploadDirectory } from '../../sourcemaps/src/upload.js';
import type { TestCollector } from '../support/test-collector.js';
import { dsnFor, html, serve, startCollectorWithFreshAgent, storedEvents, until, type StoredEvent, useBrowser } from '../agent/e2e-helpers.js';
import { buildWithEsbuild, buildWithRollup, lineOf, tempDir } from './build-fixture.js';

const RELEASE = 'shop@2.1.0';
const BUILDS = ['rollup', 'esbuild'] as const;
/**
 * Where each build is uploaded to: rollup's under the path the page loads it from; esbuild's
 * as if for a CDN the page does not use, so that only the debug ID can lead to its map.
 */
const URL_PREFIX = { rollup: '~/static/rollup/', esbuild: 'https://cdn.example.com/assets/' };

let collector: TestCollector;
let pages: Awaited<ReturnType<typeof serve>>;
let dir: string;
/** Debug ID of each build's bundle, as inject wrote it. */
const ids: Record<string, string> = {};
const uploadLines: string[] = [];

/** A stored frame after symbolication (GET /api/:id/events → symbolicated_frames). */
interface SymbolicatedFrame {
  status: string;
  reason?: string;
  function: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  context?: { pre: string[]; line: string; post: string[] };
  minified: { file?: string; line?: number; column?: number };
}
type StoredError = ErrorEvent & StoredEvent & { symbolicated_frames?: SymbolicatedFrame[] };

beforeAll(async () => {
  collector = await startCollectorWithFreshAgent();
  dir = await tempDir('e2e-sourcemaps');
  await buildWithRollup(join(dir, 'static/rollup'), { fileName: 'app.js' });
  await buildWithEsbuild(join(dir, 'static/esbuild'), { fileName: 'app.js' });
  for (const result of await injectDirectory(dir, () => {})) {
    if (result.status !== 'injected') throw new Error(`inject: ${JSON.stringify(result)}`);
    ids[result.file.includes('/rollup/') ? 'rollup' : 'esbuild'] = result.debugId;
  }
  for (const build of BUILDS) {
    const upload = await uploadDirectory(join(dir, 'static', build), {
      url: collector.url,
      project: 1,
      token: collector.config.adminToken!,
      release: RELEASE,
      urlPrefix: URL_PREFIX[build],
      print: (line) => uploadLines.push(line),
    });
    if (upload.exitCode) throw new Error(`upload failed:\n${uploadLines.join('\n')}`);
  }

  pages = await serve(async (_req, res, url) => {
    const build = url.pathname.slice(1);
    if ((BUILDS as readonly string[]).includes(build)) {
      return html(
        res,
        `<!doctype html><html><head><meta charset="utf-8">` +
          `<script src="${collector.url}/lookout.js" crossorigin="anonymous"></script>` +
          `<script>Lookout.init({ dsn: '${dsnFor(collector.url, collector.ingestKey)}', release: '${RELEASE}' }); Lookout.setTag('build', '${build}');</script>` +
          // A query string, as cache-busting deploys add: the debug ID still finds the map.
          `<script src="/static/${build}/app.js?v=7"></script></head><body><p>shop</p></body></html>`,
      );
    }
    const body = await readFile(join(dir, url.pathname)).catch(() => null);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': url.pathname.endsWith('.map') ? 'application/json' : 'text/javascript' }).end(body);
  });
}, 120_000);

afterAll(async () => {
  await pages?.close();
  await collector?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('uploads each bundle linked to its map', () => {
  for (const build of BUILDS) {
    expect(uploadLines).toContain(`uploaded ${URL_PREFIX[build]}app.js  debug ID ${ids[build]}  → map ${URL_PREFIX[build]}app.js.map`);
  }
});

for (const browser of ['Chromium', 'Firefox'] as const) {
  describe(`in ${browser}`, () => {
    const browserSession = useBrowser(browser);

    for (const build of BUILDS) {
      it(`maps the ${build} bundle's error to the TypeScript source`, { timeout: 40_000 }, async () => {
        const tab = await browserSession.driver.newTab();
        await tab.goto(`${pages.origin}/${build}`);
        const run = `${browser}-${build}`;
        await tab.evaluate(`Lookout.setTag('run', '${run}'); setTimeout(function () { fixtureApp.checkout(); })`);
        const error = await until(
          async () => {
            await tab.evaluate('Lookout.flush()');
            return (await storedEvents(collector)).find((e): e is StoredError => e.kind == 'error' && e.tags?.run == run);
          },
          `the ${build} error from ${browser}`,
          15_000,
        );
        const bundleUrl = `${pages.origin}/static/${build}/app.js?v=7`;
        expect(error).toMatchObject({ type: 'TypeError', message: 'no price for cake', release: RELEASE });
        expect(error.frames![0].file).toBe(bundleUrl);

        const frames = error.symbolicated_frames;
        expect(frames, JSON.stringify(error)).toBeDefined();
        const [top, caller] = frames!;
        expect(top, JSON.stringify(top)).toMatchObject({ status: 'mapped', function: 'priceOf', line: await lineOf('prices.ts', 'THROWS HERE') });
        expect(top.file).toMatch(/fixtures\/app\/prices\.ts$/);
        expect(top.context!.line).toContain('throw new TypeError(`no price for ${sku}`);');
        expect(top.context!.pre.at(-1)).toContain('if (price === undefined) {');
        expect(top.minified).toMatchObject({ file: bundleUrl, line: 1 });

        expect(caller, JSON.stringify(caller)).toMatchObject({ status: 'mapped', line: await lineOf('cart.ts', 'CALLS priceOf') });
        expect(caller.file).toMatch(/fixtures\/app\/cart\.ts$/);
        expect(caller.context!.line).toContain('total += priceOf(item.sku) * item.quantity;');
      });
    }
  });
}
