/**
 * Parses maps in worker threads so a multi-megabyte map never blocks ingestion.
 *
 * The worker does JSON.parse, validation and the mapping decode (parse-map.ts) and returns the
 * segments and the sourcesContent (as one UTF-8 buffer) in transferred typed arrays. Given the
 * minified code (`minified`), it also builds the function-scope index (scopes.ts) — an acorn
 * parse of the bundle, which must not run on the main thread — and transfers it back. What is
 * left on the main thread: handing the input over (a Uint8Array owning its whole buffer is
 * transferred with `transfer: true`; a string is copied), cloning `sources` and `names`, and on
 * each first lookup in a generated line, turning that line into trace-mapping's form.
 * Figures: bench/README.md (## bench:symbolicate-libs) — ~40 ms blocked in-thread vs 2–5 ms.
 */
import { Worker } from 'node:worker_threads';
import { createParsedMap, type ParsedMap } from './parsed-map.js';
import type { MapLimits } from './parse-map.js';
import type { ParseRequest, ParseResponse } from './parse-worker.js';
import { SourceMapError } from './status.js';

export interface OffThreadParserOptions {
  /** Worker threads. Default 1 (maps are parsed rarely: the cache holds them). */
  workers?: number;
  limits?: Partial<MapLimits>;
}

export interface ParseOptions {
  /**
   * Transfer (detach) Uint8Array inputs instead of copying them: the map, and `minified` when it
   * is bytes. Only a Uint8Array spanning its whole ArrayBuffer is transferred. Default false.
   */
  transfer?: boolean;
  /**
   * The minified code the map is for. When given, the worker indexes its function scopes so
   * `ParsedMap.scopeName` can name frames after their enclosing function. Best effort: too
   * large (`limits.maxScopeSourceBytes`) or unparsable code only leaves the index out.
   */
  minified?: string | Uint8Array;
}

export interface OffThreadParser {
  /** Rejects with `SourceMapError` for a bad map, with `Error` if a worker died. */
  parse(input: string | Uint8Array, options?: ParseOptions): Promise<ParsedMap>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (m: ParsedMap) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

// No `resourceLimits` on the worker: tried, and on Node 20 a worker reaching its heap cap while
// parsing a map ("Reached heap limit") aborted the whole process instead of only the worker.
// Memory is bounded by the parse limits (maxBytes, maxSources, …) instead.
function startWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    // From source (vitest, tsx: dev only) the worker is a .ts file: register tsx's loader in the
    // worker, then import it. Built (dist/), it is plain .js.
    const url = new URL('./parse-worker.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL('./parse-worker.js', import.meta.url));
}

const isWholeBuffer = (v: unknown): v is Uint8Array & { buffer: ArrayBuffer } =>
  v instanceof Uint8Array && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer;

export function createOffThreadParser(options: OffThreadParserOptions = {}): OffThreadParser {
  const count = options.workers ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`workers must be a positive integer, got ${count}`);
  const limits = options.limits ?? {};
  const slots: (Slot | undefined)[] = new Array(count).fill(undefined);
  let nextId = 1;
  let turn = 0;
  let closed = false;

  const spawn = (index: number): Slot => {
    const worker = startWorker();
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    const failAll = (err: Error) => {
      if (slots[index] === slot) slots[index] = undefined;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    worker.on('message', (res: ParseResponse) => {
      const p = slot.pending.get(res.id);
      if (!p) return;
      slot.pending.delete(res.id);
      if (slot.pending.size === 0) worker.unref();
      if (res.ok) p.resolve(createParsedMap(res.data));
      else if (res.status === 'internal') p.reject(new Error(`source map parse worker failed: ${res.message}`));
      else p.reject(new SourceMapError(res.status, res.message));
    });
    worker.on('error', (err) => failAll(new Error(`source map parse worker crashed: ${err.message}; the next parse starts a new one`)));
    worker.on('exit', (code) => failAll(new Error(`source map parse worker exited (code ${code}); the next parse starts a new one`)));
    return slot;
  };

  return {
    parse(input, parseOptions = {}) {
      if (closed) return Promise.reject(new Error('off-thread parser is closed; create a new one'));
      const index = turn++ % count;
      const slot = (slots[index] ??= spawn(index));
      const id = nextId++;
      return new Promise<ParsedMap>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.ref();
        const transferList: ArrayBuffer[] = [];
        const { minified } = parseOptions;
        if (parseOptions.transfer) {
          for (const v of [input, minified]) {
            if (isWholeBuffer(v) && !transferList.includes(v.buffer)) transferList.push(v.buffer);
          }
        }
        const req: ParseRequest = minified == null ? { id, input, limits } : { id, input, limits, minified };
        slot.worker.postMessage(req, transferList);
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s?.worker.terminate()));
    },
  };
}
