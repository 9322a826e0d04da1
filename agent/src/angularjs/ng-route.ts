import type { RouteChanges } from './route-change.js';
import { safe } from './safe.js';
import type { Injector, ScopeEvent } from './types.js';

interface Route {
  redirectTo?: unknown;
  $$route?: { originalPath?: string };
}

/** `/users/:id` as declared with `$routeProvider.when`; none for `otherwise`. */
const templateOf = (route?: Route) => route?.$$route?.originalPath || undefined;

/** ngRoute: `$routeChangeStart` → `$routeChangeSuccess` or `$routeChangeError`. */
export function trackNgRoute($injector: Injector, changes: RouteChanges): void {
  const $rootScope = $injector.get('$rootScope');
  $rootScope.$on(
    '$routeChangeStart',
    safe((event: ScopeEvent, next?: Route) => {
      // A redirecting route starts the change to its target at once: time that one.
      if (next?.redirectTo) return;
      const change = changes.start(templateOf(next));
      // A listener may prevent the change after this one ran; ngRoute then says nothing more.
      $rootScope.$evalAsync(safe(() => event.defaultPrevented && change == changes.current() && changes.fail('cancelled')));
    }),
  );
  $rootScope.$on('$routeChangeSuccess', safe((_: ScopeEvent, current?: Route) => changes.succeed(templateOf(current))));
  $rootScope.$on('$routeChangeError', safe(() => changes.fail('failed')));
}
