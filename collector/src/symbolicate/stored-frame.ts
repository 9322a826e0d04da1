/**
 * A frame as stored and served: where it points after symbolication (or as sent, when it could
 * not be mapped), its status with the reason, and the minified frame the browser reported.
 */
import type { Frame } from '../../../protocol/wire.js';
import type { FrameStatus } from './status.js';
import type { SourceContext, SymbolicatedFrame } from './symbolicate-frame.js';

export interface StoredFrame {
  status: FrameStatus;
  /** Why the frame is not `mapped`, for people (absent when mapped). */
  reason?: string;
  function: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  /** The application's own code (set by grouping); library, CDN and framework frames are not. */
  in_app: boolean;
  /** Where `function` came from: the enclosing function in the map, the token at the position, or the browser. */
  function_source?: string | null;
  /** Third-party per the map's `ignoreList` (absent: false). */
  ignored?: boolean;
  /** Served with the frame; stored once per distinct context (context-store.ts) and referred to by `context_id`. */
  context?: SourceContext;
  context_id?: string;
  minified: Frame;
}

export function unmappedFrame(frame: Frame, status: FrameStatus, reason: string): StoredFrame {
  return {
    status,
    reason,
    function: frame.function ?? null,
    file: frame.file ?? null,
    line: frame.line ?? null,
    column: frame.column ?? null,
    in_app: false,
    minified: frame,
  };
}

export function toStoredFrame(result: SymbolicatedFrame): StoredFrame {
  if (result.status !== 'mapped' && result.status !== 'source_missing') return unmappedFrame(result.minified, result.status, result.reason);
  const scope = (result as { scope?: string | null }).scope;
  return {
    status: result.status,
    ...(result.status === 'source_missing' ? { reason: result.reason } : {}),
    function: result.function,
    file: result.file,
    line: result.line,
    column: result.column,
    in_app: false,
    function_source: scope ?? null,
    // Stored with every event: only when true.
    ...(result.ignored ? { ignored: true } : {}),
    ...(result.status === 'mapped' ? { context: result.context } : {}),
    minified: result.minified,
  };
}

/** The culprit of a stack (frames top first): the first in-app frame that was mapped, else the first in-app frame, else none. */
export function culpritFrame(frames: readonly StoredFrame[] | undefined): { file: string | null; line: number | null; function: string | null } | null {
  const list = frames ?? [];
  const frame = list.find((f) => f.in_app && (f.status === 'mapped' || f.status === 'source_missing')) ?? list.find((f) => f.in_app);
  return frame ? { file: frame.file, line: frame.line, function: frame.function } : null;
}
