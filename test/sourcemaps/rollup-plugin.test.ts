/**
 * The rollup plugin (`@lookout/sourcemaps/rollup`) in real builds of the fixture app, uploading to a real
 * collector: rollup 4, and Vite (8, on rolldown), whose build calls the same writeBundle hook.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RollupLog } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookoutSourceMaps, type LookoutSourceMapsOptions } from '../../sourcemaps/src/rollup-plugin.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { buildWithRollup, FIXTURE_APP, useTempDirs } from './build-fixture.js';

let collector: TestCollector;
const fresh = useTempDirs();

beforeAll(async () => {
  collector = await startTestCollector();
}, 120_000);

afterAll(async () => {
  await collector?.stop();
});

const listed = async (release: string): Promise<Record<string, any>> => {
  const { artifacts } = await collector.api(`/api/1/releases/${encodeURIComponent(release)}/artifacts`);
  return Object.fromEntries(artifacts.map((a: any) => [a.name, a]));
};

/** The plugin's options for the test collector, its lines collected in `lines`. */
function pluginFor(release: string, more: LookoutSourceMapsOptions = {}) {
  const lines: string[] = [];
  const plugin = lookoutSourceMaps({ url: collector.url, project: 1, token: 'test-admin-token', release, log: (line) => lines.push(line), ...more });
  return { plugin, lines };
}

describe('in rollup', () => {
  it('injects the emitted bundle and uploads it with its map', async () => {
    const dir = await fresh('rollup-plugin');
    const { plugin, lines } = pluginFor('rollup@1', { urlPrefix: '~/assets/' });
    await buildWithRollup(dir, { output: { plugins: [plugin] } });
    const code = await readFile(join(dir, 'app.js'), 'utf8');
    const id = /\/\/# debugId=([0-9a-f-]{36})\n\/\/# sourceMappingURL=app\.js\.map\n$/.exec(code)?.[1];
    expect(id, code).toBeDefined();
    expect(JSON.parse(await readFile(join(dir, 'app.js.map'), 'utf8')).debugId).toBe(id);
    expect(lines).toEqual([
      `injected ${id} ${join(dir, 'app.js')} (+ ${join(dir, 'app.js.map')})`,
      `uploaded ~/assets/app.js.map  debug ID ${id}  (3 sources, sources content: yes)`,
      `uploaded ~/assets/app.js  debug ID ${id}  → map ~/assets/app.js.map`,
      '2 of 2 files stored in release rollup@1 of project 1 (1 source, 1 map)',
    ]);
    expect(await listed('rollup@1')).toMatchObject({ '~/assets/app.js': { debug_id: id, map: '~/assets/app.js.map' } });
  });

  it('fails the build when the upload fails', async () => {
    const dir = await fresh('rollup-plugin-fails');
    const { plugin } = pluginFor('rollup@2', { token: 'wrong' });
    await expect(buildWithRollup(dir, { output: { plugins: [plugin] } })).rejects.toThrow(
      /lookout-sourcemaps: upload to release rollup@2 failed: ~\/app\.js\.map: HTTP 401: /,
    );
  });

  it('without url or token: injects, warns and does not upload', async () => {
    const dir = await fresh('rollup-plugin-no-upload');
    const warnings: string[] = [];
    const lines: string[] = [];
    const previous = { url: process.env.LOOKOUT_URL, token: process.env.LOOKOUT_TOKEN };
    delete process.env.LOOKOUT_URL;
    delete process.env.LOOKOUT_TOKEN;
    try {
      const plugin = lookoutSourceMaps({ release: 'never@1', project: 1, log: (line) => lines.push(line) });
      // buildWithRollup's onwarn is silent: a second rollup run with our own onwarn.
      const { rollup } = await import('rollup');
      const bundle = await rollup({
        input: join(dir, 'entry.js'),
        plugins: [{ name: 'entry', resolveId: (id) => id, load: () => 'export const answer = () => { throw new Error("x") };' }],
        onwarn: (warning: RollupLog) => void warnings.push(warning.message),
      });
      await bundle.write({ dir, format: 'es', sourcemap: true, plugins: [plugin] });
      await bundle.close();
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries({ LOOKOUT_URL: previous.url, LOOKOUT_TOKEN: previous.token }).filter(([, v]) => v !== undefined)));
    }
    expect(lines[0]).toMatch(/^injected [0-9a-f-]{36} /);
    expect(warnings).toEqual([expect.stringContaining('lookout-sourcemaps: not uploading: url (LOOKOUT_URL) is not set')]);
    expect(await listed('never@1')).toEqual({});
  });

  it('deletes the maps once uploaded when asked to', async () => {
    const dir = await fresh('rollup-plugin-delete');
    const { plugin } = pluginFor('rollup@3', { deleteMapsAfterUpload: true });
    await buildWithRollup(dir, { sourcemap: 'hidden', output: { plugins: [plugin] } });
    expect((await readdir(dir)).sort()).toEqual(['app.js']);
    expect(Object.keys(await listed('rollup@3')).sort()).toEqual(['~/app.js', '~/app.js.map']);
    expect((await listed('rollup@3'))['~/app.js'].map).toBe('~/app.js.map');
  });
});

describe('in Vite', () => {
  it('vite build with build.sourcemap: the emitted chunks are injected and uploaded', async () => {
    const { build } = await import('vite');
    const dir = await fresh('vite');
    const { plugin, lines } = pluginFor('vite@1');
    await build({
      configFile: false,
      root: FIXTURE_APP,
      logLevel: 'silent',
      plugins: [plugin],
      build: {
        outDir: dir,
        emptyOutDir: false,
        sourcemap: 'hidden',
        rollupOptions: { input: join(FIXTURE_APP, 'main.ts'), output: { entryFileNames: 'assets/[name]-[hash].js' } },
      },
    });
    const [chunk] = (await readdir(join(dir, 'assets'))).filter((name) => name.endsWith('.js'));
    const code = await readFile(join(dir, 'assets', chunk), 'utf8');
    const id = /\/\/# debugId=([0-9a-f-]{36})\n$/.exec(code)?.[1];
    expect(id, code.slice(-400)).toBeDefined();
    expect(lines).toContain(`uploaded ~/assets/${chunk}  debug ID ${id}  → map ~/assets/${chunk}.map`);
    expect(lines.at(-1)).toBe('2 of 2 files stored in release vite@1 of project 1 (1 source, 1 map)');
  });
});
