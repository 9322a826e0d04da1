/**
 * Function scopes of a minified bundle, for naming a frame after its ENCLOSING function.
 *
 * A frame's `names` entry is whatever token the bundler mapped at the frame's column — at a call
 * site usually the callee, and browsers disagree on the column (Chromium and Firefox point at
 * different tokens of one statement). Grouping needs a name that is the same in every browser
 * and across builds, so we parse the minified code with acorn, record every function's range
 * and the identifier that names it, and later (parsed-map.ts `scopeName`) look that identifier
 * up in the map: its `names` entry is the original name even when the minifier mangled it.
 *
 * What names a function (first match):
 * - its own id: `function f(){}`, `const g = function f(){}` → `f`;
 * - the declarator: `const f = () => …`;
 * - an object property or class member key: `{ f: function(){} }`, `{ f(){} }`, `class { f(){} }`,
 *   getters and setters, class fields `f = () => …` (string and number keys too; computed keys
 *   other than literals name nothing);
 * - an assignment target: `a.b.c = function(){}` → `c`, `f = function(){}` → `f`; a default value
 *   `(f = () => …)` → `f`;
 * - a constructor is named by its class.
 * Class members also record their class's name token (`owner`), so callers can print
 * `OrderService.fetch`. A class is named by its declarator, assignment or key first, then by its
 * own id: bundlers rewrite `class A` to `var A = class _A {…}` when the class refers to itself,
 * and the declarator is the one that maps to the original name.
 *
 * The innermost function containing a position is THE enclosing function, named or not: an
 * anonymous callback is reported as anonymous (null name), not as the named function around it
 * (what Sentry shows as `<anonymous>`). Walking outwards would put a throw in
 * `items.forEach(x => …)` and a throw directly in the outer function into the same group.
 *
 * The scopes are those of the MINIFIED code: a function the minifier inlined into its only
 * caller (terser does) is part of the caller there, and one it wrapped (esbuild lowering `async`
 * for old targets: `__async(this, null, function* () {…})`) is an anonymous function inside it.
 *
 * Positions are 0-based lines and 0-based UTF-16 columns, like source maps and the columns
 * browsers print (minus one). Lines end at \n, \r\n, \r, U+2028 and U+2029 (ECMAScript's line
 * terminators, which is how acorn and browsers count). A leading BOM is dropped (browsers drop
 * it before compiling, so columns on line 1 do not count it).
 *
 * Cost: acorn builds the whole AST (measured ~30 bytes of heap per source byte without
 * `locations`, ~55 with; line/column are therefore computed here from offsets instead of asking
 * acorn for `locations`), so sources over `maxBytes` (default 8 MB, ~240 MB of heap at the cap)
 * are not indexed. A source that does not parse (as a module, then as a script) is not indexed either. Neither throws:
 * the result is null and frames keep their token-based names.
 *
 * The index is typed arrays plus one string: structured-clonable, and the arrays are
 * transferable (parse-worker.ts builds it off the main thread).
 */
import { parse, type Options } from 'acorn';
import { ancestor } from 'acorn-walk';

export const DEFAULT_SCOPE_SOURCE_BYTES = 8 * 1024 * 1024;

/** Int32 fields per function in `ScopeIndex.functions`. */
export const FN_STRIDE = 7;
/** Int32 fields per name token in `ScopeIndex.tokens`. */
export const TOKEN_STRIDE = 7;

/** A binding the minifier may rename (variable, function or class id, `#private` name): its `names` entry is the original. */
export const TOKEN_BINDING = 0;
/**
 * A property key (object/class member key, `a.b.c =` target): minifiers keep these (unless
 * property mangling is switched on: esbuild `mangleProps`, terser `mangle.properties`), so the
 * minified text is the original name — and its `names` entry is NOT trusted: terser folds
 * `handlers.onSubmit = function…` into `var t={onSubmit:function…}` and the key's segment then
 * carries the name `handlers`.
 */
export const TOKEN_KEY = 1;

