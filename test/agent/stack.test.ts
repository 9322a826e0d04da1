/**
 * The stack parser against every case in shared/fixtures/stacks (real browser traces with
 * the frames two other projects expect). Each source's convention is mapped onto our frame
 * shape; where the sources disagree, or one of them keeps a parser artefact, the difference
 * is listed in *_DIFFERENCES with the reason, so the test still pins down our exact output.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../protocol/wire.js';
import { framesOf, parseStack, MAX_FRAMES, type ErrorLike } from '../../agent/src/stack.js';
// Opera 9–12 traces are opt-in (not in the default build); the fixtures include them.
import '../../agent/src/presto.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = resolve(repoRoot, '../shared/fixtures/stacks');
const load = <T>(name: string): T[] => JSON.parse(readFileSync(resolve(fixtures, name), 'utf8'));

interface SentryFrame { function?: string; filename?: string; lineno?: number; colno?: number }
interface SentryCase {
  source: string;
  test: string;
  input: ErrorLike;
  expected: { stacktrace: { frames: SentryFrame[] } };
}
interface EspFrame { functionName: string | null; fileName: string | null; lineNumber: number | null; columnNumber: number | null }
interface EspCase {
  fixture?: string;
  test: string;
  input: ErrorLike;
  expected: { frames?: EspFrame[]; length: number };
}

const wasm = (fn: string, offset: number): Frame => ({
  function: fn,
  file: 'http://localhost:8001/main.wasm',
  column: offset,
});
const opera11: Frame[] = [
  ['createException', 42, 12], ['run', 27, 8], ['printStackTrace', 18, 4], ['bar', 4, 5],
  ['bar', 7, 4], ['foo', 11, 4], [undefined, 15, 3],
].map(([fn, line, column]) => ({
  ...(fn ? { function: fn as string } : {}),
  file: 'http://path/to/file.js',
  line: line as number,
  column: column as number,
}));

/** Sentry's expected frames (newest first, our shape) that we deliberately read differently. */
const SENTRY_DIFFERENCES: Record<string, { why: string; fix: (expected: Frame[], input: ErrorLike) => Frame[] }> = {
  'Tracekit - Chrome Tests > should parse webpack wrapped exceptions': {
    why: 'the "(error: URL)" line is the second line of the message, not a frame',
    fix: (frames) => frames.filter((f) => !f.file?.startsWith('https://s1.sentry-cdn.com')),
  },
  'Tracekit - Chrome Tests > should truncate frames that are over 1kb': {
    why: 'Sentry cuts stack lines at 1 KiB and so loses the end of the URL, the line and the column',
    fix: (frames, input) => {
      const url = /\((http:\/\/localhost:5000\/A+):44:7\)/.exec(input.stack!)![1];
      return frames.map((f) => (f.function == 'Foo.testMethod' ? { ...f, file: url, line: 44, column: 7 } : f));
    },
  },
  'Tracekit - Chrome Tests > should correctly parse a wasm stack trace': {
    why: "Sentry splits wasm frames inside the C++ signature; we keep the signature whole and the module's byte offset as the column",
    fix: (frames) => [
      wasm('MyClass::bar(int) const', 0x5aeb),
      wasm('MyClass::foo(int) const', 0x5637),
      wasm('MyClass::getAt(int) const', 0x540b),
      wasm(
        'emscripten::internal::MethodInvoker<int (MyClass::*)(int) const, int, MyClass const*, int>::invoke(int (MyClass::* const&)(int) const, MyClass const*, int)',
        0x47df,
      ),
      ...frames.slice(4),
    ],
  },
  'Tracekit - Misc Tests > should parse SecurityError': {
    why: "Sentry hides its own wrapper frame (sentryWrapped); we have no reason to",
    fix: (frames) => [
      ...frames,
      { function: 'sentryWrapped', file: '../node_modules/@sentry/browser/esm/helpers.js', line: 90, column: 17 },
    ],
  },
};

/** error-stack-parser cases (its own shape, newest first) that we deliberately read differently. */
const ESP_DIFFERENCES: Record<string, { why: string; fix: (expected: EspFrame[]) => EspFrame[] }> = {
  EDGE_20_NESTED_EVAL: {
    why: 'Edge prints "eval code"; Sentry keeps that name, error-stack-parser shortens it to "eval"',
    fix: (frames) => frames.map((f) => (f.functionName == 'eval' ? { ...f, functionName: 'eval code' } : f)),
  },
  OPERA_11: {
    why: "error-stack-parser reads Opera 11's `stack`; we read its `stacktrace`, which has columns and the two innermost frames (as Sentry does)",
    fix: () =>
      opera11.map((f) => ({
        functionName: f.function ?? null,
        fileName: f.file!,
        lineNumber: f.line!,
        columnNumber: f.column!,
      })),
  },
};

