/**
 * Source map validation and parsing (ECMA-426 v3: regular maps and index maps with `sections`).
 *
 * `parseMapData` does the CPU-heavy part — JSON.parse, structural validation, mapping decode —
 * and returns plain data with the mappings in typed arrays (`ParsedMapData`): it runs on the
 * main thread or in a worker (parse-off-thread.ts) and crosses threads by transfer, not copy.
 * `createParsedMap` wraps that data for lookups (cheap; the trace-mapping index is built on the
 * first lookup).
 *
 * Rejections throw `SourceMapError` with `status` `map_invalid` (reason from the validator,
 * e.g. "invalid VLQ") or `map_too_large` (which limit, and the option that raises it).
 *
 * Given the minified code the map is for, `parseMapData` also indexes its function scopes
 * (scopes.ts) so frames can be named after their enclosing function. That index is best effort:
 * a minified source over `maxScopeSourceBytes` or one that does not parse leaves `scopes` unset
 * (`scopesSkipped` says why) and never rejects the map.
 */
import { SEGMENT_STRIDE, decodeMappings } from './decode-mappings.js';
import { DEFAULT_SCOPE_SOURCE_BYTES, buildScopeIndexWithReason, type ScopeIndex } from './scopes.js';
import { SourceMapError, invalid, tooLarge } from './status.js';

export interface MapLimits {
  /** Max size of the map text (bytes for binary input, UTF-16 units for strings). Default 100 MB. */
  maxBytes: number;
  /** Max entries in `sources` (all sections together). Default 50,000. */
  maxSources: number;
  /** Max entries in `names` (all sections together). Default 2,000,000. */
  maxNames: number;
  /** Max length of `mappings` (all sections together). Default 64 M characters. */
  maxMappingsLength: number;
  /** Max `sections` of an index map. Default 10,000. */
  maxSections: number;
  /**
   * Max size of the minified source indexed for enclosing-function names (bytes for binary
   * input, UTF-16 units for strings). Default 8 MB. Over it the map is still parsed, without
   * `scopes` (not an error): parsing JS costs ~30 bytes of heap per source byte.
   */
  maxScopeSourceBytes: number;
}

export const DEFAULT_MAP_LIMITS: Readonly<MapLimits> = Object.freeze({
  maxBytes: 100 * 1024 * 1024,
  maxSources: 50_000,
  maxNames: 2_000_000,
  maxMappingsLength: 64 * 1024 * 1024,
  maxSections: 10_000,
  maxScopeSourceBytes: DEFAULT_SCOPE_SOURCE_BYTES,
});

/** Plain, structured-clone-friendly result of parsing; typed arrays are transferable. */
export interface ParsedMapData {
  file: string | null;
  /** ECMA-426 debug ID proposal; null when absent or not a UUID. Index maps: top level only. */
  debugId: string | null;
  /** Sources as written (sourceRoot applied), null where the map has null. */
  sources: (string | null)[];
  sourcesContent: (string | null)[];
  /**
   * sourcesContent as one UTF-8 buffer, set instead of `sourcesContent` by the off-thread parse:
   * transferred rather than cloned (deserialising ~5 MB of strings cost the main thread 2–8 ms),
   * decoded per source on first use. Source `i` is `bytes[ends[i-1] .. ends[i]]`; `nulls[i]` = 1
   * where the map has null.
   */
  packedContent?: PackedContent;
  names: string[];
  /** Indexes into `sources` of third-party code (ECMA-426 `ignoreList`). */
  ignoreList: number[];
  segments: Int32Array;
  lineStarts: Uint32Array;
  segmentCount: number;
  /** Size of the input (cache weight; see map-cache.ts). */
  inputLength: number;
  /**
   * Function scopes of the minified code (scopes.ts), when it was given to the parse and could
   * be indexed. Positions are generated positions of this map.
   */
  scopes?: ScopeIndex;
  /** Why `scopes` is absent although minified code was given (over the size limit, parse error). */
  scopesSkipped?: string;
}

export interface PackedContent {
  bytes: Uint8Array;
  ends: Uint32Array;
  nulls: Uint8Array;
}

