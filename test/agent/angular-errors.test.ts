/**
 * The Angular ErrorHandler's readings, in Node: a stand-in for the script-tag agent on
 * window.Lookout (which the integration prefers when present) records what it is handed.
 */
// Angular's packages are partially compiled: loading them outside an Angular build needs the JIT compiler.
import '@angular/compiler';
import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LookoutErrorHandler } from '../../agent/src/angular/index.js';

const calls: Array<[unknown, Record<string, unknown>]> = [];
const globals = globalThis as unknown as { window?: unknown; Lookout?: unknown };
globals.window = globalThis;
globals.Lookout = { markPending: () => () => {}, captureException: (error: unknown, context: Record<string, unknown>) => calls.push([error, context]) };
afterAll(() => {
  delete globals.Lookout;
  delete globals.window;
});

const handler = new LookoutErrorHandler();
const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
beforeEach(() => {
  calls.length = 0;
  consoleError.mockClear();
});

describe('LookoutErrorHandler', () => {
  it('reports what Angular handed it and still logs it like Angular does', () => {
    const error = new TypeError('boom');
    handler.handleError(error);
    expect(calls).toEqual([[error, { mechanism: 'angular', handled: false, original: error }]]);
    expect(consoleError).toHaveBeenCalledWith('ERROR', error);
  });

  it('unwraps zone.js rejections and ngOriginalError', () => {
    const reason = new RangeError('rejected');
    handler.handleError(Object.assign(new Error('Uncaught (in promise): RangeError: rejected'), { rejection: reason, promise: Promise.resolve() }));
    const original = new SyntaxError('original');
    handler.handleError(Object.assign(new Error('wrapper'), { ngOriginalError: original }));
    expect(calls.map(([error]) => error)).toEqual([reason, original]);
    // An error that merely has a `rejection` field is not a zone.js wrapper.
    const own = Object.assign(new Error('mine'), { rejection: 'x' });
    handler.handleError(own);
    expect(calls[2][0]).toBe(own);
  });

  it('reads an HttpErrorResponse: method when known, URL without query values, status', () => {
    const response = new HttpErrorResponse({ url: '/api/orders?user=42&token=t#x', status: 503, statusText: 'Service Unavailable', headers: new HttpHeaders() });
    handler.handleError(response);
    expect(calls[0][0]).toEqual({ name: 'HttpErrorResponse', message: '/api/orders?user=&token= 503 Service Unavailable' });
    // The agent dedupes on what was thrown, not on this reading.
    expect(calls[0][1]).toMatchObject({ mechanism: 'angular', original: response });

    handler.handleError(new HttpErrorResponse({ url: '/api/offline', status: 0 }));
    expect(calls[1][0]).toMatchObject({ message: '/api/offline network error' });
  });

  it('never throws into the app, even when reporting fails', () => {
    (globals.Lookout as { captureException: () => void }).captureException = () => {
      throw new Error('agent bug');
    };
    expect(() => handler.handleError(new Error('x'))).not.toThrow();
    expect(consoleError).toHaveBeenCalledTimes(1);
  });
});
