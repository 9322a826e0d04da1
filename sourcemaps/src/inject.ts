/**
 * `lookout sourcemaps inject`: gives every bundle that has a source map a debug ID, in the
 * bundle (the registration the agent reads, and `//# debugId=`) and in its map (`debugId`).
 *
 * Everything is appended, at the end of the code and before a trailing `//# sourceMappingURL=`,
 * which stays the last line: no byte before the insertion point moves, so every mapping of the
 * map still holds (the trade-off is in protocol/debug-id.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { DEBUG_ID_COMMENT, debugIdRegistration } from '../../protocol/debug-id.js';
import { debugIdComment, debugIdFromContent } from './debug-id.js';
import { setMapDebugId } from './map-debug-id.js';
import { isBundleFile, listFiles, locateSourceMap, sourceMappingUrl } from './scan.js';

export type InjectResult =
  /** `changed`: whether this run wrote the bundle or its map (false when both already carried the ID). */
  | { status: 'injected'; file: string; map: string; debugId: string; changed: boolean; note?: string }
  /** Left as it was, and rightly so: no map, or an inline one. */
  | { status: 'skipped'; file: string; reason: string }
  /** Should have been injected and could not be: an unreadable map, a file that cannot be written. */
  | { status: 'failed'; file: string; reason: string };

export type Print = (line: string) => void;

/**
 * The bundle's code with its debug ID: what it names already (`//# debugId=`, from an earlier
 * run or the bundler), else one derived from its bytes. `code` is the file read as latin1 (one
 * character per byte, see injectFile). Returns the code unchanged when the registration is
 * there too.
 */
export function withDebugId(code: string): { code: string; debugId: string } {
  const eol = code.includes('\r\n') ? '\r\n' : '\n';
  const named = debugIdComment(code);
  if (named) {
    const registration = debugIdRegistration(named.id);
    if (code.includes(registration)) return { code, debugId: named.id };
    // The bundler wrote the comment (rollup's `sourcemapDebugIds`): the agent still needs the registration.
    return { code: code.slice(0, named.index) + registration + eol + code.slice(named.index), debugId: named.id };
  }
  const debugId = debugIdFromContent(Buffer.from(code, 'latin1'));
  const at = sourceMappingUrl(code)?.index ?? code.length;
  const lineStart = at === 0 || code[at - 1] === '\n';
  const added = (lineStart ? '' : eol) + debugIdRegistration(debugId) + eol + DEBUG_ID_COMMENT + debugId + eol;
  return { code: code.slice(0, at) + added + code.slice(at), debugId };
}

/** Injects one bundle and its map, writing both files when they change. */
export async function injectFile(file: string): Promise<InjectResult> {
  // latin1 maps bytes to characters one to one: the bundle is written back byte for byte,
  // whatever its encoding, and the ID is the hash of its bytes.
  const code = (await readFile(file)).toString('latin1');
  const location = locateSourceMap(file, code);
  if (location.kind === 'inline') {
    return { status: 'skipped', file, reason: 'inline source map (data: URL): build with external or hidden source maps to upload them' };
  }
  if (location.kind === 'none') return { status: 'skipped', file, reason: location.reason };
  const map = location.path;
  try {
    const injected = withDebugId(code);
    const edit = setMapDebugId(await readFile(map, 'utf8'), injected.debugId);
    if (!edit.ok) return { status: 'failed', file, reason: `${shown(map)} is ${edit.reason}` };
    // The map first: if writing the bundle fails, a rerun derives the same ID from the same bundle.
    if (edit.changed) await writeFile(map, edit.text);
    const bundleChanged = injected.code !== code;
    if (bundleChanged) await writeFile(file, Buffer.from(injected.code, 'latin1'));
    const note = edit.replaced ? `the map's debugId ${edit.replaced} was replaced: the bundle's is the one that runs` : undefined;
    return { status: 'injected', file, map, debugId: injected.debugId, changed: edit.changed || bundleChanged, ...(note && { note }) };
  } catch (error) {
    // Node's messages name the code and the path: "EACCES: permission denied, open 'dist/app.js'".
    return { status: 'failed', file, reason: (error as Error).message };
  }
}

/** Injects the given bundles (paths), printing a line each; see `injectDirectory` for a whole folder. */
export async function injectFiles(files: string[], print: Print = console.log): Promise<InjectResult[]> {
  const results: InjectResult[] = [];
  for (const file of files) {
    const result = await injectFile(file);
    print(describeInjectResult(result));
    results.push(result);
  }
  return results;
}

/** Injects every .js/.mjs/.cjs file under `dir` (node_modules skipped). */
export async function injectDirectory(dir: string, print: Print = console.log): Promise<InjectResult[]> {
  const bundles = (await listFiles(dir)).filter(isBundleFile).map((path) => join(dir, path));
  return injectFiles(bundles, print);
}

export function describeInjectResult(result: InjectResult): string {
  switch (result.status) {
    case 'injected': {
      const line = `${result.changed ? 'injected' : 'already injected'} ${result.debugId} ${shown(result.file)} (+ ${shown(result.map)})`;
      return result.note ? `${line}: ${result.note}` : line;
    }
    case 'skipped':
      return `skipped ${shown(result.file)}: ${result.reason}`;
    case 'failed':
      return `FAILED ${shown(result.file)}: ${result.reason}`;
  }
}

/** A path as the person typed it: relative to the working folder when inside it. */
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path;
}
