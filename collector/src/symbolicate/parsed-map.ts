/**
 * A parsed map ready for lookups. Lookup = `@jridgewell/trace-mapping`'s `traceSegment`
 * (binary search, greatest lower bound), chosen over `source-map` 0.7 by bench/symbolicate-libs.ts.
 * Its index (decoded segment arrays) is built from the flat typed arrays one generated line at
 * a time, on the first lookup in that line.
 */
import { presortedDecodedMap, traceSegment, type SourceMapSegment, type TraceMap } from '@jridgewell/trace-mapping';
import { SEGMENT_STRIDE } from './decode-mappings.js';
import { contentAt, type ParsedMapData } from './parse-map.js';

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
  };
}