/** Packs sourcesContent into one UTF-8 buffer that owns its ArrayBuffer (transferable). */
export function packContent(list: (string | null)[]): PackedContent {
  let total = 0;
  for (const s of list) total += s ? Buffer.byteLength(s, 'utf8') : 0;
  const bytes = Buffer.allocUnsafeSlow(total);
  const ends = new Uint32Array(list.length);
  const nulls = new Uint8Array(list.length);
  let at = 0;
  list.forEach((s, i) => {
    if (s == null) nulls[i] = 1;
    else at += bytes.write(s, at, 'utf8');
    ends[i] = at;
  });
  return { bytes: new Uint8Array(bytes.buffer, 0, total), ends, nulls };
}

/** Source text `i` from either form; null where absent. */
export function contentAt(data: ParsedMapData, i: number): string | null {
  const packed = data.packedContent;
  if (!packed) return data.sourcesContent[i] ?? null;
  if (i >= packed.ends.length || packed.nulls[i]) return null;
  const start = i === 0 ? 0 : packed.ends[i - 1];
  return Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset + start, packed.ends[i] - start).toString('utf8');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Joins `sourceRoot` and a source the way browsers display it (`root/` + relative source). */
export function resolveSource(sourceRoot: string | undefined, source: string | null): string | null {
  if (source == null) return null;
  if (!sourceRoot) return source;
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) || source.startsWith('/')) return source;
  return sourceRoot.endsWith('/') ? sourceRoot + source : `${sourceRoot}/${source}`;
}

interface Budget {
  sources: number;
  names: number;
  mappings: number;
}

interface RegularPart {
  sources: (string | null)[];
  sourcesContent: (string | null)[];
  names: string[];
  ignoreList: number[];
  mappings: string;
}

