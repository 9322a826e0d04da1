/**
 * One minified frame → its original position, function name and source context.
 *
 * Positions: the wire `Frame` (protocol/wire.ts) carries a 1-based line and the column the
 * browser printed — 1-based in Chromium, Firefox and Safari (agent/src/stack.ts passes it
 * through). Source maps are 0-based in both, so we subtract 1 from each on the way in and add
 * 1 back on the way out: the returned `line` and `column` are 1-based, like the input.
 * (`columnBase: 0` is for callers holding 0-based columns, e.g. wasm byte offsets.)
 *
 * Function name, first of:
 * 1. `scope: 'enclosing'` — the original name of the function enclosing the position
 *    (`ParsedMap.scopeName`: the map looked up at that function's name token, see scopes.ts;
 *    for a function anonymous in the bundle — inlined by the minifier, an arrow — the name the
 *    original source gives it where its start maps, `ParsedMap.enclosingScope`).
 *    Only when the map was parsed with the minified code. The same for every position in the
 *    function, so the same in every browser (Chromium and Firefox report different columns of
 *    one statement) and across builds (mangled names change per build). Class members are
 *    qualified (`OrderService.fetch`). This is the one to group issues by.
 * 2. `scope: 'token'` — the `names` entry of the segment at the position: what the bundler
 *    recorded for that token, at a call site usually the CALLEE, and which token depends on the
 *    browser's column. Used only without a scope index (no bundle uploaded): with one, an
 *    anonymous enclosing function falls back to the browser's name, not to a callee's.
 * 3. `scope: 'minified'` — the function name the browser printed (minified, changes per build).
 * `scope: null` when there is no name at all.
 * (A map's ECMA-426 `scopes` proposal field, if any, is not read: the names come from parsing
 * the minified code.)
 */
import type { Frame } from '../../../protocol/wire.js';
import type { ParsedMap } from './parsed-map.js';
import type { FrameStatus } from './status.js';

export interface SourceContext {
  /** Up to `contextLines` lines before the line, oldest first. */
  pre: string[];
  line: string;
  post: string[];
}

/** Where a mapped frame's function name came from: enclosing function, token at the position, minified frame. */
export type FunctionNameSource = 'enclosing' | 'token' | 'minified' | null;

export interface MappedFrame {
  status: 'mapped';
  file: string | null;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  function: string | null;
  /** Where `function` came from (see the header); grouping trusts only `'enclosing'`. */
  scope: FunctionNameSource;
  context: SourceContext;
  /** Whether the source is third-party per the map's `ignoreList`. */
  ignored: boolean;
  minified: Frame;
}

export interface SourceMissingFrame extends Omit<MappedFrame, 'status' | 'context'> {
  status: 'source_missing';
  /** Why there is no context, for people. */
  reason: string;
}

export interface UnmappedFrame {
  status: Exclude<FrameStatus, 'mapped' | 'source_missing'>;
  /** What went wrong, for people. */
  reason: string;
  minified: Frame;
}

export type SymbolicatedFrame = MappedFrame | SourceMissingFrame | UnmappedFrame;

export interface SymbolicateOptions {
  /** Lines of context each side. Default 5. */
  contextLines?: number;
  /** Context lines longer than this are cut (with a trailing or leading `…`). Default 300. */
  maxLineLength?: number;
  /** Base of `frame.column`. Default 1 (what browsers print). */
  columnBase?: 0 | 1;
}

const ELLIPSIS = '…';

/** Cuts `text` to `max` characters; keeps a window around `column` (0-based) when given. */
export function cutLine(text: string, max: number, column?: number): string {
  if (text.length <= max) return text;
  if (column === undefined || column < max) return text.slice(0, max) + ELLIPSIS;
  const start = Math.min(Math.max(0, column - Math.floor(max / 2)), text.length - max);
  const end = start + max;
  return (start > 0 ? ELLIPSIS : '') + text.slice(start, end) + (end < text.length ? ELLIPSIS : '');
}

export function symbolicateFrame(map: ParsedMap, frame: Frame, options: SymbolicateOptions = {}): SymbolicatedFrame {
  const contextLines = options.contextLines ?? 5;
  const maxLineLength = options.maxLineLength ?? 300;
  const columnBase = options.columnBase ?? 1;

  if (frame.line == null || frame.line < 1) {
    return { status: 'no_mapping_at_position', reason: 'the frame has no line number', minified: frame };
  }
  const line0 = frame.line - 1;
  // A missing column: look up the start of the line (greatest lower bound of column 0).
  const col0 = frame.column == null ? 0 : Math.max(0, frame.column - columnBase);
  const pos = map.originalPosition(line0, col0);
  if (!pos) {
    return {
      status: 'no_mapping_at_position',
      reason: `the map has no original position for ${frame.line}:${frame.column ?? '?'} (is the map for this exact build?)`,
      minified: frame,
    };
  }
  const enclosing = map.enclosingScope(line0, col0);
  // With a scope index, a token name at the position would be a callee's, never this frame's.
  const [name, scope]: [string | null, FunctionNameSource] =
    enclosing.name != null
      ? [enclosing.name, 'enclosing']
      : !enclosing.known && pos.name != null
        ? [pos.name, 'token']
        : frame.function != null
          ? [frame.function, 'minified']
          : [null, null];
  const base = {
    file: pos.source,
    line: pos.line + 1,
    column: pos.column + 1,
    function: name,
    scope,
    ignored: map.isIgnored(pos.sourceIndex),
    minified: frame,
  };
  const lines = map.sourceLines(pos.sourceIndex);
  if (!lines) {
    const reason = `the map has no sourcesContent for ${pos.source ?? 'this source'} (build the map with sources content included)`;
    return { status: 'source_missing', reason, ...base };
  }
  if (pos.line >= lines.length) {
    const reason = `sourcesContent of ${pos.source ?? 'this source'} has ${lines.length} lines, the map points at line ${pos.line + 1} (map and sources out of sync)`;
    return { status: 'source_missing', reason, ...base };
  }

  const from = Math.max(0, pos.line - contextLines);
  const to = Math.min(lines.length, pos.line + contextLines + 1);
  return {
    status: 'mapped',
    ...base,
    context: {
      pre: lines.slice(from, pos.line).map((l) => cutLine(l, maxLineLength)),
      line: cutLine(lines[pos.line], maxLineLength, pos.column),
      post: lines.slice(pos.line + 1, to).map((l) => cutLine(l, maxLineLength)),
    },
  };
}
