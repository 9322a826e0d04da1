/**
 * `lookoutSourceMaps()`: `lookout sourcemaps inject` and `upload` as a rollup plugin, run on
 * the files the build just wrote. Works in Vite (`vite build` calls `writeBundle` too).
 *
 *   import { lookoutSourceMaps } from '@lookout/sourcemaps/rollup';
 *   output: { dir: 'dist', sourcemap: 'hidden' },
 *   plugins: [lookoutSourceMaps({ url, project: 1, token, release: '1.4.2' })]
 *
 * Every option falls back to the variable `lookout sourcemaps upload` reads (LOOKOUT_URL, …).
 */
import { rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { NormalizedOutputOptions, OutputBundle, Plugin, PluginContext } from 'rollup';
import { artifactName, DEFAULT_URL_PREFIX, normalizeUrlPrefix } from './artifact-name.js';
import type { LocalArtifact } from './batches.js';
import { injectFiles, type InjectResult } from './inject.js';
import { isBundleFile, isSourceMapFile } from './scan.js';
import { uploadArtifacts, type UploadResult } from './upload.js';

export interface LookoutSourceMapsOptions {
  /** The collector's base URL. Default: LOOKOUT_URL. */
  url?: string;
  /** Project id. Default: LOOKOUT_PROJECT. */
  project?: string | number;
  /** The admin token or a token of the project. Default: LOOKOUT_TOKEN. */
  token?: string;
  /** What the pages pass to `Lookout.init({ release })`. Default: LOOKOUT_RELEASE. */
  release?: string;
  /** Where the output folder is served from: `~/` (any host), `~/static/` or a full URL. */
  urlPrefix?: string;
  /** Give each emitted bundle with a map a debug ID (default true). */
  inject?: boolean;
  /** Upload the bundles and maps (default true; skipped with a warning when url or token is missing). */
  upload?: boolean;
  /** Delete the .map files once uploaded, so they are not deployed (default false). */
  deleteMapsAfterUpload?: boolean;
  /** Where lines go; default the bundler's info log. */
  log?: (line: string) => void;
}

export function lookoutSourceMaps(options: LookoutSourceMapsOptions = {}): Plugin {
  const env = process.env;
  const setting = (value: string | number | undefined, variable: string) => String(value ?? env[variable] ?? '').trim() || undefined;
  return {
    name: 'lookout-sourcemaps',
    async writeBundle(outputOptions: NormalizedOutputOptions, bundle: OutputBundle) {
      const log = options.log ?? ((line: string) => logInfo(this, line));
      const outDir = outputOptions.dir ?? (outputOptions.file ? dirname(outputOptions.file) : undefined);
      if (!outDir) return this.warn('lookout-sourcemaps: no output dir or file, nothing written to inject or upload');
      const emitted = Object.values(bundle);
      const chunks = emitted.filter((file) => file.type === 'chunk' && isBundleFile(file.fileName)).map((file) => file.fileName);

      if (options.inject !== false) {
        const results = await injectFiles(chunks.map((name) => join(outDir, name)), log);
        const failed = results.filter((r): r is Extract<InjectResult, { status: 'failed' }> => r.status === 'failed');
        if (failed.length) this.error(`lookout-sourcemaps: could not inject ${failed.map((r) => `${r.file} (${r.reason})`).join(', ')}`);
      }
      if (options.upload === false) return;
      const maps = emitted.filter((file) => file.type === 'asset' && isSourceMapFile(file.fileName)).map((file) => file.fileName);
      if (!maps.length) {
        return this.warn(`lookout-sourcemaps: no source maps to upload: set output.sourcemap (Vite: build.sourcemap) to true or 'hidden'${outputOptions.sourcemap === 'inline' ? ', not inline' : ''}`);
      }

      const url = setting(options.url, 'LOOKOUT_URL');
      const token = setting(options.token, 'LOOKOUT_TOKEN');
      if (!url || !token) {
        return this.warn(`lookout-sourcemaps: not uploading: ${!url ? 'url (LOOKOUT_URL)' : 'token (LOOKOUT_TOKEN)'} is not set`);
      }
      const project = setting(options.project, 'LOOKOUT_PROJECT');
      const release = setting(options.release, 'LOOKOUT_RELEASE');
      if (!project || !release) this.error(`lookout-sourcemaps: set ${!project ? 'project (LOOKOUT_PROJECT)' : 'release (LOOKOUT_RELEASE)'} to upload, or upload: false`);

      const prefix = normalizeUrlPrefix(options.urlPrefix ?? DEFAULT_URL_PREFIX);
      const artifacts = await Promise.all(
        [...chunks, ...maps].map(async (fileName): Promise<LocalArtifact> => ({
          path: join(outDir, fileName),
          name: artifactName(prefix, fileName),
          size: (await stat(join(outDir, fileName))).size,
          kind: isSourceMapFile(fileName) ? 'sourcemap' : 'source',
        })),
      );
      const result: UploadResult = await uploadArtifacts(artifacts, { url, project, token, release, urlPrefix: prefix, print: log });
      if (result.exitCode) this.error(`lookout-sourcemaps: upload to release ${release} failed: ${describeFailure(result)}`);
      if (options.deleteMapsAfterUpload) await Promise.all(maps.map((fileName) => rm(resolve(outDir, fileName), { force: true })));
    },
  };
}

export default lookoutSourceMaps;

function describeFailure(result: UploadResult): string {
  const lines = [...result.rejected.map((r) => `${r.name} rejected: ${r.reason}`), ...result.failed.map((r) => `${r.name}: ${r.reason}`)];
  return lines.slice(0, 5).join('; ') + (lines.length > 5 ? `; and ${lines.length - 5} more` : '');
}

/** rollup ≥ 3.21 and Vite have `this.info`; older ones print nothing at info level, so fall back to stdout. */
function logInfo(context: PluginContext, line: string): void {
  if (typeof context.info === 'function') context.info(line);
  else console.log(`[lookout-sourcemaps] ${line}`);
}
