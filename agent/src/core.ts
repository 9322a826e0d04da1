/**
 * The agent's state and its event pipeline: context, filters, sampling, collapsing,
 * beforeSend, transport; `init` wires it to the page. index.ts is the public surface.
 */
import type { ErrorEvent, LookoutEvent } from '../../protocol/wire.js';
import { BATCH_INTERVAL_MS } from './batch.js';
import { addBreadcrumb, breadcrumbs } from './breadcrumbs.js';
import { createCollapser } from './collapse.js';
import { ingestUrl, matches, type Options } from './config.js';
import { describe, describeErrorEvent, scrubFrames, type Described } from './error.js';
import { guard } from './guard.js';
import { activity, changing, currentRoute, trackNavigations, type NavigationReport } from './navigation.js';
import { instrumentRequests } from './requests.js';
import { selectorOf } from './selector.js';
import { scrubUrl } from './scrub.js';
import { sampledIn, touchSession, uuid } from './session.js';
import { createTransport } from './transport.js';
import { observeViews, reportView, trackVitals, type VitalReport } from './vitals.js';

/** What an integration or a caller can say about a captured error. */
export interface CaptureContext {
  /** How it was caught: `manual` (default), `angular`, `angularjs`, … */
  mechanism?: string;
  /** False when nothing in the app caught it. Default true. */
  handled?: boolean;
  tags?: Record<string, string>;
  fingerprint?: string[];
  /** captureMessage's severity, default `info` (exceptions are `error`, the wire default). */
  level?: ErrorEvent['level'];
  /**
   * What was thrown, when `error` is an integration's own reading of it (Angular's
   * HttpErrorResponse): each thrown object is reported once, whichever path sees it first.
   */
  original?: unknown;
}

// Module state (plain variables: their names minify, object keys would not).
let options: Options | undefined;
let transport: ReturnType<typeof createTransport> | undefined;
let collapser: ReturnType<typeof createCollapser> | undefined;
let pageViewId = uuid();
/** The page view a route change replaced: its per-view vitals are sent once the change settles. */
let endedPageViewId: string;
let userId: string | undefined;
const tags: Record<string, string> = {};

/** Fields every event carries: who, where, which build. */
function context() {
  return {
    event_id: uuid(),
    timestamp: Date.now(),
    url: scrubUrl(location.href, options!.scrub),
    release: options!.release,
    environment: options!.environment,
    session_id: touchSession(),
    page_view_id: pageViewId,
    route: currentRoute(),
    user_id: userId,
    // Read as the event is made, not at init: right for a window resized or a network changed since.
    viewport: innerWidth + 'x' + innerHeight,
    connection: (navigator as Navigator & { connection?: { effectiveType?: string } }).connection?.effectiveType,
    // {} when there are none: the collector stores that exactly like absent tags, and leaving
    // it out would cost bytes of the size budget.
    tags: { ...tags },
  };
}

const send = (event: LookoutEvent) => {
  const final = options!.beforeSend ? options!.beforeSend(event) : event;
  if (final) transport!.enqueue(final);
};

export function sendError(described: Described, mechanism: string, handled: boolean, extra?: CaptureContext): void {
  const o = options;
  // init sets collapser along with options.
  if (!o) return;
  const file = described.frames?.[0]?.file;
  if (
    matches(described.message, o.ignoreErrors) ||
    matches(described.type + ': ' + described.message, o.ignoreErrors) ||
    (o.allowUrls && file && !matches(file, o.allowUrls)) ||
    matches(file, o.denyUrls) ||
    Math.random() >= (o.errorSampleRate ?? 1)
  )
    return;
  scrubFrames(described, o.scrub);
  const base = context();
  const event: ErrorEvent = {
    kind: 'error',
    ...base,
    ...described,
    tags: { ...tags, ...extra?.tags },
    fingerprint: extra?.fingerprint,
    mechanism,
    handled,
    breadcrumbs: breadcrumbs(),
  };
  if (collapser!.admit(event)) send(event);
}

/**
 * Error objects already reported. One error can reach a framework's handler and the window
 * listeners both (Angular's `provideBrowserGlobalErrorListeners`, zone.js rejections): it is
 * sent by whichever sees it first.
 */
const reported = new WeakSet<object>();
const firstTime = (value: any): boolean => !reported.has(value) && (!(value instanceof Object) || !!reported.add(value));