export interface ScopeIndex {
  /**
   * Functions sorted by start (an outer function before the ones it contains), `FN_STRIDE`
   * int32 each: start line, start column, end line, end column (exclusive), parent function
   * (index, -1 at top level), name token (-1: anonymous), owner token (the class of a class
   * member, -1: none). The range is the whole function node: parameters and body (for a method,
   * from its `(`).
   */
  functions: Int32Array;
  /**
   * Name tokens, `TOKEN_STRIDE` int32 each: line, column, start and length of the minified name
   * in `text`, kind (`TOKEN_BINDING` | `TOKEN_KEY`), anchor line and column (where the member
   * starts — `get`, `static`, `async` — for a key; the token itself otherwise).
   */
  tokens: Int32Array;
  /** The minified names of all tokens, concatenated. */
  text: string;
}

export interface ScopeIndexOptions {
  /** Sources longer than this (bytes for a Uint8Array, UTF-16 units for a string) are not indexed. Default 8 MB. */
  maxBytes?: number;
}

export type ScopeIndexResult = { index: ScopeIndex; reason?: undefined } | { index: null; reason: string };

/** A name token: where the identifier naming a function (or its class) is in the minified code. */
export interface NameToken {
  line0: number;
  col0: number;
  minifiedName: string;
  /** `'binding'`: renamable, look its `names` entry up; `'key'`: a property key, kept as written. */
  kind: 'binding' | 'key';
  /** Where the member starts (`get size(){}` → at `get`) for a key; the token otherwise. */
  anchorLine0: number;
  anchorCol0: number;
}

export interface EnclosingFunction {
  /** Name token position, -1/-1 when the function is anonymous. */
  nameLine0: number;
  nameCol0: number;
  /** Minified name; null when the function is anonymous. */
  minifiedName: string | null;
  /** The name token in full; null when the function is anonymous. */
  name: NameToken | null;
  /** For a class member (method, getter, setter, field): the class's name token, when the class has one. */
  owner: NameToken | null;
}

/** Builds the index; null when the source is over the size limit or does not parse. Never throws. */
export function buildScopeIndex(minifiedSource: string | Uint8Array, options: ScopeIndexOptions = {}): ScopeIndex | null {
  return buildScopeIndexWithReason(minifiedSource, options).index;
}

/** `buildScopeIndex`, saying why there is no index (for logs). Never throws. */
export function buildScopeIndexWithReason(minifiedSource: string | Uint8Array, options: ScopeIndexOptions = {}): ScopeIndexResult {
  try {
    const maxBytes = options.maxBytes ?? DEFAULT_SCOPE_SOURCE_BYTES;
    if (minifiedSource.length > maxBytes) {
      const unit = typeof minifiedSource === 'string' ? 'characters' : 'bytes';
      return { index: null, reason: `minified source is ${minifiedSource.length} ${unit}, over the scope index limit of ${maxBytes} (maxScopeSourceBytes)` };
    }
    let text = typeof minifiedSource === 'string' ? minifiedSource : new TextDecoder('utf-8').decode(minifiedSource);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return build(text);
  } catch (err) {
    // Parse errors, and anything else (a stack overflow walking a pathological nesting depth).
    return { index: null, reason: `minified source not indexed: ${(err as Error)?.message ?? String(err)}` };
  }
}

// ---- build -------------------------------------------------------------------------------------

/* eslint-disable @typescript-eslint/no-explicit-any -- ESTree nodes from acorn, read structurally */
type AnyNode = any;

const PARSE_OPTIONS = {
  ecmaVersion: 'latest',
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
} as const satisfies Omit<Options, 'sourceType'>;

function parseEither(text: string): AnyNode {
  try {
    return parse(text, { ...PARSE_OPTIONS, sourceType: 'module' });
  } catch (moduleErr) {
    try {
      return parse(text, { ...PARSE_OPTIONS, sourceType: 'script' });
    } catch (scriptErr) {
      throw new Error(`does not parse as a module (${(moduleErr as Error).message}) nor as a script (${(scriptErr as Error).message})`);
    }
  }
}

/** Offsets of line starts (ECMAScript line terminators). */
function lineStartsOf(text: string): Uint32Array {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return Uint32Array.from(starts);
}

