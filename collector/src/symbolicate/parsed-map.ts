/**
 * A parsed map ready for lookups. Lookup = `@jridgewell/trace-mapping`'s `traceSegment`
 * (binary search, greatest lower bound), chosen over `source-map` 0.7 by bench/symbolicate-libs.ts.
 * Its index (decoded segment arrays) is built from the flat typed arrays one generated line at
 * a time, on the first lookup in that line.
 *
 * `scopeName` names a position after its enclosing function (scopes.ts has the index): the map
 * is looked up at the function's NAME TOKEN, not at the frame, so every position inside the
 * function — whatever column a browser reports — gets the same name.
 */
import { presortedDecodedMap, traceSegment, type SourceMapSegment, type TraceMap } from '@jridgewell/trace-mapping';
import { SEGMENT_STRIDE } from './decode-mappings.js';
import { contentAt, type ParsedMapData } from './parse-map.js';
import { enclosingFunction, enclosingFunctionIndex, FN_STRIDE, type NameToken } from './scopes.js';

/** An original position: 0-based line and column, as in the map. */
export interface OriginalPosition {
  sourceIndex: number;
  /** Source path (sourceRoot applied); null when the map's `sources` entry is null. */
  source: string | null;
  line: number;
  column: number;
  name: string | null;
}

export interface ParsedMap {
  readonly data: ParsedMapData;
  /**
   * Segment covering a generated position (0-based line and column; greatest lower bound on
   * the line). `null` when no segment covers it or the segment has no original position.
   */
  originalPosition(line: number, column: number): OriginalPosition | null;
  /** Original source text split into lines (lazily, memoised); null without sourcesContent. */
  sourceLines(sourceIndex: number): string[] | null;
  /** Whether the source is third-party per `ignoreList`. */
  isIgnored(sourceIndex: number): boolean;
  /**
   * Original name of the function enclosing a generated position (0-based line and column),
   * from the scope index (`data.scopes`, present when the parse was given the minified code).
   * The map is looked up exactly at the function's name token. A binding (variable, function or
   * class id, `#private`): that segment's `names` entry when it has one (terser and esbuild
   * record the original name of a mangled identifier), else the minified name when the token
   * maps to an original position. A property key (method, `{ f: … }`, `a.b.f = …`), which
   * minifiers keep: the minified name when the key or its member's start maps; the key's
   * `names` entry is not used (scopes.ts `TOKEN_KEY` says why). A class member is qualified by
   * its class when that resolves too (`OrderService.fetch`); a constructor is named by its class.
   * Null without a scope index, at top level, in an anonymous function (the innermost function
   * is the enclosing one, named or not), or when the name token has no segment of its own.
   */
  scopeName(line: number, column: number): string | null;
  /**
   * What the scope index knows of the function enclosing a position: `known` false without an
   * index (names must then come from elsewhere). Known and anonymous in the bundle — often a
   * function the minifier inlined or an arrow — the name is read from the ORIGINAL source where
   * the function's start maps (`function cartTotal(`, `const load = (`, `total: function (`,
   * a method `fetch(`); null when that says nothing (a callback, the top level).
   */
  enclosingScope(line: number, column: number): { known: boolean; name: string | null };
}

const NOT_NAMES = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'new', 'typeof', 'await', 'yield', 'async', 'constructor']);
const IDENTIFIER = /[A-Za-z_$][\w$]*/;

