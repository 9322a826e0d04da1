/**
 * Loads a simulation file — TypeScript or JavaScript, no build step (tsx's `tsImport`) — and
 * returns the SimulationDefinition it exports by default (or that its default export, a
 * function, returns). Simulations import the DSL as `lookout/load`; a module resolve hook maps
 * that to this package's DSL entry, wherever the user's file lives: synthetic/src/index.ts when
 * running from source, dist/synthetic/src/index.js when compiled.
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { SimulationDefinition } from './definition.js';

export const DSL_SPECIFIER = 'lookout/load';

/** This module's own extension says whether we run from source (.ts) or compiled (.js). */
export function dslEntryUrl(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? './index.ts' : './index.js', import.meta.url).href;
}

// The hook runs on the loader thread, so it is a module of its own (a data: URL keeps it in this file).
const hookSource = `
let mapping = {};
export async function initialize(data) { mapping = data.mapping; }
export async function resolve(specifier, context, next) {
  const target = mapping[specifier];
  return next(target ?? specifier, context);
}
`;

const registered = new Map<string, string>();

/** Maps `lookout/load` (once per process; a later call with another entry wins for new imports). */
function mapDslSpecifier(entryUrl: string) {
  if (registered.get(DSL_SPECIFIER) === entryUrl) return;
  registered.set(DSL_SPECIFIER, entryUrl);
  register(`data:text/javascript,${encodeURIComponent(hookSource)}`, { data: { mapping: { [DSL_SPECIFIER]: entryUrl } } });
}

/**
 * A simulation in a folder without `"type": "module"` is CommonJS to Node, and CommonJS
 * resolution ignores module hooks: tsx's tsconfig `paths` cover both, so the mapping is also
 * given as a tsconfig of our own (the user's tsconfig, if any, is not read).
 */
function pathsTsconfig(entryUrl: string): string {
  const file = join(tmpdir(), `lookout-load-tsconfig-${createHash('sha1').update(entryUrl).digest('hex').slice(0, 12)}.json`);
  const config = { compilerOptions: { module: 'preserve', moduleResolution: 'bundler', paths: { [DSL_SPECIFIER]: [fileURLToPath(entryUrl)] } } };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** tsImport's CommonJS side reads its tsconfig from the environment when it registers (synchronously, inside the call). */
async function withTsconfig<T>(file: string, load: () => Promise<T>): Promise<T> {
  const previous = process.env.TSX_TSCONFIG_PATH;
  process.env.TSX_TSCONFIG_PATH = file;
  const loading = load();
  if (previous === undefined) delete process.env.TSX_TSCONFIG_PATH;
  else process.env.TSX_TSCONFIG_PATH = previous;
  return loading;
}

export class SimulationLoadError extends Error {}

export interface LoadedSimulation {
  name: string;
  definition: SimulationDefinition;
}

export async function loadSimulation(file: string, options: { dslEntry?: string } = {}): Promise<LoadedSimulation> {
  const path = resolvePath(file);
  const entry = options.dslEntry ?? dslEntryUrl();
  mapDslSpecifier(entry);
  if (!existsSync(path)) throw new SimulationLoadError(`no simulation at ${path}`);
  const tsconfig = pathsTsconfig(entry);
  const loaded: { default?: unknown } = await withTsconfig(tsconfig, () => tsImport(pathToFileURL(path).href, { parentURL: import.meta.url, tsconfig }));
  let exported = loaded.default;
  // tsx may hand a CommonJS-shaped module its exports under default.default.
  if (exported && typeof exported === 'object' && !('scenarios' in exported) && 'default' in exported) exported = (exported as { default: unknown }).default;
  if (typeof exported === 'function') exported = await (exported as () => unknown)();
  if (!isSimulation(exported)) {
    throw new SimulationLoadError(`${path} must \`export default simulation({ … })\` (from '${DSL_SPECIFIER}'); its default export is ${exported === undefined ? 'missing' : typeof exported}`);
  }
  return { name: basename(path, extname(path)), definition: exported };
}

function isSimulation(value: unknown): value is SimulationDefinition {
  const candidate = value as SimulationDefinition | null;
  return !!candidate && typeof candidate === 'object' && Array.isArray(candidate.scenarios) && typeof candidate.close === 'function';
}
