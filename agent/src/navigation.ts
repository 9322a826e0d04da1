import type { NavigationEvent } from '../../protocol/wire.js';
import { addBreadcrumb } from './breadcrumbs.js';
import { guard } from './guard.js';

/** A route change has settled after this long with no request in flight and no DOM change. */
export const QUIET_MS = 100;
/** …or after this long whatever happens (long polling, animations that never stop). */
export const MAX_ROUTE_CHANGE_MS = 10000;

export type NavigationReport = Pick<NavigationEvent, 'type' | 'route' | 'duration' | 'requests' | 'status' | 'router_duration' | 'from_route'>;

const now = () => performance.now();

/** Path of the page, with the path inside the hash for hash-routed apps (AngularJS). */
export const defaultRoute = (): string => location.pathname + (/^#!?\//.test(location.hash) ? location.hash.replace(/\?.*/, '') : '');

let template: string | undefined;
let lastPath = '';
let pending = 0;

// The route change in progress, if `changing` (plain variables: their names minify).
export let changing = false;
let start = 0;
/** Time of the last request end or DOM change: the view settled then. */
let last = 0;
let from = '';
let requests = 0;
let routerDone = 0;
let observer: MutationObserver | undefined;
let quiet: ReturnType<typeof setTimeout> | undefined;
let cap: ReturnType<typeof setTimeout> | undefined;
/** Set once a framework integration drives route changes: the History heuristics stand down. */
let manual = false;
/** [time, route] pairs, so a Web Vital can be attributed to the route it happened on. */
const timeline: [number, string][] = [];

/** `viewEnd`: when a route change ends, the time the previous view stopped being shown. */
let report: (navigation: NavigationReport, viewEnd?: number) => void = () => {};
let onNewView: () => void = () => {};

/** The route template set by an integration (`/users/:id`), or the path. */
export const currentRoute = (): string => template || defaultRoute();

/** The route the page was on at `time` (performance.now() clock). */
export function routeAt(time: number): string {
  let route = timeline[0]?.[1] || currentRoute();
  for (const [t, r] of timeline) if (t <= time) route = r;
  return route;
}

/** Sets the template of the current route; frameworks know it, the URL does not. */
export function setRoute(route: string): void {
  template = route;
  timeline.push([changing ? start : now(), route]);
}

/** Requests and marked work in flight; a route change waits for them. */
export function activity(delta: number): void {
  pending += delta;
  if (changing) {
    if (delta > 0) requests++;
    touch();
  }
}

/** Marks work (a resolver, a lazy chunk) that a route change should wait for; call the result when done. */
export function markPending(): () => void {
  let done = false;
  activity(1);
  return () => {
    if (!done) activity(-1);
    done = true;
  };
}

function touch() {
  last = now();
  clearTimeout(quiet);
  quiet = setTimeout(guard(() => pending <= 0 && end('ok')), QUIET_MS);
}

function end(status: NavigationEvent['status']) {
  if (!changing) return;
  changing = false;
  observer?.disconnect();
  clearTimeout(quiet);
  clearTimeout(cap);
  const settled = status == 'ok' && last - start < MAX_ROUTE_CHANGE_MS ? last : now();
  report(
    {
      type: 'route',
      route: currentRoute(),
      from_route: from,
      duration: Math.round(Math.max(settled, routerDone) - start),
      requests,
      router_duration: routerDone ? Math.round(routerDone - start) : undefined,
      status,
    },
    start,
  );
}

/**
 * Starts timing a route change; a change still running is cancelled. Integrations call
 * this from their router's start event, with the template if they know it already.
 */
export function startRouteChange(route?: string, byIntegration = true): void {
  manual ||= byIntegration;
  // Not currentRoute(): history.pushState has already changed the URL.
  const previous = timeline[timeline.length - 1][1];
  end('cancelled');
  template = route;
  lastPath = defaultRoute();
  timeline.push([(start = now()), currentRoute()]);
  onNewView();
  addBreadcrumb({ category: 'navigation', message: previous + ' → ' + currentRoute() });
  changing = true;
  from = previous;
  requests = routerDone = 0;
  observer = new MutationObserver(guard(touch));
  observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  cap = setTimeout(guard(() => end('timeout')), MAX_ROUTE_CHANGE_MS);
  touch();
}

/** The router is done (Angular NavigationEnd…): the view may still be loading data. */
export function endRouteChange(status: NavigationEvent['status'] = 'ok'): void {
  if (!changing) return;
  // A change the router had finished, superseded while its view was loading, keeps its router time.
  routerDone ||= now();
  if (status != 'ok') end(status);
}

/** Watches the History API and hash changes, and reports the initial page load. */
export function trackNavigations(onReport: typeof report, newView: typeof onNewView): void {
  report = onReport;
  onNewView = newView;
  lastPath = defaultRoute();
  timeline.push([0, currentRoute()]);

  const changed = guard(() => {
    if (!manual && defaultRoute() != lastPath) startRouteChange(undefined, false);
  });
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History) {
      const result = original.apply(this, arguments as unknown as Parameters<History['pushState']>);
      changed();
      return result;
    };
  }
  addEventListener('popstate', changed);
  addEventListener('hashchange', changed);
  // A hidden page will not settle: report what was measured, as cancelled.
  addEventListener('pagehide', guard(() => end('cancelled')));

  const load = guard(() => {
    const entry = performance.getEntriesByType('navigation')[0];
    if (entry)
      report({
        type: 'load',
        route: routeAt(0),
        duration: Math.round(entry.loadEventEnd),
      });
  });
  // loadEventEnd is set only after the load handlers have run.
  if (document.readyState == 'complete') setTimeout(load);
  else addEventListener('load', () => setTimeout(load));
}
