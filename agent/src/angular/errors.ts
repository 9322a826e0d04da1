import { ErrorHandler } from '@angular/core';
import type { HttpInterceptorFn } from '@angular/common/http';
import { tap } from 'rxjs';
import { guard } from '../guard.js';
import { withoutQueryValues } from '../scrub.js';
import { agent } from './agent.js';

interface HttpErrorLike {
  name: string;
  url: string | null;
  status: number;
  statusText: string;
}

/** Request methods of failed HttpClient calls: HttpErrorResponse does not carry its own. */
const methods = new WeakMap<object, string>();

/**
 * Optional `withInterceptors([lookoutInterceptor])`: adds the method to the reports of
 * HttpErrorResponse. Requests are counted for route timing without it (the agent sees XHR/fetch).
 */
export const lookoutInterceptor: HttpInterceptorFn = (request, next) =>
  next(request).pipe(tap({ error: guard((error: object) => methods.set(error, request.method)) }));

const isHttpError = (value: unknown): value is HttpErrorLike => (value as HttpErrorLike | null)?.name == 'HttpErrorResponse';

/**
 * What was really thrown: zone.js wraps unhandled rejections in "Uncaught (in promise)"
 * errors (`rejection`), older Angular wrapped errors in `ngOriginalError`.
 */
function unwrap(error: any): unknown {
  if (error?.ngOriginalError) error = error.ngOriginalError;
  if (error?.promise && 'rejection' in error) error = error.rejection;
  return error;
}

/**
 * An HttpErrorResponse as "GET /api/users?page= 500 Internal Server Error": it has no stack,
 * and its own message repeats the URL with the query values.
 */
const readable = (error: HttpErrorLike) => ({
  name: error.name,
  message: (
    (methods.get(error) || '') + ' ' + withoutQueryValues(error.url || '') + ' ' + (error.status ? error.status + ' ' + error.statusText : 'network error')
  ).trim(),
});

/** Reports what was thrown, in Angular's terms; `original` lets the agent send it once across paths. */
const report = (error: unknown, mechanism: string) =>
  agent().captureException(isHttpError(error) ? readable(error) : error, { mechanism, handled: false, original: error });

/** Whether the browser is dispatching a window error/rejection event for this very value. */
function beingDispatched(error: unknown): boolean {
  const event = window.event as (Event & { error?: unknown; reason?: unknown }) | undefined;
  return !!event && (event.error ?? event.reason) === error;
}

/**
 * Reports an error Angular handed to its ErrorHandler. For a custom ErrorHandler of your own,
 * call this from its `handleError`.
 */
export const reportAngularError = guard((error: unknown) => {
  error = unwrap(error);
  // Angular's global listeners pass window errors on to the ErrorHandler: the agent's own
  // window listener reports those (uncaught: mechanism onerror / unhandledrejection).
  if (!beingDispatched(error)) report(error, 'angular');
});

/**
 * HttpErrorResponses that escape to `window` (zoneless apps: rxjs rethrows unhandled errors
 * from a timer), read like the ErrorHandler reads them. Whether this listener or the agent's
 * own runs first depends on the browser and on who registered first: the agent sends the
 * error once either way, in the words of the first.
 */
export const onWindowError = guard((event: Event & { error?: unknown; reason?: unknown }) => {
  const value = event.error ?? event.reason;
  if (isHttpError(value)) report(value, event.type == 'error' ? 'onerror' : 'unhandledrejection');
});

/** Angular's ErrorHandler (logs to the console) that reports to Lookout first. */
export class LookoutErrorHandler extends ErrorHandler {
  override handleError(error: unknown): void {
    reportAngularError(error);
    super.handleError(error);
  }
}
