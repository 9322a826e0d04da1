/**
 * The processor stage that symbolicates every error frame before it is stored. Each frame
 * ends with a status (mapped, or why not) and the minified frame next to the original.
 * Maps are parsed off the main thread and kept in a byte-bounded LRU; a map that fails to
 * parse is remembered as failed for a while instead of being re-read for every frame.
 */
import { LRUCache } from 'lru-cache';
import type { Frame } from '../../../protocol/wire.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { CollectorMetrics } from '../ops/metrics.js';
import type { ProcessedEvent, ProcessorStage } from '../process/pipeline.js';
import type { ArtifactLookup, LookupHit } from './artifact-lookup.js';
import type { ContextStore } from './context-store.js';
import type { MapCache } from './map-cache.js';
import type { OffThreadParser } from './parse-off-thread.js';
import type { ParsedMap } from './parsed-map.js';
import { SourceMapError } from './status.js';
import { toStoredFrame, unmappedFrame, type StoredFrame } from './stored-frame.js';
import { symbolicateFrame } from './symbolicate-frame.js';

export interface SymbolicationStageOptions {
  lookup: ArtifactLookup;
  artifacts: ArtifactStore;
  parser: OffThreadParser;
  maps: MapCache;
  contexts: ContextStore;
  metrics: CollectorMetrics;
  /** Lines of source context each side of a frame. Default 5. */
  contextLines?: number;
}

const FAILED_MAP_TTL_MS = 60_000;
/** Symbolicated frames remembered (a few hundred bytes each). */
const RESULTS_KEPT = 50_000;
/** Events symbolicated between two turns of the event loop. */
const EVENTS_PER_TURN = 256;

export function createSymbolicationStage(options: SymbolicationStageOptions): ProcessorStage {
  const { lookup, artifacts, parser, maps, contexts, metrics } = options;
  const failedMaps = new LRUCache<string, SourceMapError>({ max: 1000, ttl: FAILED_MAP_TTL_MS });

  // The same frames come back with every event of a bug: their result is kept, per map.
  const results = new LRUCache<string, Omit<StoredFrame, 'minified'>>({ max: RESULTS_KEPT });
  const mapKeyOf = ({ map }: LookupHit) => `${map.projectId}\n${map.release}\n${map.name}\n${map.debugId}\n${map.uploadedAt}`;

  async function loadMap(hit: LookupHit, key: string): Promise<ParsedMap> {
    const { map, source } = hit;
    const failed = failedMaps.get(key);
    if (failed) throw failed;
    try {
      return await maps.getOrLoad(key, async () => {
        const content = await artifacts.content(map);
        if (content === null) throw new SourceMapError('map_invalid', `the map ${map.name} was deleted while it was being read; upload it again`);
        // The bundle itself lets the parser name each frame's enclosing function.
        const parseOptions = { minified: source ? ((await artifacts.content(source)) ?? undefined) : undefined };
        return parser.parse(content, parseOptions);
      });
    } catch (error) {
      if (error instanceof SourceMapError) failedMaps.set(key, error);
      throw error;
    }
  }

  async function symbolicate(processed: ProcessedEvent, frame: Frame): Promise<StoredFrame> {
    const event = processed.event as Extract<ProcessedEvent['event'], { kind: 'error' }>;
    const debugId = frame.file ? event.debug_ids?.[frame.file] : undefined;
    const found = await lookup.find(processed.projectId, event.release ?? '', frame.file, debugId);
    if (found.status !== 'found') return unmappedFrame(frame, found.status, found.reason);
    const mapKey = mapKeyOf(found);
    const resultKey = `${mapKey}\n${frame.line}\n${frame.column}\n${frame.function ?? ''}`;
    const known = results.get(resultKey);
    if (known) return { ...known, minified: frame };
    let map: ParsedMap;
    try {
      map = await loadMap(found, mapKey);
    } catch (error) {
      if (!(error instanceof SourceMapError)) throw error;
      return unmappedFrame(frame, error.status, `the map ${found.map.name} cannot be used: ${error.message}`);
    }
    const stored = toStoredFrame(symbolicateFrame(map, frame, { contextLines: options.contextLines }));
    if (stored.context) {
      stored.context_id = contexts.idOf(processed.projectId, stored.context);
      delete stored.context;
    }
    const { minified: _, ...result } = stored;
    results.set(resultKey, result);
    return stored;
  }

  return {
    name: 'symbolicate',
    async run(events) {
      const counts = new Map<string, number>();
      for (let from = 0; from < events.length; from += EVENTS_PER_TURN) {
        await Promise.all(
          events.slice(from, from + EVENTS_PER_TURN).map(async (processed) => {
            const event = processed.event;
            if (event.kind !== 'error' || !event.frames?.length) return;
            processed.frames = await Promise.all(event.frames.map((frame) => symbolicate(processed, frame)));
            for (const frame of processed.frames) counts.set(frame.status, (counts.get(frame.status) ?? 0) + 1);
          }),
        );
        // With warm caches nothing above waits: yield, or a large flush holds up acknowledgements.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await contexts.flush();
      for (const [status, count] of counts) metrics.framesSymbolicated.inc({ status }, count);
    },
  };
}
