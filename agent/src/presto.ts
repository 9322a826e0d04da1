/**
 * Opera 9–12 (Presto, 2008–2013) stack traces. Opt-in: `import '@lookout/agent/presto'`
 * (or this module) makes `framesOf` read them. Not in the default build, where its
 * 180 bytes (brotli) would buy support for browsers nobody runs any more.
 */
import type { Frame } from '../../protocol/wire.js';
import { frameReaders, MAX_FRAMES, toFrame, type ErrorLike } from './stack.js';

/**
 * Frames from Presto's `stacktrace` property (Opera 10–12), or from the message of
 * Opera 9. Opera 11–12 also have a `stack`, but without columns and without the two
 * innermost frames, so `stacktrace` goes first.
 */
export function prestoFrames(error: ErrorLike): Frame[] {
  const text = error.stacktrace || (error['opera#sourceloc'] && error.message) || '';
  const frames: Frame[] = [];
  // Opera 11–12: "line 42, column 12 in fn(args) in URL:"; Opera 9–10: "Line 42 of linked
  // script URL: In function fn".
  const pattern =
    /line (\d+), column (\d+) in (?:(.+?)\(.*?\) in )?(\S+):$|Line (\d+) of .*?script (?:in )?(\S+?)(?:: In function (\S+))?$/gm;
  for (let m; (m = pattern.exec(text)) && frames.length < MAX_FRAMES; ) {
    const frame = toFrame(
      (m[3] || m[7] || '').replace(/^<anonymous function: (.+)>$/, '$1'),
      m[4] ? m[4] + ':' + m[1] + ':' + m[2] : m[6] + ':' + m[5],
    );
    if (frame) frames.push(frame);
  }
  return frames;
}

frameReaders.push(prestoFrames);
