/** Symbolication core: parse and validate maps, look frames up, cache parsed maps, parse off-thread. */
export { FRAME_STATUSES, SourceMapError, type FrameStatus, type MapErrorStatus } from './status.js';
export { DEFAULT_MAP_LIMITS, parseMapData, resolveSource, type MapLimits, type ParsedMapData } from './parse-map.js';
export { createParsedMap, type OriginalPosition, type ParsedMap } from './parsed-map.js';
export {
  DEFAULT_SCOPE_SOURCE_BYTES,
  buildScopeIndex,
  buildScopeIndexWithReason,
  enclosingFunction,
  type EnclosingFunction,
  type NameToken,
  type ScopeIndex,
  type ScopeIndexOptions,
} from './scopes.js';
export {
  cutLine,
  symbolicateFrame,
  type MappedFrame,
  type SourceContext,
  type SourceMissingFrame,
  type SymbolicatedFrame,
  type SymbolicateOptions,
  type FunctionNameSource,
  type UnmappedFrame,
} from './symbolicate-frame.js';
export { DEFAULT_MAP_CACHE_BYTES, createMapCache, mapWeight, type MapCache, type MapCacheOptions } from './map-cache.js';
export { createOffThreadParser, type OffThreadParser, type OffThreadParserOptions, type ParseOptions } from './parse-off-thread.js';

import { parseMapData, type MapLimits } from './parse-map.js';
import { createParsedMap, type ParsedMap } from './parsed-map.js';

/**
 * In-thread parse: `parseMapData` + `createParsedMap`. Throws `SourceMapError`. With `minified`
 * (the code the map is for) the function scopes are indexed too — on this thread: an acorn parse
 * of the bundle, 100+ ms for a multi-MB one; use the off-thread parser in the server.
 */
export function parseSourceMap(input: string | Uint8Array | object, limits: Partial<MapLimits> = {}, minified?: string | Uint8Array): ParsedMap {
  return createParsedMap(parseMapData(input, limits, minified));
}
