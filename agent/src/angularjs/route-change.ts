import type { GetLookout, Injector } from './types.js';

export interface RouteChanges {
  /** The router started a change (towards `template`, when known); one still running is cancelled. */
  start(template?: string): number;
  /** The router is done; timing goes on until the view has settled. */
  succeed(template?: string): void;
  /** The router gave up: the change ends now, with this status. */
  fail(status: 'cancelled' | 'failed'): void;
  /** Id of the change in progress: events about an older change are stale. */
  current(): number;
}

/**
 * One route change at a time, held open from the router's start event until the view has
 * settled: the router succeeded, no `$http` request is outstanding (AngularJS's own count,
 * `$browser.notifyWhenNoOutstandingRequests`, which covers each request from the `$http`
 * call through its interceptors, before and after the XMLHttpRequest), and the digest that
 * applied the responses is over. `$timeout`s are not waited for (a poller would never
 * settle); the agent itself then waits until the DOM has been quiet for 100 ms.
 */
export function routeChanges($injector: Injector, lookout: GetLookout): RouteChanges {
  const $rootScope = $injector.get('$rootScope');
  const $browser = $injector.get('$browser');
  let id = 0;
  let release = () => {};

  const finish = () => {
    release();
    release = () => {};
  };

  return {
    start(template) {
      const api = lookout();
      finish();
      api?.endRouteChange?.('cancelled');
      // Taken before the change starts: the agent counts work marked during a change as
      // one of its requests, and this hold is not a request.
      release = api?.markPending?.() || release;
      api?.startRouteChange?.(template);
      return ++id;
    },
    succeed(template) {
      const api = lookout();
      if (template) api?.setRoute?.(template);
      api?.endRouteChange?.();
      const change = id;
      // After this digest, the new view's controllers have run and made their requests.
      $rootScope.$evalAsync(() =>
        $rootScope.$$postDigest(() =>
          $browser.notifyWhenNoOutstandingRequests(
            // A timer: the digest that handled the last response is over by then.
            () => setTimeout(() => change == id && finish()),
            '$http',
          ),
        ),
      );
    },
    fail(status) {
      lookout()?.endRouteChange?.(status);
      finish();
    },
    current: () => id,
  };
}