/** The name an original source gives the function starting at `column` of `text`, if it says. */
export function nameInSource(text: string, column: number): string | null {
  // Bundlers map a function's start to its keyword or to just before it (after `export`).
  const at = text.slice(column).trimStart();
  const before = text.slice(0, column);
  const declared =
    /^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(at) ??
    /^(?:(?:public|private|protected|static|async|override|readonly)\s+)*(?:get\s+|set\s+)?\*?\s*(#?[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(/.exec(at);
  if (declared && !NOT_NAMES.has(declared[1])) return declared[1];
  // `const load = (…) =>`, `load = function`, `{ load: async () =>`, `this.load = …`
  const assigned = /([A-Za-z_$][\w$]*)\s*(?::\s*[^=:;(){}]+)?\s*[:=]\s*(?:async\s*)?(?:function\b\s*\*?\s*)?$/.exec(before);
  if (assigned && !NOT_NAMES.has(assigned[1]) && IDENTIFIER.test(assigned[1])) return assigned[1];
  return null;
}

/** One generated line in trace-mapping's decoded form, sorted by generated column. */
export function decodeLine(data: ParsedMapData, line: number): SourceMapSegment[] {
  const { segments, lineStarts } = data;
  const from = lineStarts[line];
  const to = lineStarts[line + 1];
  const out: SourceMapSegment[] = new Array(to - from);
  let sorted = true;
  for (let i = from; i < to; i++) {
    const o = i * SEGMENT_STRIDE;
    const src = segments[o + 1];
    const name = segments[o + 4];
    out[i - from] =
      src < 0
        ? [segments[o]]
        : name < 0
          ? [segments[o], src, segments[o + 2], segments[o + 3]]
          : [segments[o], src, segments[o + 2], segments[o + 3], name];
    if (i > from && segments[o] < segments[o - SEGMENT_STRIDE]) sorted = false;
  }
  // Stable sort keeps the map's order for equal columns (ECMA-426 allows unsorted segments).
  if (!sorted) out.sort((a, b) => a[0] - b[0]);
  return out;
}

export function createParsedMap(data: ParsedMapData): ParsedMap {
  let tracer: TraceMap | undefined;
  // trace-mapping's decoded lines, filled in line by line on first use: no whole-map rebuild
  // on the main thread (a minified bundle line is decoded in well under a millisecond).
  const lines: (SourceMapSegment[] | undefined)[] = new Array(data.lineStarts.length - 1);
  const linesCache = new Map<number, string[]>();
  const ignored = new Set(data.ignoreList);

  const getTracer = (): TraceMap =>
    (tracer ??= presortedDecodedMap({
      version: 3,
      // Sources and names are read from `data` by index; trace-mapping needs no copy.
      sources: [],
      names: [],
      mappings: lines as SourceMapSegment[][],
    }));

  return {
    data,
    originalPosition(line, column) {
      if (line < 0 || column < 0 || line >= data.lineStarts.length - 1) return null;
      lines[line] ??= decodeLine(data, line);
      const seg = traceSegment(getTracer(), line, column);
      if (!seg || seg.length === 1) return null;
      return {
        sourceIndex: seg[1],
        source: data.sources[seg[1]] ?? null,
        line: seg[2],
        column: seg[3],
        name: seg.length === 5 ? data.names[seg[4]] : null,
      };
    },
    sourceLines(sourceIndex) {
      const cached = linesCache.get(sourceIndex);
      if (cached) return cached;
      const text = contentAt(data, sourceIndex);
      if (typeof text !== 'string') return null;
      const lines = text.split(/\r\n|\r|\n|\u2028|\u2029/);
      linesCache.set(sourceIndex, lines);
      return lines;
    },
    isIgnored: (sourceIndex) => ignored.has(sourceIndex),
    enclosingScope(line, column) {
      if (!data.scopes || line < 0 || column < 0) return { known: false, name: null };
      const named = this.scopeName(line, column);
      if (named != null) return { known: true, name: named };
      const i = enclosingFunctionIndex(data.scopes, line, column);
      if (i < 0) return { known: true, name: null };
      const start = this.originalPosition(data.scopes.functions[i * FN_STRIDE], data.scopes.functions[i * FN_STRIDE + 1]);
      const text = start && this.sourceLines(start.sourceIndex)?.[start.line];
      return { known: true, name: text ? nameInSource(text, start.column) : null };
    },
    scopeName(line, column) {
      if (!data.scopes || line < 0 || column < 0) return null;
      const fn = enclosingFunction(data.scopes, line, column);
      if (!fn?.name) return null;
      const name = tokenName(fn.name);
      if (name == null) return null;
      const owner = fn.owner && tokenName(fn.owner);
      return owner ? `${owner}.${name}` : name;
    },
  };

  /**
   * Segments starting exactly at a generated position: -1 none, 0 only unmapped ones, 1 some
   * map to an original position; or the `names` index of the first named one (>= 2: index + 2).
   */
  function segmentAt(line: number, column: number): number {
    if (line < 0 || line >= data.lineStarts.length - 1) return -1;
    const segs = (lines[line] ??= decodeLine(data, line));
    // First segment at or after the column (sorted by generated column).
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid][0] < column) lo = mid + 1;
      else hi = mid;
    }
    let found = -1;
    for (let i = lo; i < segs.length && segs[i][0] === column; i++) {
      const seg = segs[i];
      if (seg.length === 5) return seg[4] + 2;
      found = Math.max(found, seg.length === 4 ? 1 : 0);
    }
    return found;
  }

  /**
   * Original name of a name token (see `scopeName`). A binding: its `names` entry, else its
   * minified name when it maps. A key (kept as written by minifiers): its minified name when the
   * key or the start of its member (`get`, `static`: terser maps those, not the key) maps; its
   * `names` entry is not used (see scopes.ts `TOKEN_KEY`).
   */
  function tokenName(token: NameToken): string | null {
    const at = segmentAt(token.line0, token.col0);
    if (token.kind === 'binding') {
      if (at >= 2) return data.names[at - 2] || null;
      return at === 1 ? token.minifiedName : null;
    }
    if (at >= 1) return token.minifiedName;
    return segmentAt(token.anchorLine0, token.anchorCol0) >= 1 ? token.minifiedName : null;
  }
}
