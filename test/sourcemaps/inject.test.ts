/**
 * `lookout sourcemaps inject` on real bundles of the fixture app (rollup + terser, esbuild):
 * the ID lands in the bundle and its map, reruns change nothing, no mapping moves, and the
 * appended registration runs.
 */
import { TraceMap, eachMapping, originalPositionFor } from '@jridgewell/trace-mapping';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEBUG_IDS_GLOBAL, debugIdRegistration } from '../../protocol/debug-id.js';
import { sourcemapsCommand } from '../../sourcemaps/src/cli.js';
import { debugIdFromContent } from '../../sourcemaps/src/debug-id.js';
import { injectDirectory, injectFile, type InjectResult } from '../../sourcemaps/src/inject.js';
import { buildWithEsbuild, buildWithRollup, lineOf, useTempDirs } from './build-fixture.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fresh = useTempDirs();

const read = (path: string) => readFile(path, 'utf8');
const readJson = async (path: string) => JSON.parse(await read(path));
/** Runs inject on `dir`, returning its results and printed lines. */
async function inject(dir: string): Promise<{ results: InjectResult[]; lines: string[] }> {
  const lines: string[] = [];
  const results = await injectDirectory(dir, (line) => lines.push(line));
  return { results, lines };
}

/** Line/column (0-based column) of the first `needle` in `code`. */
function positionOf(code: string, needle: string): { line: number; column: number } {
  const index = code.indexOf(needle);
  if (index < 0) throw new Error(`${needle} not in the bundle`);
  const before = code.slice(0, index).split('\n');
  return { line: before.length, column: before.at(-1)!.length };
}

describe.each([
  ['rollup + terser', (dir: string) => buildWithRollup(dir)],
  ['esbuild --minify', (dir: string) => buildWithEsbuild(dir)],
])('a bundle built by %s', (_builder, buildInto) => {
  let dir: string;
  let originalCode: string;
  let originalMap: any;
  let firstRun: Awaited<ReturnType<typeof inject>>;

  beforeAll(async () => {
    dir = await fresh('inject');
    await buildInto(dir);
    originalCode = await read(join(dir, 'app.js'));
    originalMap = await readJson(join(dir, 'app.js.map'));
    firstRun = await inject(dir);
  });

  it('gets a debug ID derived from its content, the same in the bundle and its map', async () => {
    const id = debugIdFromContent(originalCode);
    expect(id).toMatch(UUID_V4);
    expect(firstRun.results).toEqual([
      { status: 'injected', file: join(dir, 'app.js'), map: join(dir, 'app.js.map'), debugId: id, changed: true },
    ]);
    expect(firstRun.lines).toEqual([`injected ${id} ${join(dir, 'app.js')} (+ ${join(dir, 'app.js.map')})`]);
    const code = await read(join(dir, 'app.js'));
    expect(code).toContain(`\n//# debugId=${id}\n`);
    expect((await readJson(join(dir, 'app.js.map'))).debugId).toBe(id);
  });

  it('appends: the code is unchanged up to the sourceMappingURL comment, which stays the last line', async () => {
    const code = await read(join(dir, 'app.js'));
    const id = firstRun.results[0].status === 'injected' ? firstRun.results[0].debugId : '';
    const commentAt = originalCode.lastIndexOf('//# sourceMappingURL=');
    expect(code.slice(0, commentAt)).toBe(originalCode.slice(0, commentAt));
    expect(code.slice(commentAt)).toBe(`${debugIdRegistration(id)}\n//# debugId=${id}\n//# sourceMappingURL=app.js.map\n`);
    expect(code.trimEnd().split('\n').at(-1)).toBe('//# sourceMappingURL=app.js.map');
  });

  it('moves no mapping: the map is the same but for debugId, and each mapped position holds the same code', async () => {
    const code = await read(join(dir, 'app.js'));
    const { debugId, ...rest } = await readJson(join(dir, 'app.js.map'));
    expect(rest).toEqual(originalMap);
    const before = new TraceMap(originalMap);
    const after = new TraceMap({ ...rest, debugId });
    const lines = { before: originalCode.split('\n'), after: code.split('\n') };
    let checked = 0;
    eachMapping(before, (m) => {
      const at = { line: m.generatedLine, column: m.generatedColumn };
      expect(originalPositionFor(after, at)).toEqual(originalPositionFor(before, at));
      // The text at the generated position is the same text: the mapping still points at it.
      expect(lines.after[m.generatedLine - 1].slice(m.generatedColumn, m.generatedColumn + 12)).toBe(
        lines.before[m.generatedLine - 1].slice(m.generatedColumn, m.generatedColumn + 12),
      );
      checked++;
    });
    expect(checked).toBeGreaterThan(20);
    // The throw in the injected bundle still traces to its line in prices.ts.
    const traced = originalPositionFor(after, positionOf(code, 'throw new TypeError'));
    expect(traced.source).toMatch(/fixtures\/app\/prices\.ts$/);
    expect(traced.line).toBe(await lineOf('prices.ts', 'THROWS HERE'));
  });

  it('changes nothing when run again', async () => {
    const [code, map] = [await read(join(dir, 'app.js')), await read(join(dir, 'app.js.map'))];
    const again = await inject(dir);
    expect(again.results).toMatchObject([{ status: 'injected', changed: false, debugId: (firstRun.results[0] as { debugId: string }).debugId }]);
    expect(again.lines[0]).toMatch(/^already injected [0-9a-f-]{36} /);
    expect(await read(join(dir, 'app.js'))).toBe(code);
    expect(await read(join(dir, 'app.js.map'))).toBe(map);
  });

  it('registers the ID under the URL the script runs from, and the app still runs', async () => {
    const id = (firstRun.results[0] as { debugId: string }).debugId;
    const url = 'https://shop.example.com/static/app.js?v=3';
    const context = vm.createContext({});
    vm.runInContext(await read(join(dir, 'app.js')), context, { filename: url });
    expect(context[DEBUG_IDS_GLOBAL]).toEqual({ [url]: id });
    expect(() => vm.runInContext('fixtureApp.checkout()', context)).toThrow('no price for cake');
  });
});

