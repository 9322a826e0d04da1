import type { GetLookout } from './types.js';
import { safe } from './safe.js';

type ExceptionHandler = (exception: unknown, cause?: string) => void;

/** Errors that reached `window.onerror`, where the agent has reported them already. */
const escaped = new WeakSet<object>();
/** Errors this handler has seen: AngularJS passes an error thrown in a `$timeout` twice (thrown, then unhandled rejection). */
const seen = new WeakSet<object>();

/**
 * `$exceptionHandler` that behaves exactly like the one it decorates, and reports.
 *
 * Some apps' handlers rethrow (their own decorator, before or after this one): the error then
 * reaches `window.onerror` within the same task, and the agent reports it there. So the
 * report waits for a timer, and is dropped if the error escaped meanwhile: sent once.
 */
export function reportingExceptionHandler(original: ExceptionHandler, lookout: GetLookout): ExceptionHandler {
  // Capturing, so that no listener of the app can stop it from seeing the error.
  addEventListener('error', safe((event: ErrorEvent) => escaped.add(event.error)), true);
  return (exception, cause) => {
    safe(() => {
      if (exception instanceof Object) {
        if (seen.has(exception)) return;
        seen.add(exception);
      }
      setTimeout(
        safe(
          () =>
            escaped.has(exception as object) ||
            lookout()?.captureException?.(exception, { mechanism: 'angularjs', handled: false }),
        ),
      );
    })();
    return original(exception, cause);
  };
}
