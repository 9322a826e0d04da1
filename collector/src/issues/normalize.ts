/**
 * Normalisation of the parts of a frame that grouping reads: the function name, spelled
 * differently by every engine, and the file, which carries origins, query strings and
 * content hashes that change with every deploy. Pure functions, no state.
 */

/** Names engines print for code that has no function name of its own. */
const ANONYMOUS = /^(?:\?|<anonymous>|anonymous|anonymous function|<anonymous function>|\(anonymous function\)|global code|module code|<global>|<toplevel>)$/i;

/**
 * A frame that stands for eval'd code rather than for a function: Chromium's and Firefox's
 * "eval", Safari's and Edge's "eval code". Where each engine puts it (and whether it prints
 * one at all) differs, so grouping skips them.
 */
export function isEvalFrameName(name: string | undefined): boolean {
  return !!name && /^(?:eval|eval code)$/i.test(name.trim());
}

/**
 * One spelling of a function name for all engines:
 * - Chromium prefixes the receiver (`Object.foo`, `HTMLButtonElement.onclick`), Edge the
 *   prototype (`Foo.prototype.bar`), Firefox sometimes the inference path (`a/b`): the last
 *   segment is kept;
 * - `new Foo` and `async foo` (Chromium) → `Foo`, `foo`; `foo [as bar]` → `foo`;
 * - Firefox's `foo/<`, `foo<` and `[2]</a/</<` are anonymous functions inside foo → '';
 * - a stray `@` at the end (Firefox, Safari) is dropped;
 * - anonymous spellings (`<anonymous>`, `Anonymous function`, `?`, Safari's `global code`,
 *   Chromium's `Object.<anonymous>`, `x.(anonymous function)`) → ''.
 * Names that are not identifier paths (wasm/C++ signatures) are kept whole.
 */
