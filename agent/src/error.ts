import { DEBUG_IDS_GLOBAL } from '../../protocol/debug-id.js';
import type { ErrorEvent, Frame } from '../../protocol/wire.js';
import { scrubUrl } from './scrub.js';
import { selectorOf } from './selector.js';
import { framesOf, type ErrorLike } from './stack.js';

export interface Described {
  type: string;
  message: string;
  frames?: Frame[];
  /** The raw stack, sent only when no frame could be read from it, to debug the parser. */
  stack?: string;
  /** What the developer can do about it (wire field `hint`). */
  hint?: string;
  level?: ErrorEvent['level'];
  /** Frame file → debug ID of its bundle: see scrubFrames. */
  debug_ids?: Record<string, string>;
}

/**
 * Browsers hide everything about errors thrown by scripts from another origin loaded
 * without CORS. Reported all the same (a silent filter hides real breakage), with the fix.
 */
export const SCRIPT_ERROR: Described = {
  type: 'ScriptError',
  // Kept as the browser said it, so that it groups as one issue; the fix goes in the hint.
  message: 'Script error.',
  hint: 'Add crossorigin="anonymous" to the script tag and CORS headers to its server.',
};

/** Turns anything that was thrown or rejected into a type, a message and frames. */
export function describe(value: unknown): Described {
  const error = value as ErrorLike | null;
  if (error && typeof error == 'object' && typeof (error.message ?? error.stack) == 'string') {
    const frames = framesOf(error);
    return {
      type: error.name || 'Error',
      message: String(error.message ?? ''),
      frames,
      stack: frames.length ? undefined : error.stack?.slice(0, 2000),
    };
  }
  // Rejections with strings, numbers, plain objects, Response or Event objects.
  return {
    type: value && typeof value == 'object' ? (value.constructor?.name || 'Object') : 'Error',
    message: readable(value),
  };
}

/** A short human reading of a value that is not an Error. */
function readable(value: unknown): string {
  if (typeof value == 'string') return value;
  if (value instanceof Event)
    return value.type + ' event on ' + selectorOf(value.target as Node);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {} // cyclic: String() below
  return (text ?? String(value)).slice(0, 500);
}

/** What a window `error` event tells, which is less than the error when there is none. */
export function describeErrorEvent(event: globalThis.ErrorEvent): Described {
  const { error, message, filename, lineno, colno } = event;
  if (!error && /^Script error\.?$/.test(message) && !filename) return SCRIPT_ERROR;
  // No error: the message, which describe() reads as an Error's.
  const described = describe(error ?? message);
  // Thrown non-Errors and stackless errors: the event still knows where it happened.
  if (!described.frames?.length && filename) {
    described.frames = [{ file: filename, line: lineno, column: colno }];
    described.stack = undefined;
  }
  return described;
}

/** The wire's bound on `debug_ids`. */
export const MAX_DEBUG_IDS = 64;

/**
 * Scrubs the frames' files (inline scripts' frames carry the page URL, query and all) and
 * adds the debug IDs that their bundles registered (`lookout sourcemaps inject`), keyed by
 * the file as sent. Looked up by the file as the engine printed it, which is how the
 * registration keys it, and now: bundles register as they load.
 */
export function scrubFrames(described: Described, keys?: RegExp): void {
  described.frames?.forEach((frame) => {
    const id = (globalThis as any)[DEBUG_IDS_GLOBAL]?.[frame.file!];
    frame.file &&= scrubUrl(frame.file, keys);
    if (id && Object.keys((described.debug_ids ||= {})).length < MAX_DEBUG_IDS) described.debug_ids[frame.file!] = id;
  });
}
