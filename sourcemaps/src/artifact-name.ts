/**
 * Artifact names: the URL a browser loads a file from, as the collector matches stack frames
 * against them. `~/` stands for any scheme and host (`~/static/js/app.js` matches
 * `https://shop.example.com/static/js/app.js` and `http://localhost:5173/static/js/app.js`);
 * a full URL prefix names one origin (a CDN).
 */

export const DEFAULT_URL_PREFIX = '~/';

/** The prefix with one trailing slash; throws, saying what is allowed, when it is neither `~/…` nor an http(s) URL. */
export function normalizeUrlPrefix(prefix: string): string {
  const withSlash = prefix.endsWith('/') ? prefix : prefix + '/';
  if (withSlash.startsWith('~/')) return withSlash;
  if (/^https?:\/\/[^/\s]+\//i.test(withSlash)) {
    const url = new URL(withSlash);
    if (!url.search && !url.hash) return url.href;
  }
  throw new Error(
    `--url-prefix "${prefix}" must be ~/ plus a path (~/static/js/) or a full URL (https://cdn.example.com/assets/): the start of the URLs your pages load the files from`,
  );
}

/**
 * The artifact name of the file at `relativePath` (with `/` separators) under the uploaded
 * folder: the prefix, then the path percent-encoded as browsers encode it in a URL (and so
 * print it in stacks): `my app.js` is `my%20app.js`.
 */
export function artifactName(urlPrefix: string, relativePath: string): string {
  // `%`, `?` and `#` in a file name are literal characters, not URL syntax.
  const literal = relativePath.replace(/[%?#]/g, (c) => encodeURIComponent(c));
  return normalizeUrlPrefix(urlPrefix) + new URL(literal, 'http://host/').pathname.slice(1);
}
