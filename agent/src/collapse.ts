import type { ErrorEvent } from '../../protocol/wire.js';

/** An error loop must not flood the collector nor the user's uplink. */
export const MAX_ERRORS_PER_VIEW = 100;

/**
 * Folds identical errors of a burst into one event with a `count`, and caps errors per
 * page view. A burst lasts while its first event waits in the transport queue (up to the
 * 5 s batch interval): once that event is sent, the next twin starts a new event.
 */
export function createCollapser(isQueued: (event: ErrorEvent) => boolean, max = MAX_ERRORS_PER_VIEW) {
  let open: Record<string, ErrorEvent> = {};
  let admitted = 0;
  return {
    /** True when the event is to be queued, false when folded into its twin or over the cap. */
    admit(event: ErrorEvent): boolean {
      const top = event.frames?.[0];
      const key = [event.type, event.message, top?.file, top?.line, top?.column].join('|');
      const twin = open[key];
      if (twin && isQueued(twin)) {
        twin.count = (twin.count || 1) + 1;
        return false;
      }
      if (admitted >= max) return false;
      admitted++;
      open[key] = event;
      return true;
    },
    /** A new page view starts a new cap. */
    reset() {
      open = {};
      admitted = 0;
    },
  };
}
