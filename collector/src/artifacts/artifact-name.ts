/**
 * Artifact names: where the file is served from, as uploaded — `~/static/js/app.js` (any host)
 * or a full URL. They are keys, never paths on disk; still, a name that could be read as a path
 * outside the upload (`..`), or that carries control characters, is refused so that no tool
 * downstream (a CLI writing artifacts back out, a log line) is ever surprised by one.
 */

export const MAX_NAME_LENGTH = 1024;

/** The name as stored: a bare relative path gets the `~/` prefix. Throws with the reason when unusable. */
export function normalizeArtifactName(raw: string): string {
  const name = raw.trim();
  if (!name) throw new Error('the file has no name: send each file with a filename such as ~/static/js/app.js');
  if (name.length > MAX_NAME_LENGTH) throw new Error(`the name is ${name.length} characters long; at most ${MAX_NAME_LENGTH}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new Error('the name contains control characters');
  if (name.includes('\\')) throw new Error('the name contains a backslash: use / between folders');
  const url = /^[a-z][\w+.-]*:\/\/[^/]+(\/.*)?$/i.exec(name);
  const path = url ? (url[1] ?? '/') : name.startsWith('~/') ? name.slice(1) : '/' + name.replace(/^\/+/, '');
  if (path.split(/[/?#]/)[0] === undefined) throw new Error('the name has no path');
  const segments = path.split(/[?#]/)[0].split('/');
  if (segments.some((segment) => segment === '..' || segment === '.' || /^%2e%2e$/i.test(segment) || /^\.%2e$|^%2e\.$/i.test(segment))) {
    throw new Error('the name walks out of its folder ("." or ".." segments): upload names relative to the served root, e.g. ~/static/js/app.js');
  }
  if (url) return name;
  return '~' + path;
}

/**
 * Names a frame's file can have been uploaded under: the URL without query and fragment, and
 * `~/` + its path (what `lookout sourcemaps upload` sends by default).
 */
export function candidateNames(file: string): string[] {
  const bare = file.replace(/[?#].*$/, '');
  const url = /^[a-z][\w+.-]*:\/\/[^/]*(\/[^?#]*)?/i.exec(bare);
  if (!url) return bare.startsWith('/') ? ['~' + bare] : [];
  const path = url[1] || '/';
  return [bare, '~' + path];
}

/** The name a `sourceMappingURL` refers to, relative to the artifact that carries it; null for data: URLs. */
export function resolveMapName(sourceName: string, sourceMapUrl: string): string | null {
  if (!sourceMapUrl || sourceMapUrl.startsWith('data:')) return null;
  if (/^[a-z][\w+.-]*:\/\//i.test(sourceMapUrl)) return sourceMapUrl.replace(/[?#].*$/, '');
  const base = sourceName.startsWith('~/') ? 'http://x' + sourceName.slice(1) : sourceName;
  try {
    const resolved = new URL(sourceMapUrl, base);
    return sourceName.startsWith('~/') ? '~' + resolved.pathname : resolved.origin + resolved.pathname;
  } catch {
    return null;
  }
}