export function normalizeFunction(name: string | undefined): string {
  if (!name) return '';
  let fn = name.trim().replace(/@+$/, '').trim();
  fn = fn.replace(/\s+\[as [^\]]*\]$/, '');
  fn = fn.replace(/^(?:async|new)\s+/, '').replace(/^(?:async|new)\s+/, '');
  if (!fn || ANONYMOUS.test(fn)) return '';
  // Firefox: an anonymous function inside another ("test/<", "a.b<", "[2]</Bar._baz/</<").
  if (fn.endsWith('<')) return '';
  if (/(?:^|\.)(?:<anonymous>|\(anonymous function\))$/i.test(fn)) return '';
  // Firefox nests inferred names with "/": the innermost one is the function itself.
  if (/^[\w$#.<>[\]"'@/-]+$/.test(fn) && fn.includes('/')) fn = fn.slice(fn.lastIndexOf('/') + 1);
  // An identifier path (possibly with computed members): keep its last member.
  if (/^[\w$#.]+$/.test(fn) && fn.includes('.')) {
    const last = fn.slice(fn.lastIndexOf('.') + 1);
    if (last) fn = last;
  }
  return ANONYMOUS.test(fn) ? '' : fn;
}

/** Files that are not files: natives, anonymous scripts and eval'd code. */
const NOT_A_FILE = /^(?:\[?native(?: code)?\]?|<anonymous>|eval code|eval|<eval>|unknown|\?)$/i;

export interface FileOptions {
  /**
   * Directory names under which the path is kept (from the root on) rather than only the
   * basename, so that `src/a/index.ts` and `src/b/index.ts` stay apart. Default `['src']`.
   */
  roots?: readonly string[];
  /** Lower-case the result (the default). Off only for display (culprits). */
  lowerCase?: boolean;
}

const DEFAULT_ROOTS = ['src'];

/**
 * A stable module id for a file: no origin, query or hash, no content hash in the name,
 * and only the basename unless the path runs through a known root (`src/…`). Lower-case.
 * `https://cdn.example.com/static/js/app.4f1c2e9a.js?v=3` → `app.js`;
 * `webpack:///./src/app/foo.component.ts` → `src/app/foo.component.ts`;
 * `blob:https://x/uuid` → `<blob>`. Returns '' for natives and missing files.
 */
export function normalizeFile(file: string | undefined, options: FileOptions = {}): string {
  if (!file) return '';
  let path = file.trim();
  if (!path || NOT_A_FILE.test(path)) return '';
  if (/^<data:/.test(path) || /^data:/i.test(path)) return '<data>';
  if (/^blob:/i.test(path)) return '<blob>';
  path = path.replace(/\\/g, '/');
  // Strip the scheme and origin: "https://host:1/x", "webpack:///./x", "file:///C:/x", "app:///x".
  const scheme = /^[a-z][\w+.-]*:(?:\/\/[^/]*)?/i.exec(path);
  if (scheme && !/^[a-z]:\//i.test(path)) path = path.slice(scheme[0].length);
  path = path.replace(/[?#].*$/, '');
  // A Windows drive letter says nothing about the module.
  path = path.replace(/^\/?[a-z]:\//i, '/');
  const segments = path.split('/').filter((s) => s && s != '.' && s != '..' && s != '~');
  if (!segments.length) return '/';
  const roots = options.roots ?? DEFAULT_ROOTS;
  const root = segments.findIndex((s) => roots.includes(s));
  const kept = root >= 0 && root < segments.length - 1 ? segments.slice(root) : segments.slice(-1);
  kept[kept.length - 1] = stripContentHash(kept[kept.length - 1]);
  const id = kept.join('/');
  return options.lowerCase === false ? id : id.toLowerCase();
}

/** A token that a bundler put in a file name to bust caches, not one a developer chose. */
function isHashToken(token: string): boolean {
  if (token.length < 5 || token.length > 64 || !/^[\w]+$/.test(token)) return false;
  if (/^[0-9a-f]+$/i.test(token) && /\d/.test(token) && token.length >= 5) return true; // webpack, rollup hex
  if (token.length >= 8 && /\d/.test(token)) return true; // vite / esbuild base64-ish with a digit
  if (token.length == 8 && /^[A-Z0-9]+$/.test(token)) return true; // esbuild (Angular CLI) "HXRYZQ4W"
  // vite's 8-character base64url mixes cases: "DkLmQwEr".
  return token.length == 8 && /[a-z]/.test(token) && /[A-Z]/.test(token.slice(1));
}

/**
 * `app.4f1c2.js` → `app.js`, `main-HXRYZQ4W.js` → `main.js`, `index-BfX3a1_c.js` →
 * `index.js`, `cd351f7250857e22ceaa.worker.js` → `worker.js`. Extensions stay.
 */
export function stripContentHash(basename: string): string {
  const dot = basename.search(/\.(?:[cm]?[jt]sx?|wasm|html?|vue|svelte|bundle)$/i);
  if (dot <= 0) return basename;
  const ext = basename.slice(dot);
  const stem = basename.slice(0, dot);
  const parts = stem.split('.').filter((part) => !isHashToken(part));
  let out = parts.join('.');
  // A hash after "-" (vite's base64url may itself hold "-" and "_"; esbuild's is upper-case).
  const eight = /^(.+?)-([\w-]{8})$/.exec(out);
  const last = /^(.+)-(\w+)$/.exec(out);
  if (eight && isHashToken(eight[2].replace(/-/g, '_'))) out = eight[1];
  else if (last && isHashToken(last[2])) out = last[1];
  return (out || stem) + ext;
}

/**
 * The message reduced to what identifies the bug: variable data (URLs, e-mails, UUIDs, hex
 * ids, IPs, numbers, quoted values that are not plain identifiers) becomes placeholders;
 * the "Uncaught (in promise): " and "TypeError: " prefixes that some capture paths add are
 * dropped; whitespace collapses. A quoted identifier — `(reading 'id')`,
 * `(evaluating 'x.undef')` — is kept: it names the property or variable, which is the bug.
 */
export function normalizeMessage(message: string | undefined, type?: string): string {
  if (!message) return '';
  let text = message.replace(/\s+/g, ' ').trim();
  text = text.replace(/^Uncaught(?: \(in promise\))?:? /i, '');
  if (type && text.startsWith(type + ': ')) text = text.slice(type.length + 2);
  text = text
    .replace(/\b[a-z][\w+.-]*:\/\/[^\s'"`)<>\]]+/gi, '<url>')
    .replace(/\bwww\.[^\s'"`)<>\]]+/gi, '<url>')
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '<email>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/(['"`‘“])([^'"`’”]*)(['"`’”])/g, (whole, open: string, inner: string) =>
      /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(inner) && inner.length <= 64 ? whole : open + '<quoted>' + open,
    )
    .replace(/-?(?<![\w$])\d+(?:[.,]\d+)*/g, '<n>');
  return text.length > 512 ? text.slice(0, 512) : text;
}
