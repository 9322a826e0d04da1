/**
 * Worker side of parse-off-thread.ts: JSON.parse + validation + mapping decode, and (given the
 * minified code) the function-scope index (scopes.ts: an acorn parse, 100+ ms on a multi-MB
 * bundle); then the result goes back with its typed arrays transferred (no copy).
 */
import { parentPort } from 'node:worker_threads';
import { packContent, parseMapData, type MapLimits } from './parse-map.js';
import { scopeIndexTransferables } from './scopes.js';
import { SourceMapError } from './status.js';

export interface ParseRequest {
  id: number;
  input: string | Uint8Array;
  limits: Partial<MapLimits>;
  /** The minified code the map is for: indexed for enclosing-function names when given. */
  minified?: string | Uint8Array;
}

export type ParseResponse =
  | { id: number; ok: true; data: ReturnType<typeof parseMapData> }
  | { id: number; ok: false; status: 'map_invalid' | 'map_too_large' | 'internal'; message: string };

if (!parentPort) throw new Error('parse-worker.ts must be started as a worker thread (see parse-off-thread.ts)');
const port = parentPort;

port.on('message', (req: ParseRequest) => {
  let res: ParseResponse;
  try {
    const parsed = parseMapData(req.input, req.limits, req.minified);
    const packedContent = packContent(parsed.sourcesContent);
    const data = { ...parsed, sourcesContent: [], packedContent };
    const transfer = [data.segments.buffer, data.lineStarts.buffer, packedContent.bytes.buffer, packedContent.ends.buffer, packedContent.nulls.buffer];
    if (data.scopes) transfer.push(...scopeIndexTransferables(data.scopes));
    port.postMessage({ id: req.id, ok: true, data } satisfies ParseResponse, transfer as ArrayBuffer[]);
    return;
  } catch (err) {
    res =
      err instanceof SourceMapError
        ? { id: req.id, ok: false, status: err.status, message: err.message }
        : { id: req.id, ok: false, status: 'internal', message: (err as Error)?.message ?? String(err) };
  }
  port.postMessage(res);
});
