/**
 * Validating decoder for the `mappings` string (ECMA-426 §"Mappings structure").
 *
 * `@jridgewell/trace-mapping` (the lookup library, see bench/README.md) decodes leniently: an
 * invalid base64 digit, a truncated VLQ or an out-of-range source index decodes to *something*
 * and a frame later points at garbage. This decoder rejects all of those with the offending
 * offset, and writes segments into flat typed arrays — transferable from a worker at no cost.
 *
 * Layout: segment `i` is `segments[i*5 .. i*5+4]` = generated column, source index (-1: none),
 * original line, original column, name index (-1: none); all 0-based. Line `l`'s segments are
 * `lineStarts[l] .. lineStarts[l+1]` (exclusive).
 */
import { invalid } from './status.js';

export const SEGMENT_STRIDE = 5;
const MAX_I32 = 2 ** 31 - 1;

export interface DecodedMappings {
  segments: Int32Array;
  /** lineCount + 1 entries. */
  lineStarts: Uint32Array;
  segmentCount: number;
}

const BASE64 = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  .split('')
  .forEach((c, i) => (BASE64[c.charCodeAt(0)] = i));

const COMMA = 44;
const SEMICOLON = 59;

/**
 * Decodes and validates `mappings` against `sourcesCount` and `namesCount`.
 * Throws a `SourceMapError` (`map_invalid`) naming the offset and the rule broken.
 */
export function decodeMappings(mappings: string, sourcesCount: number, namesCount: number): DecodedMappings {
  const len = mappings.length;
  // Upper bound on segments: each takes at least one character.
  let segments = new Int32Array(Math.max(16, Math.min(len, 1 << 16)) * SEGMENT_STRIDE);
  const lineStartsList: number[] = [0];
  let count = 0;

  let src = 0;
  let origLine = 0;
  let origCol = 0;
  let name = 0;
  let genCol = 0;

  const fields = [0, 0, 0, 0, 0];
  let pos = 0;

  const fail = (what: string, at: number): never => {
    throw invalid(`invalid mappings at offset ${at}: ${what}`);
  };

  while (pos <= len) {
    // At the start of a segment (or an empty line / end).
    if (pos === len) break;
    let c = mappings.charCodeAt(pos);
    if (c === SEMICOLON) {
      lineStartsList.push(count);
      genCol = 0;
      pos++;
      continue;
    }
    const segStart = pos;
    let nfields = 0;
    // Read VLQ fields until ',' ';' or end.
    while (pos < len) {
      c = mappings.charCodeAt(pos);
      if (c === COMMA || c === SEMICOLON) break;
      // One VLQ value.
      let value = 0;
      let shift = 0;
      let digit: number;
      const vlqStart = pos;
      do {
        if (pos >= len) fail('VLQ value is missing continuation digits', vlqStart);
        c = mappings.charCodeAt(pos);
        digit = c < 128 ? BASE64[c] : -1;
        if (digit === -1) {
          if (c === COMMA || c === SEMICOLON) fail('VLQ value is missing continuation digits', vlqStart);
          fail(`invalid VLQ: '${mappings[pos]}' is not a base64 digit`, pos);
        }
        pos++;
        const bits = digit & 31;
        if (bits !== 0) {
          if (shift > 31) fail('VLQ value exceeds 32 bits', vlqStart);
          value += bits * 2 ** shift;
        }
        shift += 5;
      } while (digit & 32);
      const negative = value % 2 === 1;
      value = Math.floor(value / 2);
      if (value > MAX_I32) fail('VLQ value exceeds 32 bits', vlqStart);
      if (nfields >= 5) fail('segment has more than 5 fields', segStart);
      fields[nfields++] = negative ? -value : value;
    }
    if (nfields === 0) fail('empty segment (zero fields)', segStart);
    if (nfields !== 1 && nfields !== 4 && nfields !== 5) fail(`segment has ${nfields} fields (must be 1, 4 or 5)`, segStart);

    genCol += fields[0];
    if (genCol < 0 || genCol > MAX_I32) fail('generated column out of range (negative or over 32 bits)', segStart);
    let s = -1;
    let n = -1;
    if (nfields >= 4) {
      src += fields[1];
      origLine += fields[2];
      origCol += fields[3];
      if (src < 0 || src >= sourcesCount) fail(`source index ${src} out of bounds (sources has ${sourcesCount})`, segStart);
      if (origLine < 0 || origLine > MAX_I32) fail('original line out of range', segStart);
      if (origCol < 0 || origCol > MAX_I32) fail('original column out of range', segStart);
      s = src;
      if (nfields === 5) {
        name += fields[4];
        if (name < 0 || name >= namesCount) fail(`name index ${name} out of bounds (names has ${namesCount})`, segStart);
        n = name;
      }
    }
    if ((count + 1) * SEGMENT_STRIDE > segments.length) {
      const grown = new Int32Array(segments.length * 2);
      grown.set(segments);
      segments = grown;
    }
    const o = count * SEGMENT_STRIDE;
    segments[o] = genCol;
    segments[o + 1] = s;
    segments[o + 2] = nfields >= 4 ? origLine : 0;
    segments[o + 3] = nfields >= 4 ? origCol : 0;
    segments[o + 4] = n;
    count++;

    if (pos < len && mappings.charCodeAt(pos) === COMMA) {
      pos++;
      if (pos === len || mappings.charCodeAt(pos) === SEMICOLON) fail('empty segment (zero fields) after a comma', pos);
    }
  }
  lineStartsList.push(count);
  return {
    segments: segments.length === count * SEGMENT_STRIDE ? segments : segments.slice(0, count * SEGMENT_STRIDE),
    lineStarts: Uint32Array.from(lineStartsList),
    segmentCount: count,
  };
}
