/**
 * The registration `inject` appends, in real browsers: a classic script (query string and all)
 * and a module script each register their debug ID under the URL the page loaded them from,
 * which is the URL their errors' stacks carry (what the agent looks the ID up by).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBUG_IDS_GLOBAL } from '../../protocol/debug-id.js';
import { injectDirectory } from '../../sourcemaps/src/inject.js';
import { html, serve, until, useBrowser } from '../agent/e2e-helpers.js';
import { buildWithEsbuild, buildWithRollup, tempDir } from './build-fixture.js';

let dir: string;
let ids: Record<string, string>;
let pages: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  dir = await tempDir('registration');
  await buildWithRollup(join(dir, 'static'), { fileName: 'app.js' });
  await buildWithEsbuild(join(dir, 'static'), { fileName: 'app.mjs', format: 'esm' });
  const results = await injectDirectory(dir, () => {});
  ids = Object.fromEntries(results.map((r) => [r.file.slice(dir.length), r.status === 'injected' ? r.debugId : r.status]));
  pages = await serve(async (_req, res, url) => {
    if (url.pathname === '/') {
      return html(res, '<!doctype html><script src="/static/app.js?v=3"></script><script type="module" src="/static/app.mjs"></script>');
    }
    const body = await readFile(join(dir, url.pathname)).catch(() => null);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
  });
}, 60_000);

afterAll(async () => {
  await pages?.close();
  await rm(dir, { recursive: true, force: true });
});

for (const name of ['Chromium', 'Firefox'] as const) {
  describe(`in ${name}`, () => {
    const browserSession = useBrowser(name);

    it('registers each bundle under the URL it was loaded from, as its stack frames name it', async () => {
      const tab = await browserSession.driver.newTab();
      await tab.goto(`${pages.origin}/`);
      const registered = await until(
        async () => {
          const found = await tab.evaluate<Record<string, string> | null>(`globalThis.${DEBUG_IDS_GLOBAL} || null`);
          return found && Object.keys(found).length == 2 && found;
        },
        'both bundles registered',
      );
      expect(registered).toEqual({
        [`${pages.origin}/static/app.js?v=3`]: ids['/static/app.js'],
        [`${pages.origin}/static/app.mjs`]: ids['/static/app.mjs'],
      });
      const stack = await tab.evaluate<string>('(function () { try { fixtureApp.checkout(); } catch (e) { return e.message + "\\n" + e.stack; } })()');
      expect(stack).toContain('no price for cake');
      // The last script to run set fixtureApp: the module. Its frames carry the registered URL.
      expect(stack).toContain(`${pages.origin}/static/app.mjs:`);
    });
  });
}