describe('bundles that already name a debug ID', () => {
  it("keeps rollup's own (sourcemapDebugIds) and adds the registration", async () => {
    const dir = await fresh('rollup-ids');
    await buildWithRollup(dir, { output: { sourcemapDebugIds: true } });
    const built = await read(join(dir, 'app.js'));
    const rollupId = /\/\/# debugId=([0-9a-f-]{36})/.exec(built)![1];
    const { results } = await inject(dir);
    expect(results).toMatchObject([{ status: 'injected', debugId: rollupId, changed: true }]);
    const code = await read(join(dir, 'app.js'));
    expect(code).toBe(built.replace('//# debugId=', `${debugIdRegistration(rollupId)}\n//# debugId=`));
    expect((await readJson(join(dir, 'app.js.map'))).debugId).toBe(rollupId);
  });

  it('gives a map without it the bundle\'s ID', async () => {
    const dir = await fresh('map-missing');
    await buildWithEsbuild(dir);
    const [{ debugId }] = (await inject(dir)).results as unknown as [{ debugId: string }];
    const map = await readJson(join(dir, 'app.js.map'));
    delete map.debugId;
    await writeFile(join(dir, 'app.js.map'), JSON.stringify(map));
    const code = await read(join(dir, 'app.js'));

    const { results, lines } = await inject(dir);
    expect(results).toMatchObject([{ status: 'injected', debugId, changed: true }]);
    expect(lines[0]).toMatch(/^injected /);
    expect(await read(join(dir, 'app.js'))).toBe(code);
    expect((await readJson(join(dir, 'app.js.map'))).debugId).toBe(debugId);
  });
});

