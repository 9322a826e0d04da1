/**
 * Source context (the lines around a frame) stored once per distinct context in
 * `source_contexts`, content-addressed; stored frames carry its id. The same few lines of a
 * bug appear in every one of its events: storing them with each event cost more than all the
 * rest of symbolication together (bench/README.md, ## bench:symbolicate).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/types.js';
import type { SourceContext } from './symbolicate-frame.js';

export interface ContextStore {
  /** The id of a context; queues it for writing unless it is known to be stored. */
  idOf(projectId: number, context: SourceContext): string;
  /** Writes what `idOf` queued. Before the events that refer to it. */
  flush(): Promise<void>;
  /** Contexts by id, for reads. */
  read(projectId: number, ids: readonly string[]): Promise<Map<string, SourceContext>>;
}

export const contextIdOf = (context: SourceContext): string =>
  createHash('sha256').update(JSON.stringify([context.pre, context.line, context.post])).digest('hex').slice(0, 24);

export function createContextStore(store: Store, options: { knownEntries?: number } = {}): ContextStore {
  // Ids this collector wrote (or read back): not written again. Another collector writing the
  // same context is harmless: the table keeps one row per id.
  const stored = new LRUCache<string, true>({ max: options.knownEntries ?? 200_000 });
  let queued = new Map<string, { project_id: number; context_id: string; pre: string[]; line: string; post: string[] }>();

  return {
    idOf(projectId, context) {
      const id = contextIdOf(context);
      const key = `${projectId}:${id}`;
      if (!stored.has(key) && !queued.has(key)) queued.set(key, { project_id: projectId, context_id: id, pre: context.pre, line: context.line, post: context.post });
      return id;
    },
    async flush() {
      if (!queued.size) return;
      const rows = queued;
      queued = new Map();
      try {
        await store.insert('source_contexts', [...rows.values()]);
      } catch (error) {
        for (const [key, row] of rows) if (!queued.has(key)) queued.set(key, row);
        throw error;
      }
      for (const key of rows.keys()) stored.set(key, true);
    },
    async read(projectId, ids) {
      const found = new Map<string, SourceContext>();
      const unique = [...new Set(ids)];
      if (!unique.length) return found;
      const rows = await store.query<{ context_id: string; pre: string[]; line: string; post: string[] }>(
        'SELECT context_id, pre, line, post FROM source_contexts FINAL WHERE project_id = {projectId:UInt32} AND context_id IN {ids:Array(String)}',
        { projectId, ids: unique },
      );
      for (const row of rows) found.set(row.context_id, { pre: row.pre, line: row.line, post: row.post });
      return found;
    },
  };
}
