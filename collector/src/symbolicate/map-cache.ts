/**
 * LRU of parsed maps, bounded in bytes.
 *
 * Weight of an entry = the length of the map's JSON text (`ParsedMapData.inputLength`) — a
 * proxy, not a measurement. It under-counts: the parsed form holds the sourcesContent (strings,
 * or UTF-8 bytes from the off-thread parse), names and sources, 20 bytes per segment in typed
 * arrays, and trace-mapping's per-line arrays once lines are looked up. Measured on the 5.7 MB
 * Angular map (bench/README.md, ## bench:symbolicate-libs): 10 MB held after parsing, 24 MB once
 * every generated line has been looked up. Budget 2–4× `maxBytes` of heap.
 */
import { LRUCache } from 'lru-cache';
import type { ParsedMap } from './parsed-map.js';

export interface MapCacheOptions {
  /** Total weight in bytes. Default 256 MB. */
  maxBytes?: number;
}

export interface MapCache {
  get(key: string): ParsedMap | undefined;
  set(key: string, map: ParsedMap): void;
  /** Cached map, or `load()`'s (concurrent calls for one key share one load). Errors are not cached. */
  getOrLoad(key: string, load: () => Promise<ParsedMap>): Promise<ParsedMap>;
  delete(key: string): void;
  readonly size: number;
  /** Sum of weights held. */
  readonly bytes: number;
}

export const DEFAULT_MAP_CACHE_BYTES = 256 * 1024 * 1024;

export const mapWeight = (map: ParsedMap): number => Math.max(1, map.data.inputLength);

export function createMapCache(options: MapCacheOptions = {}): MapCache {
  const maxBytes = options.maxBytes ?? DEFAULT_MAP_CACHE_BYTES;
  if (!Number.isFinite(maxBytes) || maxBytes < 1) {
    throw new Error(`map cache maxBytes must be a positive number of bytes, got ${maxBytes}`);
  }
  const lru = new LRUCache<string, ParsedMap>({ maxSize: maxBytes, sizeCalculation: mapWeight });
  const inflight = new Map<string, Promise<ParsedMap>>();

  return {
    get: (key) => lru.get(key),
    // A map heavier than the whole cache is not kept (lru-cache refuses it); it is still returned by getOrLoad.
    set: (key, map) => void lru.set(key, map),
    delete: (key) => void lru.delete(key),
    getOrLoad(key, load) {
      const hit = lru.get(key);
      if (hit) return Promise.resolve(hit);
      const pending = inflight.get(key);
      if (pending) return pending;
      const p = load().then(
        (map) => {
          inflight.delete(key);
          lru.set(key, map);
          return map;
        },
        (err: unknown) => {
          inflight.delete(key);
          throw err;
        },
      );
      inflight.set(key, p);
      return p;
    },
    get size() {
      return lru.size;
    },
    get bytes() {
      return lru.calculatedSize;
    },
  };
}