/** A window `error` or `unhandledrejection` event, live or queued by the loader snippet. */
export function sendWindowEvent(event: Event): void {
  const reason = (event as PromiseRejectionEvent).reason;
  if (firstTime(reason ?? (event as globalThis.ErrorEvent).error))
    if (event.type == 'unhandledrejection') sendError(describe(reason), 'unhandledrejection', false);
    // Resource load failures (img, script) reach capturing listeners too, and are no ErrorEvent.
    else if (event instanceof globalThis.ErrorEvent) sendError(describeErrorEvent(event), 'onerror', false);
}

/** Sends a vital or navigation if the session is in the sample (decided here, not at init: that reads sessionStorage). */
export const sendMeasurement = (fields: NavigationReport | VitalReport, kind: 'navigation' | 'vital'): void => {
  const base = context();
  if (sampledIn(base.session_id, options!.sampleRate ?? 1)) send({ ...base, kind, ...fields } as LookoutEvent);
};

/** Starts the agent; later calls are ignored. Never throws: a bad DSN leaves it off. */
export const init = guard((opts: Options) => {
  if (options) return;
  const sender = (transport = createTransport({
    url: ingestUrl(opts.dsn, opts.tunnel),
    // Taken before the request instrumentation wraps it: our requests are not the page's.
    fetch: window.fetch,
    beacon: (to, body) => navigator.sendBeacon?.(to, body),
  }));
  options = opts;
  const views = (collapser = createCollapser(sender.isQueued));

  addEventListener('error', guard(sendWindowEvent));
  addEventListener('unhandledrejection', guard(sendWindowEvent));
  addEventListener(
    'click',
    guard((event: Event) => addBreadcrumb({ category: 'ui.click', message: selectorOf(event.target as Node) || '?' })),
    true,
  );
  const consoleError = console.error;
  console.error = function () {
    guard(() => addBreadcrumb({ category: 'console', message: [].join.call(arguments, ' '), level: 'error' }))();
    return consoleError.apply(this, arguments as unknown as unknown[]);
  };

  instrumentRequests(activity);
  trackNavigations(
    (report, viewEnd) => {
      sendMeasurement(report, 'navigation');
      if (viewEnd) reportView(report.from_route!, viewEnd, endedPageViewId);
    },
    () => {
      endedPageViewId = pageViewId;
      pageViewId = uuid();
      views.reset();
    },
  );
  // Events kept from an earlier page that could not send them go with the first batch, or
  // after BATCH_INTERVAL_MS: reading them is synchronous storage access, kept off the page's start.
  setTimeout(sender.flush, BATCH_INTERVAL_MS);
  // Not needed while the page's scripts start: out of the agent's script evaluation. Vitals lose
  // nothing: their observers are buffered.
  setTimeout(
    guard(() => {
      trackVitals((report) => sendMeasurement(report, 'vital'));
      // Registered after web-vitals' listeners, so the vitals it reports on hide are in this flush.
      // The last view's INP and CLS first (a route change in progress is ended, and its view
      // reported, at pagehide: navigation.ts).
      const exit = guard(() => {
        changing || reportView(currentRoute(), 1 / 0, pageViewId);
        sender.flushOnExit();
      });
      addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && exit());
      addEventListener('pagehide', exit);
      // Last: browsers without PerformanceObserver throw here, and everything else is set up by now.
      observeViews();
    }),
  );
});

/** Reports an error caught by the app (or by an integration, with its `mechanism`). */
export const captureException = guard((error: unknown, context?: CaptureContext): void => {
  if (firstTime(context?.original ?? error)) sendError(describe(error), context?.mechanism || 'manual', context?.handled ?? true, context);
});

/** Reports a message as an error event of type "Message", without a stack, at `level` (default `info`). */
export const captureMessage = guard((message: string, context?: CaptureContext) =>
  sendError({ type: 'Message', message: String(message), level: context?.level || 'info' }, context?.mechanism || 'message', true, context),
);

export const setUser = guard((user: { id?: string | number } | null) => {
  userId = user?.id == null ? undefined : String(user.id);
});

export const setTag = guard((key: string, value: string) => {
  tags[key] = String(value);
});

/** Sends what is queued now; settles when sent or kept for retry, never rejects. */
export const flush = (): Promise<void> => transport?.flush() || Promise.resolve();