function checkOptionalString(map: Json, key: string, where: string): string | undefined {
  const v = map[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`${where}"${key}" must be a string, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}

function checkVersion(map: Json, where: string): void {
  if (map.version === undefined) throw invalid(`${where}"version" is missing (must be 3)`);
  if (map.version !== 3) throw invalid(`${where}"version" must be the number 3, got ${JSON.stringify(map.version)}`);
}

function validateRegular(map: Json, limits: MapLimits, budget: Budget, where: string): RegularPart {
  checkVersion(map, where);
  checkOptionalString(map, 'file', where);
  const sourceRoot = checkOptionalString(map, 'sourceRoot', where);

  const sources = map.sources;
  if (sources === undefined) throw invalid(`${where}"sources" is missing`);
  if (!Array.isArray(sources)) throw invalid(`${where}"sources" must be an array, got ${describe(sources)}`);
  budget.sources += sources.length;
  if (budget.sources > limits.maxSources) {
    throw tooLarge(`map lists ${budget.sources} sources, over the limit of ${limits.maxSources} (raise maxSources if this is a real bundle)`);
  }
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i];
    if (s !== null && typeof s !== 'string') throw invalid(`${where}"sources"[${i}] must be a string or null, got ${describe(s)}`);
  }

  let sourcesContent: (string | null)[] = [];
  const sc = map.sourcesContent;
  if (sc !== undefined && sc !== null) {
    if (!Array.isArray(sc)) throw invalid(`${where}"sourcesContent" must be an array, got ${describe(sc)}`);
    for (let i = 0; i < sc.length; i++) {
      const s = sc[i];
      if (s !== null && typeof s !== 'string') throw invalid(`${where}"sourcesContent"[${i}] must be a string or null, got ${describe(s)}`);
    }
    sourcesContent = sc as (string | null)[];
  }

  let names: string[] = [];
  if (map.names !== undefined && map.names !== null) {
    if (!Array.isArray(map.names)) throw invalid(`${where}"names" must be an array, got ${describe(map.names)}`);
    budget.names += map.names.length;
    if (budget.names > limits.maxNames) {
      throw tooLarge(`map lists ${budget.names} names, over the limit of ${limits.maxNames} (raise maxNames)`);
    }
    for (let i = 0; i < map.names.length; i++) {
      if (typeof map.names[i] !== 'string') throw invalid(`${where}"names"[${i}] must be a string, got ${describe(map.names[i])}`);
    }
    names = map.names as string[];
  }

  let ignoreList: number[] = [];
  const il = map.ignoreList ?? map.x_google_ignoreList;
  if (il !== undefined && il !== null) {
    if (!Array.isArray(il)) throw invalid(`${where}"ignoreList" must be an array of source indexes, got ${describe(il)}`);
    for (const idx of il) {
      if (!isNonNegInt(idx)) throw invalid(`${where}"ignoreList" entries must be non-negative integers, got ${JSON.stringify(idx)}`);
      if (idx >= sources.length) throw invalid(`${where}"ignoreList" index ${idx} is out of bounds (sources has ${sources.length})`);
    }
    ignoreList = il as number[];
  }

  const mappings = map.mappings;
  if (mappings === undefined) throw invalid(`${where}"mappings" is missing`);
  if (typeof mappings !== 'string') throw invalid(`${where}"mappings" must be a string, got ${describe(mappings)}`);
  budget.mappings += mappings.length;
  if (budget.mappings > limits.maxMappingsLength) {
    throw tooLarge(`"mappings" is ${budget.mappings} characters, over the limit of ${limits.maxMappingsLength} (raise maxMappingsLength)`);
  }

  return {
    sources: (sources as (string | null)[]).map((s) => resolveSource(sourceRoot, s)),
    sourcesContent,
    names,
    ignoreList,
    mappings,
  };
}

function readDebugId(map: Json): string | null {
  const id = map.debugId ?? map.debug_id;
  // ECMA-426 debug ID proposal: an invalid ID is an optional error; we drop it and keep the map.
  return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : null;
}

function toText(input: string | Uint8Array, limits: MapLimits): string {
  if (input.length > limits.maxBytes) {
    throw tooLarge(`map is ${input.length} bytes, over the limit of ${limits.maxBytes} (raise maxBytes, or split the bundle)`);
  }
  return typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
}

/**
 * Parses and validates a map (text, bytes, or an already-parsed object); with `minified` (the
 * generated code the map is for), also indexes its function scopes — best effort, see the header.
 * Throws `SourceMapError` (`map_invalid` | `map_too_large`) for the map only.
 */
export function parseMapData(input: string | Uint8Array | object, options: Partial<MapLimits> = {}, minified?: string | Uint8Array): ParsedMapData {
  const limits: MapLimits = { ...DEFAULT_MAP_LIMITS, ...options };
  const data = parseMapOnly(input, limits);
  if (minified !== undefined && minified !== null) {
    const built = buildScopeIndexWithReason(minified, { maxBytes: limits.maxScopeSourceBytes });
    if (built.index) data.scopes = built.index;
    else data.scopesSkipped = built.reason;
  }
  return data;
}

function parseMapOnly(input: string | Uint8Array | object, limits: MapLimits): ParsedMapData {
  let json: unknown;
  let inputLength: number;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = toText(input, limits);
    inputLength = input.length;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw invalid(`map is not JSON (${(err as Error).message})`);
    }
  } else {
    json = input;
    inputLength = 0;
  }
  if (!isObject(json)) throw invalid(`map must be a JSON object, got ${describe(json)}`);
  const budget: Budget = { sources: 0, names: 0, mappings: 0 };
  const debugId = readDebugId(json);

  if (json.sections === undefined) {
    const part = validateRegular(json, limits, budget, '');
    const decoded = decodeMappings(part.mappings, part.sources.length, part.names.length);
    if (!inputLength) inputLength = part.mappings.length + sumLengths(part.sourcesContent);
    return {
      file: typeof json.file === 'string' ? json.file : null,
      debugId,
      sources: part.sources,
      sourcesContent: part.sourcesContent,
      names: part.names,
      ignoreList: part.ignoreList,
      ...decoded,
      inputLength,
    };
  }
  return parseIndexMap(json, limits, budget, debugId, inputLength);
}

function sumLengths(list: (string | null)[]): number {
  let n = 0;
  for (const s of list) n += s?.length ?? 0;
  return n;
}

function parseIndexMap(json: Json, limits: MapLimits, budget: Budget, debugId: string | null, inputLength: number): ParsedMapData {
  checkVersion(json, 'index map: ');
  checkOptionalString(json, 'file', 'index map: ');
  if (json.mappings !== undefined) throw invalid('an index map must not have "mappings" next to "sections"');
  const sections = json.sections;
  if (!Array.isArray(sections)) throw invalid(`"sections" must be an array, got ${describe(sections)}`);
  if (sections.length > limits.maxSections) {
    throw tooLarge(`index map has ${sections.length} sections, over the limit of ${limits.maxSections} (raise maxSections)`);
  }

  const sources: (string | null)[] = [];
  const sourcesContent: (string | null)[] = [];
  const names: string[] = [];
  const ignoreList: number[] = [];
  const parts: { line: number; column: number; decoded: ReturnType<typeof decodeMappings>; srcBase: number; nameBase: number }[] = [];
  let prevLine = -1;
  let prevCol = -1;

  sections.forEach((section: unknown, i: number) => {
    const where = `sections[${i}]: `;
    if (!isObject(section)) throw invalid(`${where}must be an object with "offset" and "map"`);
    const offset = section.offset;
    if (!isObject(offset)) throw invalid(`${where}"offset" must be an object {line, column}, got ${describe(offset)}`);
    if (!isNonNegInt(offset.line)) throw invalid(`${where}"offset.line" must be a non-negative integer, got ${JSON.stringify(offset.line)}`);
    if (!isNonNegInt(offset.column)) throw invalid(`${where}"offset.column" must be a non-negative integer, got ${JSON.stringify(offset.column)}`);
    if (offset.line < prevLine || (offset.line === prevLine && offset.column <= prevCol)) {
      throw invalid(`${where}offset ${offset.line}:${offset.column} overlaps or precedes the previous section (sections must be in order and must not overlap)`);
    }
    prevLine = offset.line;
    prevCol = offset.column;
    if (section.url !== undefined && section.map === undefined) {
      throw invalid(`${where}"url" sections are not supported; embed the map in "map"`);
    }
    const map = section.map;
    if (!isObject(map)) throw invalid(`${where}"map" must be a source map object, got ${describe(map)}`);
    if (map.sections !== undefined) throw invalid(`${where}nested index maps are not supported; flatten the map`);
    const part = validateRegular(map, limits, budget, where);
    const decoded = decodeMappings(part.mappings, part.sources.length, part.names.length);
    parts.push({ line: offset.line, column: offset.column, decoded, srcBase: sources.length, nameBase: names.length });
    for (const idx of part.ignoreList) ignoreList.push(idx + sources.length);
    for (let s = 0; s < part.sources.length; s++) {
      sources.push(part.sources[s]);
      sourcesContent.push(part.sourcesContent[s] ?? null);
    }
    for (const n of part.names) names.push(n);
  });

  // Flatten: shift each section by its offset; a section ends where the next one starts.
  const total = parts.reduce((n, p) => n + p.decoded.segmentCount, 0);
  const segments = new Int32Array(total * SEGMENT_STRIDE);
  const lineStartsList: number[] = [0];
  let count = 0;
  for (let p = 0; p < parts.length; p++) {
    const { line: offLine, column: offCol, decoded, srcBase, nameBase } = parts[p];
    const next = parts[p + 1];
    const lines = decoded.lineStarts.length - 1;
    for (let l = 0; l < lines; l++) {
      const genLine = offLine + l;
      if (next && genLine > next.line) break;
      while (lineStartsList.length - 1 < genLine) lineStartsList.push(count);
      for (let i = decoded.lineStarts[l]; i < decoded.lineStarts[l + 1]; i++) {
        const o = i * SEGMENT_STRIDE;
        const genCol = decoded.segments[o] + (l === 0 ? offCol : 0);
        if (next && genLine === next.line && genCol >= next.column) break;
        const d = count * SEGMENT_STRIDE;
        segments[d] = genCol;
        const src = decoded.segments[o + 1];
        segments[d + 1] = src < 0 ? -1 : src + srcBase;
        segments[d + 2] = decoded.segments[o + 2];
        segments[d + 3] = decoded.segments[o + 3];
        const name = decoded.segments[o + 4];
        segments[d + 4] = name < 0 ? -1 : name + nameBase;
        count++;
      }
    }
  }
  lineStartsList.push(count);
  return {
    file: typeof json.file === 'string' ? json.file : null,
    debugId,
    sources,
    sourcesContent,
    names,
    ignoreList,
    segments: count === total ? segments : segments.slice(0, count * SEGMENT_STRIDE),
    lineStarts: Uint32Array.from(lineStartsList),
    segmentCount: count,
    inputLength: inputLength || count * SEGMENT_STRIDE * 4 + sumLengths(sourcesContent),
  };
}

export { SourceMapError };
