import type { ApplicationRef, NgZone } from '@angular/core';
import type { ActivatedRouteSnapshot, Event, Router } from '@angular/router';
import { guard } from '../guard.js';
import type { Agent } from './agent.js';

// Router EventType values (public API, stable since v14), as numbers: they minify to one digit.
const START = 0;
const END = 1;
const CANCEL = 2;
const ERROR = 3;
const RECOGNIZED = 4;

/** `/users/:id`: the configured paths of the activated routes, root to leaf. */
export function templateOf(route: ActivatedRouteSnapshot | null): string {
  let template = '';
  for (; route; route = route.firstChild) if (route.routeConfig?.path) template += '/' + route.routeConfig.path;
  return template || '/';
}

/**
 * Times each router navigation from NavigationStart until the application is stable after
 * NavigationEnd (zone.js: no pending tasks; zoneless: no PendingTasks — HttpClient, router,
 * scheduled change detection), reporting the route template; cancelled and failed
 * navigations end at once with that status.
 */
export function trackRouter(router: Router, app: ApplicationRef, zone: NgZone, lookout: Agent): void {
  let current: number | undefined;
  /** Releases the hold that keeps the agent's timing open until Angular is stable. */
  let settle = () => {};

  const onEvent = (event: Event & { id?: number }) => {
    if (event.type == START) {
      // A navigation still open is superseded. The hold is taken before the new timing
      // starts, so that the agent does not count it as a request the view waited for.
      lookout.endRouteChange('cancelled');
      settle();
      settle = lookout.markPending();
      current = event.id;
      lookout.startRouteChange();
    } else if (event.id != current) {
      // Events of a superseded navigation, or without one (Scroll, ActivationStart…).
    } else if (event.type == RECOGNIZED) {
      // Known before guards and resolvers run, so errors they throw carry the new route.
      lookout.setRoute(templateOf(event.state.root));
    } else if (event.type == END) {
      lookout.endRouteChange();
      app.whenStable().then(settle);
    } else if (event.type == CANCEL || event.type == ERROR) {
      lookout.endRouteChange(event.type == ERROR ? 'failed' : 'cancelled');
      settle();
      // Back on the route the router stayed on.
      lookout.setRoute(templateOf(router.routerState.snapshot.root));
    }
  };
  const handle = guard(onEvent);
  // The router emits inside Angular's zone: the agent's timers started from here would be
  // zone tasks, and the application would not become stable until they fired (10 s cap).
  router.events.subscribe((event) => zone.runOutsideAngular(() => handle(event)));
}
