/**
 * The source-map tools as an app's CI gets them: `npm install` of the tarball a real collector
 * serves at /tools/lookout-sourcemaps.tgz into an empty project (no registry needed: it has no
 * dependencies), then its `lookout-sourcemaps` bin injects and uploads a real build to that
 * collector, and its `rollup` entry loads. Needs `npm run build` (npm test runs it first).
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEBUG_ID_COMMENT } from '../../protocol/debug-id.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { buildWithEsbuild, useTempDirs } from './build-fixture.js';

const run = promisify(execFile);
const fresh = useTempDirs();
let collector: TestCollector;
let app: string;

beforeAll(async () => {
  collector = await startTestCollector();
  app = await fresh('tool-package');
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--save-dev', `${collector.url}/tools/lookout-sourcemaps.tgz`], { cwd: app });
}, 120_000);
afterAll(() => collector?.stop());

it('installs from the collector with nothing else, and records where it came from', async () => {
  const manifest = JSON.parse(await readFile(join(app, 'package.json'), 'utf8'));
  expect(manifest.devDependencies['@lookout/sourcemaps']).toBe(`${collector.url}/tools/lookout-sourcemaps.tgz`);
  const installed = JSON.parse(await readFile(join(app, 'node_modules/@lookout/sourcemaps/package.json'), 'utf8'));
  expect(installed.dependencies ?? {}).toEqual({});
});

it('its bin injects debug IDs into a build and uploads it, saying which map each bundle gets', async () => {
  const dist = join(app, 'dist/static/js');
  await buildWithEsbuild(dist);
  const inject = await run('npx', ['lookout-sourcemaps', 'inject', 'dist'], { cwd: app });
  expect(inject.stdout).toMatch(/injected [0-9a-f-]{36} .*app\.js/);
  expect(await readFile(join(dist, 'app.js'), 'utf8')).toContain(DEBUG_ID_COMMENT);

  const upload = await run('npx', ['lookout-sourcemaps', 'upload', '--url', collector.url, '--project', '1', '--release', 'shop@1.0.0', 'dist'], {
    cwd: app,
    env: { ...process.env, LOOKOUT_TOKEN: collector.config.adminToken },
  });
  expect(upload.stdout).toMatch(/uploaded ~\/static\/js\/app\.js .*→ map ~\/static\/js\/app\.js\.map/);
  const { artifacts } = await collector.api('/api/1/releases/shop@1.0.0/artifacts');
  expect(artifacts.map((a: { name: string }) => a.name)).toEqual(['~/static/js/app.js', '~/static/js/app.js.map']);
});

it('its rollup entry is the plugin', async () => {
  const plugin = await import(join(app, 'node_modules/@lookout/sourcemaps/rollup.js'));
  expect(plugin.lookoutSourceMaps({ upload: false }).name).toMatch(/lookout/);
});