describe('finding bundles and maps', () => {
  it('handles .mjs/.cjs, hidden maps, maps in another folder, skips inline maps, maps-less files and node_modules', async () => {
    const dir = await fresh('layout');
    await buildWithEsbuild(dir, { fileName: 'esm/app.mjs', format: 'esm' });
    await buildWithEsbuild(dir, { fileName: 'cjs/app.cjs', format: 'cjs' });
    await buildWithRollup(dir, { fileName: 'hidden.js', sourcemap: 'hidden' });
    await buildWithEsbuild(dir, { fileName: 'inline.js', sourcemap: 'inline' });
    await buildWithEsbuild(dir, { fileName: 'moved.js' });
    await mkdir(join(dir, 'maps'));
    await rename(join(dir, 'moved.js.map'), join(dir, 'maps/moved.js.map'));
    const moved = await read(join(dir, 'moved.js'));
    await writeFile(join(dir, 'moved.js'), moved.replace('sourceMappingURL=moved.js.map', 'sourceMappingURL=maps/moved.js.map'));
    await writeFile(join(dir, 'plain.js'), 'console.log("no map");\n');
    await mkdir(join(dir, 'node_modules/lib'), { recursive: true });
    await writeFile(join(dir, 'node_modules/lib/index.js'), 'module.exports = 1;\n//# sourceMappingURL=index.js.map\n');

    const { results, lines } = await inject(dir);
    const byFile = Object.fromEntries(results.map((r) => [r.file.slice(dir.length + 1), r]));
    expect(Object.keys(byFile).sort()).toEqual(['cjs/app.cjs', 'esm/app.mjs', 'hidden.js', 'inline.js', 'moved.js', 'plain.js']);
    expect(byFile['esm/app.mjs']).toMatchObject({ status: 'injected', map: join(dir, 'esm/app.mjs.map') });
    expect(byFile['cjs/app.cjs']).toMatchObject({ status: 'injected', map: join(dir, 'cjs/app.cjs.map') });
    expect(byFile['hidden.js']).toMatchObject({ status: 'injected', map: join(dir, 'hidden.js.map') });
    expect(byFile['moved.js']).toMatchObject({ status: 'injected', map: join(dir, 'maps/moved.js.map') });
    expect(byFile['inline.js']).toMatchObject({ status: 'skipped', reason: expect.stringContaining('inline source map') });
    expect(byFile['plain.js']).toMatchObject({ status: 'skipped', reason: 'no source map: no //# sourceMappingURL= and no plain.js.map next to it' });
    expect(lines).toContain(`skipped ${join(dir, 'plain.js')}: no source map: no //# sourceMappingURL= and no plain.js.map next to it`);

    // A hidden map's bundle has no comment to keep last: the ID goes at the end.
    const hidden = await read(join(dir, 'hidden.js'));
    const hiddenId = (byFile['hidden.js'] as { debugId: string }).debugId;
    expect(hidden.endsWith(`${debugIdRegistration(hiddenId)}\n//# debugId=${hiddenId}\n`)).toBe(true);
    expect((await readJson(join(dir, 'maps/moved.js.map'))).debugId).toBe((byFile['moved.js'] as { debugId: string }).debugId);
    // The ESM bundle's registration runs in module code too (strict, no `this`).
    const esm = await read(join(dir, 'esm/app.mjs'));
    expect(esm).toContain('//# debugId=');
    expect(await read(join(dir, 'node_modules/lib/index.js'))).not.toContain('debugId');
  });

  it('keeps a hashbang first and a file without a final newline whole', async () => {
    const dir = await fresh('hashbang');
    await writeFile(join(dir, 'cli.js'), '#!/usr/bin/env node\n"use strict";console.log(1)\n//# sourceMappingURL=cli.js.map');
    await writeFile(join(dir, 'cli.js.map'), '{"version":3,"sources":["cli.ts"],"names":[],"mappings":";AAAA"}');
    await writeFile(join(dir, 'end.js'), 'console.log(2)');
    await writeFile(join(dir, 'end.js.map'), '{"version":3,"sources":["end.ts"],"names":[],"mappings":"AAAA"}');
    const { results } = await inject(dir);
    const [cli, end] = results as { debugId: string }[];
    expect(await read(join(dir, 'cli.js'))).toBe(
      `#!/usr/bin/env node\n"use strict";console.log(1)\n${debugIdRegistration(cli.debugId)}\n//# debugId=${cli.debugId}\n//# sourceMappingURL=cli.js.map`,
    );
    expect(await read(join(dir, 'end.js'))).toBe(`console.log(2)\n${debugIdRegistration(end.debugId)}\n//# debugId=${end.debugId}\n`);
  });

  it('puts debugId at the top level of an index map (sections), and keeps a pretty-printed map as it was', async () => {
    const dir = await fresh('index-map');
    await writeFile(join(dir, 'app.js'), 'a();\nb();\n//# sourceMappingURL=app.js.map\n');
    const indexMap = {
      version: 3,
      file: 'app.js',
      sections: [
        { offset: { line: 0, column: 0 }, map: { version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA' } },
        { offset: { line: 1, column: 0 }, map: { version: 3, sources: ['b.ts'], names: [], mappings: 'AAAA' } },
      ],
    };
    const text = JSON.stringify(indexMap, null, 2) + '\n';
    await writeFile(join(dir, 'app.js.map'), text);
    const [result] = (await inject(dir)).results as unknown as [{ debugId: string }];
    const after = await read(join(dir, 'app.js.map'));
    expect(JSON.parse(after)).toEqual({ ...indexMap, debugId: result.debugId });
    expect(after.startsWith(text.slice(0, text.lastIndexOf(']') + 1))).toBe(true);
  });

  it('fails a map that is not one, and the CLI exits 1', async () => {
    const dir = await fresh('corrupt');
    await buildWithEsbuild(dir);
    await writeFile(join(dir, 'app.js.map'), '{"version":3,"mappings":');
    const code = await read(join(dir, 'app.js'));
    expect(await injectFile(join(dir, 'app.js'))).toMatchObject({ status: 'failed', reason: expect.stringContaining('invalid JSON') });
    expect(await read(join(dir, 'app.js'))).toBe(code);

    const out: string[] = [];
    expect(await sourcemapsCommand(['inject', dir], {}, (l) => out.push(l), (l) => out.push(l))).toBe(1);
    expect(out[0]).toMatch(/^FAILED .*app\.js: .*app\.js\.map is not a source map: invalid JSON/);
    expect(out.at(-1)).toBe('0 injected, 0 skipped, 1 failed');
  });

  it('the CLI: 0 when done, 2 for a wrong command line', async () => {
    const dir = await fresh('cli');
    await buildWithRollup(dir);
    const out: string[] = [];
    const print = (line: string) => out.push(line);
    expect(await sourcemapsCommand(['inject', dir], {}, print, print)).toBe(0);
    expect(out.at(-1)).toBe('1 injected, 0 skipped, 0 failed');
    out.length = 0;
    expect(await sourcemapsCommand(['inject', join(dir, 'nope')], {}, print, print)).toBe(2);
    expect(out).toEqual([`lookout sourcemaps inject: ${join(dir, 'nope')} is not a folder: pass the folder your build writes to, such as dist`]);
    out.length = 0;
    expect(await sourcemapsCommand(['inject', '--force', dir], {}, print, print)).toBe(2);
    expect(out).toEqual(['lookout sourcemaps inject: unknown flag --force']);
    out.length = 0;
    expect(await sourcemapsCommand(['inject'], {}, print, print)).toBe(2);
    expect(out).toEqual(['lookout sourcemaps inject: which folder? Pass the folder your build writes to, such as dist']);
    out.length = 0;
    expect(await sourcemapsCommand(['frobnicate'], {}, print, print)).toBe(2);
    expect(out).toEqual(['lookout sourcemaps: unknown command "frobnicate": use inject or upload (lookout sourcemaps --help)']);
  });
});