const sentryCases = load<SentryCase>('sentry-javascript.json');
const espCases = load<EspCase>('error-stack-parser.json');

describe('stack fixtures: sentry-javascript', () => {
  it('has all 58 cases', () => expect(sentryCases).toHaveLength(58));

  it.each(sentryCases.map((c) => [c.test, c] as const))('%s', (name, c) => {
    let expected: Frame[] = c.expected.stacktrace.frames
      .slice()
      .reverse() // Sentry lists the oldest call first
      .map((f) => {
        const frame: Frame = { file: f.filename };
        if (f.function && f.function != '?') frame.function = f.function;
        if (f.lineno != null) frame.line = f.lineno;
        if (f.colno != null) frame.column = f.colno;
        return frame;
      });
    const difference = SENTRY_DIFFERENCES[name];
    if (difference) expected = difference.fix(expected, c.input);
    // Sentry drops Safari's location-less frames inside eval ("foo", "eval code"); we keep
    // them because they name the calls, so compare only frames that have a file.
    const actual = framesOf(c.input).filter((f) => f.file != null);
    expect(actual).toEqual(expected);
  });
});

describe('stack fixtures: error-stack-parser', () => {
  it('has all 24 cases', () => expect(espCases).toHaveLength(24));

  it.each(espCases.map((c, i) => [`${c.test} ${c.fixture ?? '#' + i}`, c] as const))('%s', (_, c) => {
    const difference = ESP_DIFFERENCES[c.fixture ?? ''];
    const expected = difference ? difference.fix(c.expected.frames ?? []) : c.expected.frames ?? [];
    // error-stack-parser drops JavaScriptCore's "[native code]" frames; we keep them.
    const actual = framesOf(c.input).filter((f) => f.file != '[native code]');
    expect(actual).toHaveLength(difference ? expected.length : c.expected.length);
    expected.forEach((f, i) => {
      // `null` means the source does not assert that field.
      const frame = actual[i];
      if (f.functionName != null) expect(frame.function, `frame ${i} function`).toBe(f.functionName);
      if (f.fileName != null)
        expect(frame.file, `frame ${i} file`).toBe(f.fileName == '(native)' ? 'native' : f.fileName);
      if (f.lineNumber != null) expect(frame.line, `frame ${i} line`).toBe(f.lineNumber);
      if (f.columnNumber != null) expect(frame.column, `frame ${i} column`).toBe(f.columnNumber);
    });
  });

  it('applies the Edge difference to the frame it is about', () => {
    const frames = framesOf(espCases.find((c) => c.fixture == 'EDGE_20_NESTED_EVAL')!.input);
    expect(frames[2]).toEqual({ function: 'eval code', file: 'eval code', line: 4, column: 18 });
  });
});

describe('parseStack', () => {
  it('keeps at most MAX_FRAMES frames, newest first', () => {
    const stack = 'Error: deep\n' + Array.from({ length: 250 }, (_, i) => `    at f${i} (http://a.test/app.js:${i + 1}:1)`).join('\n');
    const frames = parseStack(stack);
    expect(frames).toHaveLength(MAX_FRAMES);
    expect(frames[0]).toEqual({ function: 'f0', file: 'http://a.test/app.js', line: 1, column: 1 });
  });

  it('reads a frameless V8 stack as no frames, not as its message', () => {
    expect(framesOf({ name: 'Error', message: 'boom', stack: 'Error: boom' })).toEqual([]);
    expect(framesOf({ name: 'TypeError', message: '', stack: 'TypeError' })).toEqual([]);
  });

  it('does not take message lines with a colon and digits for frames', () => {
    expect(parseStack('Error: failed at host:8080\n    at run (http://a.test/x.js:1:2)')).toEqual([
      { function: 'run', file: 'http://a.test/x.js', line: 1, column: 2 },
    ]);
  });

  it('reads async frames and Firefox new Function frames', () => {
    expect(parseStack('Error\n    at async load (http://a.test/x.js:3:4)')).toEqual([
      { function: 'async load', file: 'http://a.test/x.js', line: 3, column: 4 },
    ]);
    expect(parseStack('@http://a.test/x.js line 7 > Function:1:5')).toEqual([
      { function: 'eval', file: 'http://a.test/x.js', line: 7 },
    ]);
  });
});