/** Greatest line whose start is <= offset. */
function lineOf(starts: Uint32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const isFunction = (n: AnyNode): boolean =>
  n?.type === 'FunctionExpression' || n?.type === 'ArrowFunctionExpression' || n?.type === 'FunctionDeclaration';

/** A node naming a function or class, with its token kind and anchor offset (see `ScopeIndex.tokens`). */
interface Naming {
  node: AnyNode;
  kind: typeof TOKEN_BINDING | typeof TOKEN_KEY;
  anchor: number;
}

/** An identifier binding (declarator, function or class id, assigned variable). */
const binding = (node: AnyNode): Naming => ({ node, kind: TOKEN_BINDING, anchor: node.start });

/** The key naming a property/method/field, or null (computed keys other than literals). */
function keyOf(key: AnyNode, computed: boolean, anchor: number): Naming | null {
  if (computed && !(key?.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number'))) return null;
  // A `#private` key is renamed by minifiers (esbuild: `#load` → `#s`, with a `names` entry): a binding.
  return { node: key, kind: key.type === 'PrivateIdentifier' ? TOKEN_BINDING : TOKEN_KEY, anchor: key.type === 'PrivateIdentifier' ? key.start : anchor };
}

/** What `parent` calls `node` (a function or class value): declarator, key, assignment target. */
function contextName(node: AnyNode, parent: AnyNode): Naming | null {
  if (!parent) return null;
  switch (parent.type) {
    case 'VariableDeclarator':
      return parent.init === node && parent.id.type === 'Identifier' ? binding(parent.id) : null;
    case 'AssignmentExpression': {
      if (parent.right !== node) return null;
      const left = parent.left;
      if (left.type === 'Identifier') return binding(left);
      if (left.type === 'MemberExpression') return keyOf(left.property, left.computed, left.property.start);
      return null;
    }
    case 'AssignmentPattern':
      return parent.right === node && parent.left.type === 'Identifier' ? binding(parent.left) : null;
    case 'Property':
    case 'PropertyDefinition':
    case 'MethodDefinition':
      return parent.value === node ? keyOf(parent.key, parent.computed, parent.start) : null;
    default:
      return null;
  }
}

function tokenText(n: AnyNode): string | null {
  switch (n.type) {
    case 'Identifier':
      return n.name;
    case 'PrivateIdentifier':
      return `#${n.name}`;
    case 'Literal':
      return typeof n.value === 'string' || typeof n.value === 'number' ? String(n.value) : null;
    default:
      return null;
  }
}

function build(text: string): ScopeIndexResult {
  const ast = parseEither(text);

  // Flat records in walk order: start offset, end offset, name token, owner token.
  const fns: number[] = [];
  // Flat: offset, kind, anchor offset.
  const tokenRecords: number[] = [];
  const tokenNames: string[] = [];
  const tokenOf = new Map<AnyNode, number>();
  const addToken = (naming: Naming | null): number => {
    if (!naming) return -1;
    const known = tokenOf.get(naming.node);
    if (known !== undefined) return known;
    const name = tokenText(naming.node);
    const i = name == null ? -1 : tokenNames.length;
    if (name != null) {
      tokenRecords.push(naming.node.start, naming.kind, naming.anchor);
      tokenNames.push(name);
    }
    tokenOf.set(naming.node, i);
    return i;
  };
  /** The class's name: declarator/assignment/key first (see the header), then its own id. */
  const classToken = (cls: AnyNode, parent: AnyNode): number =>
    addToken(contextName(cls, parent) ?? (cls.id ? binding(cls.id) : null));

  ancestor(ast, {
    Function(node: AnyNode, _state: unknown, ancestors: AnyNode[]) {
      const n = ancestors.length;
      const parent = ancestors[n - 2];
      let name = -1;
      let owner = -1;
      const isMember = parent && (parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && parent.value === node;
      // ancestors: …, class, ClassBody, member, function
      const cls = isMember ? ancestors[n - 4] : null;
      const classKnown = cls && (cls.type === 'ClassDeclaration' || cls.type === 'ClassExpression');
      if (isMember && parent.kind === 'constructor') {
        if (classKnown) name = classToken(cls, ancestors[n - 5]);
      } else {
        name = addToken(node.id ? binding(node.id) : contextName(node, parent));
        if (classKnown) owner = classToken(cls, ancestors[n - 5]);
      }
      fns.push(node.start, node.end, name, owner);
    },
  });

  const count = fns.length / 4;
  // Sort by start, longer first on ties (an outer function before an inner one starting there).
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((a, b) => fns[a * 4] - fns[b * 4] || fns[b * 4 + 1] - fns[a * 4 + 1]);

  const starts = lineStartsOf(text);
  const functions = new Int32Array(count * FN_STRIDE);
  const stack: number[] = []; // sorted indexes of the functions open at the current start
  for (let k = 0; k < count; k++) {
    const i = order[k];
    const start = fns[i * 4];
    const end = fns[i * 4 + 1];
    while (stack.length && fns[order[stack[stack.length - 1]] * 4 + 1] <= start) stack.pop();
    const o = k * FN_STRIDE;
    const sl = lineOf(starts, start);
    const el = lineOf(starts, end);
    functions[o] = sl;
    functions[o + 1] = start - starts[sl];
    functions[o + 2] = el;
    functions[o + 3] = end - starts[el];
    functions[o + 4] = stack.length ? stack[stack.length - 1] : -1;
    functions[o + 5] = fns[i * 4 + 2];
    functions[o + 6] = fns[i * 4 + 3];
    stack.push(k);
  }

  const tokens = new Int32Array(tokenNames.length * TOKEN_STRIDE);
  let at = 0;
  for (let t = 0; t < tokenNames.length; t++) {
    const off = tokenRecords[t * 3];
    const anchor = tokenRecords[t * 3 + 2];
    const line = lineOf(starts, off);
    const anchorLine = anchor === off ? line : lineOf(starts, anchor);
    const o = t * TOKEN_STRIDE;
    tokens[o] = line;
    tokens[o + 1] = off - starts[line];
    tokens[o + 2] = at;
    tokens[o + 3] = tokenNames[t].length;
    tokens[o + 4] = tokenRecords[t * 3 + 1];
    tokens[o + 5] = anchorLine;
    tokens[o + 6] = anchor - starts[anchorLine];
    at += tokenNames[t].length;
  }
  return { index: { functions, tokens, text: tokenNames.join('') } };
}

// ---- lookup ------------------------------------------------------------------------------------

function token(index: ScopeIndex, t: number): NameToken {
  const o = t * TOKEN_STRIDE;
  const { tokens } = index;
  return {
    line0: tokens[o],
    col0: tokens[o + 1],
    minifiedName: index.text.slice(tokens[o + 2], tokens[o + 2] + tokens[o + 3]),
    kind: tokens[o + 4] === TOKEN_KEY ? 'key' : 'binding',
    anchorLine0: tokens[o + 5],
    anchorCol0: tokens[o + 6],
  };
}

/** Index (in `functions`) of the innermost function containing the position, or -1. */
export function enclosingFunctionIndex(index: ScopeIndex, line0: number, col0: number): number {
  const f = index.functions;
  const count = f.length / FN_STRIDE;
  // Last function starting at or before the position.
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const o = mid * FN_STRIDE;
    if (f[o] < line0 || (f[o] === line0 && f[o + 1] <= col0)) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // It, or the nearest ancestor still open at the position (ranges nest).
  while (found >= 0) {
    const o = found * FN_STRIDE;
    if (line0 < f[o + 2] || (line0 === f[o + 2] && col0 < f[o + 3])) return found;
    found = f[o + 4];
  }
  return -1;
}

/**
 * The innermost function containing the position: its name token (anonymous: -1/-1 and a null
 * name) and, for class members, the class's name token. Null at top level (no function).
 */
export function enclosingFunction(index: ScopeIndex, line0: number, col0: number): EnclosingFunction | null {
  const i = enclosingFunctionIndex(index, line0, col0);
  if (i < 0) return null;
  const name = index.functions[i * FN_STRIDE + 5];
  const owner = index.functions[i * FN_STRIDE + 6];
  const t = name >= 0 ? token(index, name) : null;
  return {
    nameLine0: t ? t.line0 : -1,
    nameCol0: t ? t.col0 : -1,
    minifiedName: t ? t.minifiedName : null,
    name: t,
    owner: owner >= 0 ? token(index, owner) : null,
  };
}

/** The typed arrays to put in a `postMessage` transfer list. */
export const scopeIndexTransferables = (index: ScopeIndex): ArrayBuffer[] => [index.functions.buffer as ArrayBuffer, index.tokens.buffer as ArrayBuffer];
