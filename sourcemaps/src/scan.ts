/**
 * Finding bundles and their source maps on disk: the files under a build folder, the
 * `//# sourceMappingURL=` comment a bundle ends with, and the map file it (or its name) leads to.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trailingComment } from './trailing-comment.js';

export const isBundleFile = (path: string): boolean => /\.[mc]?js$/i.test(path);

/** Source maps of scripts: `.map` files, except stylesheets' (`.css.map`), which no stack points into. */
export const isSourceMapFile = (path: string): boolean => /\.map$/i.test(path) && !/\.css\.map$/i.test(path);

/** Every file under `dir`, as paths relative to it with `/` separators, sorted; node_modules is not entered. */
export async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`${dir} is not a folder: pass the folder your build writes to (such as dist)`);
  }
  const files: string[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    for (const entry of await readdir(join(dir, relativeDir), { withFileTypes: true })) {
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory() && entry.name !== 'node_modules') await walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  await walk('');
  return files.sort();
}

/** The URL of a bundle's trailing `//# sourceMappingURL=` (or the older `//@`) comment, and where it starts. */
export function sourceMappingUrl(code: string): { url: string; index: number } | undefined {
  const match = trailingComment(code, /\/\/[#@][ \t]+sourceMappingURL=([^\s'"]+)[ \t]*\r?$/gm);
  return match && { url: match[1], index: match.index };
}

export type MapLocation =
  | { kind: 'file'; path: string; via: 'comment' | 'name' }
  | { kind: 'inline' }
  | { kind: 'none'; reason: string };

/**
 * Where a bundle's map is: the local file its `//# sourceMappingURL=` names, else
 * `<bundle>.map` next to it (maps built as "hidden" carry no comment).
 */
export function locateSourceMap(bundlePath: string, code: string): MapLocation {
  const comment = sourceMappingUrl(code);
  if (comment?.url.startsWith('data:')) return { kind: 'inline' };
  const base = pathToFileURL(bundlePath).href;
  // Relative to the bundle, as a browser resolves it against the bundle's URL; a remote or malformed URL names no local file.
  const url = comment && URL.canParse(comment.url, base) ? new URL(comment.url, base) : undefined;
  let named: string | undefined;
  if (url?.protocol === 'file:') {
    url.search = url.hash = '';
    named = fileURLToPath(url);
    if (isFile(named)) return { kind: 'file', path: named, via: 'comment' };
  }
  const sibling = bundlePath + '.map';
  if (isFile(sibling)) return { kind: 'file', path: sibling, via: 'name' };
  if (named) return { kind: 'none', reason: `its map ${relative(dirname(bundlePath), named) || named} (from //# sourceMappingURL=) does not exist` };
  if (comment) return { kind: 'none', reason: `its //# sourceMappingURL=${comment.url} is not a local file and there is no ${basename(sibling)}` };
  return { kind: 'none', reason: `no source map: no //# sourceMappingURL= and no ${basename(sibling)} next to it` };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
