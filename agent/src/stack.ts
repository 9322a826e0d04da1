import type { Frame } from '../../protocol/wire.js';

/** More frames than this are noise (recursion) and only cost wire bytes. */
export const MAX_FRAMES = 100;

/** Anything `framesOf` can read: an Error, or an object that looks like one. */
export interface ErrorLike {
  name?: string;
  message?: string;
  stack?: string;
  /** Opera 10–12 (Presto) keep the trace here, with columns, and not in `stack`. */
  stacktrace?: string;
  /** Opera 9 puts the backtrace in the message and flags it with this key. */
  'opera#sourceloc'?: number;
  /** React < 16 invariants: how many frames at the top belong to `invariant()` itself. */
  framesToPop?: number;
}

/**
 * Readers tried before `error.stack`, for engines that keep their frames elsewhere. Empty
 * by default; presto.ts adds old Opera's, which is not worth its bytes in the default build.
 */
export const frameReaders: ((error: ErrorLike) => Frame[])[] = [];

/**
 * Frames of an error, newest first. Drops the "Name: message" header that V8 puts before
 * the frames, so that a frameless stack does not read as one frame.
 */
export function framesOf(error: ErrorLike): Frame[] {
  let frames: Frame[] = [];
  for (const read of frameReaders) if ((frames = read(error)).length) break;
  if (!frames.length) {
    let stack = error.stack || '';
    const header = error.message ? error.name + ': ' + error.message : error.name;
    if (header && stack.startsWith(header)) stack = stack.slice(header.length);
    frames = parseStack(stack);
  }
  return frames.slice(error.framesToPop || 0);
}

/**
 * Parses `error.stack` as V8 (Chrome, Edge, Node, Hermes, Chakra), SpiderMonkey (Firefox)
 * or JavaScriptCore (Safari, React Native) prints it. Newest frame first, at most
 * MAX_FRAMES. A stack with any "at " line is V8's: its other lines are the message.
 */
export function parseStack(stack: string): Frame[] {
  const lines = stack.split('\n');
  const v8 = lines.some((line) => /^\s*at /.test(line));
  const frames: Frame[] = [];
  for (let line of lines) {
    // Safari extensions print "scheme:(//host/path:1:2)"; put the URL back together.
    line = line.trim().replace(/:\((\/\/.*)\)$/, ':$1');
    const frame = v8 ? /^at /.test(line) && parseV8(line.slice(3)) : parseGecko(line);
    if (frame && frames.push(frame) == MAX_FRAMES) break;
  }
  return frames;
}

/** "fn (location)", "fn(location)" or a bare location: what follows V8's "at ". */
function parseV8(text: string): Frame | undefined {
  if (!text.endsWith(')')) return parseGecko(text);
  // Walk back to the "(" that opens the last group: names of wasm and C++ functions, and
  // Next.js URLs like /(group)/[route]/, hold parentheses of their own.
  let depth = 0;
  let i = text.length;
  while (i--) {
    if (text[i] == ')') depth++;
    else if (text[i] == '(' && !--depth) break;
  }
  let location = text.slice(i + 1, -1);
  // "eval at f (eval at g (URL:1:2)), <anonymous>:3:4": the innermost URL is a real file.
  if (location.includes(' (')) location = /\(([^()]*)\)[^(]*$/.exec(location)?.[1] || location;
  return toFrame(text.slice(0, i).trim(), location);
}

/** "fn@location", "@location", a bare location or (Safari, inside eval) a bare name. */
function parseGecko(line: string): Frame | undefined {
  if (!line) return;
  // The name ends at the first "@" outside brackets: Firefox names read `obj["@fn"]`.
  const split = /^((?:\[[^\]]*\]|[^@])*)@(.*)$/.exec(line);
  let name = split && !split[1].includes(':/') ? split[1] : '';
  const location = name || split?.[1] === '' ? split![2] : line;
  // Firefox and old Opera print arguments: "bar(1)", "()" and "<anonymous function: run>(x)".
  name = name.replace(/\(.*\)$/, '').replace(/^<anonymous function: (.+)>$/, '$1');
  const frame = toFrame(name, location);
  // Safari prints frames inside eval as bare names ("foo", "eval code").
  if (!frame && location == line && /^([\w$.]+|\w+ code)$/.test(line)) return { function: line };
  return frame;
}

/** Splits a location into file, line and column; undefined when it is not one. */
export function toFrame(name: string, location: string): Frame | undefined {
  location = location.replace(/^(async|address at) /, '');
  let file: string | undefined = location;
  let line: number | undefined;
  let column: number | undefined;
  let match: RegExpExecArray | null;
  if ((match = / line (\d+) > (eval|Function)/.exec(location))) {
    // Firefox: "URL line 26 > eval line 2 > eval:1:30"; only the outer line is in the file.
    file = location.slice(0, match.index);
    line = +match[1];
    name ||= 'eval';
  } else if ((match = /^(.*):wasm-function\[\d+\]:0x([\da-f]+)$/i.exec(location))) {
    // Wasm frames locate by byte offset in the module, which source maps read as the column.
    file = match[1];
    column = parseInt(match[2], 16);
  } else if ((match = /^data:([^,;]*)/.exec(location))) {
    // A data: URI is the whole script source; keep only its type.
    file = '<data:' + match[1] + '>';
  } else {
    match = /^(.*?)(?::(\d+))?(?::(\d+))?$/.exec(location)!;
    file = match[1];
    line = (match[2] && +match[2]) as number | undefined;
    column = (match[3] && +match[3]) as number | undefined;
    // Without a line, only these stand for a place rather than for text that is not a frame.
    if (!line && !/^(\[?native( code)?\]?|<anonymous>|[\w-]+:\/|\.{0,2}\/)/.test(file)) return;
  }
  // No URL or path holds a raw quote: such a "location" is message text after an "at".
  if (!file || file.includes('"')) return;
  // Fields left undefined are not sent.
  return { file, function: name && name != '?' && name != '<anonymous>' ? name : undefined, line, column };
}
