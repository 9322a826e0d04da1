import { describe, expect, it } from 'vitest';
import { describe as describeValue, describeErrorEvent, SCRIPT_ERROR } from '../../agent/src/error.js';

const errorEvent = (init: Partial<globalThis.ErrorEvent>) => init as globalThis.ErrorEvent;

describe('describe', () => {
  it('reads type, message and frames of an Error', () => {
    const error = new TypeError('x is not a function');
    error.stack = 'TypeError: x is not a function\n    at run (http://app.test/app.js:3:7)';
    expect(describeValue(error)).toEqual({
      type: 'TypeError',
      message: 'x is not a function',
      frames: [{ function: 'run', file: 'http://app.test/app.js', line: 3, column: 7 }],
      stack: undefined,
    });
  });

  it('keeps the raw stack when no frame could be read from it', () => {
    const described = describeValue({ name: 'Error', message: 'odd', stack: 'something unreadable' });
    expect(described.frames).toEqual([]);
    expect(described.stack).toBe('something unreadable');
  });

  it('reads error-like objects (Angular HttpErrorResponse has no stack)', () => {
    expect(describeValue({ name: 'HttpErrorResponse', message: 'Http failure response for /api: 500', status: 500 })).toMatchObject({
      type: 'HttpErrorResponse',
      message: 'Http failure response for /api: 500',
    });
  });

  it('serialises rejections that are not errors readably', () => {
    expect(describeValue('plain string')).toEqual({ type: 'Error', message: 'plain string' });
    expect(describeValue(42)).toEqual({ type: 'Error', message: '42' });
    expect(describeValue(undefined)).toEqual({ type: 'Error', message: 'undefined' });
    expect(describeValue(null)).toEqual({ type: 'Error', message: 'null' });
    expect(describeValue({ code: 'E_AUTH', retry: false })).toEqual({ type: 'Object', message: '{"code":"E_AUTH","retry":false}' });
    class ApiFailure {
      status = 503;
    }
    expect(describeValue(new ApiFailure())).toEqual({ type: 'ApiFailure', message: '{"status":503}' });
  });

  it('survives cyclic objects', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toEqual({ type: 'Object', message: '[object Object]' });
  });

  it('names events instead of printing {"isTrusted":…}', () => {
    expect(describeValue(new Event('abort')).message).toBe('abort event on undefined');
  });
});

describe('describeErrorEvent', () => {
  it('reports "Script error." with the cross-origin hint instead of dropping it', () => {
    const described = describeErrorEvent(errorEvent({ message: 'Script error.', filename: '', lineno: 0, colno: 0, error: null }));
    expect(described).toBe(SCRIPT_ERROR);
    expect(described).toMatchObject({ type: 'ScriptError', message: 'Script error.' });
    expect(described.hint).toContain('crossorigin="anonymous"');
  });

  it('uses the event position when the thrown value has no stack', () => {
    const described = describeErrorEvent(
      errorEvent({ message: 'Uncaught oops', filename: 'http://app.test/a.js', lineno: 4, colno: 9, error: 'oops' }),
    );
    expect(described).toMatchObject({ type: 'Error', message: 'oops', frames: [{ file: 'http://app.test/a.js', line: 4, column: 9 }] });
  });

  it('prefers the error object when there is one', () => {
    const error = new RangeError('bad');
    error.stack = 'RangeError: bad\n    at f (http://app.test/b.js:1:2)';
    const described = describeErrorEvent(errorEvent({ message: 'Uncaught RangeError: bad', filename: 'http://app.test/b.js', lineno: 1, colno: 2, error }));
    expect(described).toMatchObject({ type: 'RangeError', message: 'bad', frames: [{ function: 'f' }] });
  });
});
