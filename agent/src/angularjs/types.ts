/**
 * The little of AngularJS and of the agent that the integration touches, typed structurally:
 * no dependency on @types/angular, and any AngularJS 1.x (or ui-router) fits.
 */
import type * as agent from '../index.js';

/** The agent calls the integration makes. Optional: before the loader snippet's agent arrives, `Lookout` is a stub. */
export type LookoutApi = Partial<
  Pick<typeof agent, 'captureException' | 'addBreadcrumb' | 'startRouteChange' | 'endRouteChange' | 'setRoute' | 'markPending'>
>;

/** Read on every call: the global `Lookout` may be replaced after the integration loaded. */
export type GetLookout = () => LookoutApi | undefined;

export type Injectable = (string | ((...args: any[]) => unknown))[];

export interface AngularStatic {
  module(name: string, requires: string[]): { config(fn: Injectable): { run(fn: Injectable): unknown } };
}

export interface Injector {
  get(name: string): any;
  has(name: string): boolean;
}

/** A scope event, as `$rootScope.$on` listeners get it. */
export interface ScopeEvent {
  defaultPrevented?: boolean;
}
