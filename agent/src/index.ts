/**
 * Lookout browser agent: errors, breadcrumbs, Web Vitals and navigations of single-page
 * apps, sent in batches to a Lookout collector. Everything here is guarded: a bug in the
 * agent is counted and sent, never thrown into the page.
 */
import { addBreadcrumb as add } from './breadcrumbs.js';
import { guard } from './guard.js';
import * as navigation from './navigation.js';

export type { Options, Pattern } from './config.js';
export type { CaptureContext } from './core.js';
export { init, captureException, captureMessage, setUser, setTag, flush } from './core.js';

/** Adds a breadcrumb to the ring that the next errors carry. */
export const addBreadcrumb = guard(add);

// Route-change timing for framework integrations (Angular, AngularJS…): see navigation.ts.
export const startRouteChange = guard((route?: string) => navigation.startRouteChange(route));
export const endRouteChange = guard(navigation.endRouteChange);
export const setRoute = guard(navigation.setRoute);
/** Marks work a route change waits for; returns the function that marks it done. */
export const markPending = (): (() => void) => guard(navigation.markPending)() || (() => {});
