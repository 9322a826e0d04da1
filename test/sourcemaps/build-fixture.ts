/**
 * The fixture app (fixtures/app/, TypeScript) built as real users build: rollup with the
 * TypeScript and terser plugins, or esbuild, minified, with external source maps.
 */
import { build } from 'esbuild';
import { afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import terserPlugin from '@rollup/plugin-terser';
import typescriptPlugin from '@rollup/plugin-typescript';
import { rollup, type OutputOptions, type Plugin } from 'rollup';

// Their types are CommonJS-shaped under NodeNext; at run time the ESM default is the plugin itself.
const terser = terserPlugin as unknown as typeof terserPlugin.default;
const typescript = typescriptPlugin as unknown as typeof typescriptPlugin.default;

export const FIXTURE_APP = fileURLToPath(new URL('./fixtures/app/', import.meta.url));
const entry = join(FIXTURE_APP, 'main.ts');

export const tempDir = (name: string): Promise<string> => mkdtemp(join(tmpdir(), `lookout-${name}-`));

/** `fresh(name)` makes a temporary folder; all of them are removed after the test file's tests. */
export function useTempDirs(): (name: string) => Promise<string> {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
  return async (name) => {
    const dir = await tempDir(name);
    dirs.push(dir);
    return dir;
  };
}

/** The fixture's TypeScript plugin: ES2020, source maps on, nothing read from the repo's tsconfig. */
const fixtureTypescript = () =>
  typescript({
    tsconfig: false,
    include: [join(FIXTURE_APP, '*.ts')],
    compilerOptions: { target: 'ES2020', module: 'ESNext', moduleResolution: 'Bundler', strict: true, sourceMap: true, inlineSources: true, types: [] },
  });

export interface RollupBuild {
  dir: string;
  /** File names rollup wrote, relative to dir. */
  files: string[];
}

/** rollup + terser into `dir/fileName` (IIFE unless `format`), with `extra` plugins after them. */
export async function buildWithRollup(
  dir: string,
  options: { fileName?: string; format?: OutputOptions['format']; sourcemap?: OutputOptions['sourcemap']; plugins?: Plugin[]; output?: OutputOptions } = {},
): Promise<RollupBuild> {
  const bundle = await rollup({ input: entry, plugins: [fixtureTypescript(), ...(options.plugins ?? [])], onwarn: () => {} });
  try {
    const { output } = await bundle.write({
      dir,
      entryFileNames: options.fileName ?? 'app.js',
      format: options.format ?? 'iife',
      sourcemap: options.sourcemap ?? true,
      plugins: [terser()],
      ...options.output,
    });
    return { dir, files: output.map((file) => file.fileName) };
  } finally {
    await bundle.close();
  }
}

/** esbuild, minified, into `dir/fileName` (IIFE unless `format`), maps as `sourcemap` says (default external with a comment). */
export async function buildWithEsbuild(
  dir: string,
  options: { fileName?: string; format?: 'iife' | 'esm' | 'cjs'; sourcemap?: boolean | 'external' | 'inline' | 'linked'; sourcesContent?: boolean } = {},
): Promise<void> {
  await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    target: 'es2020',
    format: options.format ?? 'iife',
    sourcemap: options.sourcemap ?? true,
    sourcesContent: options.sourcesContent ?? true,
    outfile: join(dir, options.fileName ?? 'app.js'),
    logLevel: 'silent',
  });
}

/** The 1-based line of the fixture file that carries `marker` (a comment such as THROWS HERE). */
export async function lineOf(file: string, marker: string): Promise<number> {
  const lines = (await readFile(join(FIXTURE_APP, file), 'utf8')).split('\n');
  const index = lines.findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`${marker} is not in fixtures/app/${file}`);
  return index + 1;
}
