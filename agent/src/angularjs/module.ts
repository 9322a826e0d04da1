import { reportingExceptionHandler } from './exception-handler.js';
import { jsonpInterceptor } from './jsonp.js';
import { trackNgRoute } from './ng-route.js';
import { routeChanges } from './route-change.js';
import { trackUiRouter } from './ui-router.js';
import type { AngularStatic, GetLookout, Injector } from './types.js';

/** The AngularJS module name apps list as a dependency. */
export const MODULE_NAME = 'lookout';

/** Registers the `lookout` module on `angular`; `lookout` gives the agent to report to. */
export function registerLookoutModule(angular: AngularStatic, lookout: GetLookout): string {
  angular
    .module(MODULE_NAME, [])
    .config([
      '$provide',
      '$httpProvider',
      ($provide: { decorator(name: string, fn: unknown): void }, $httpProvider: { interceptors: unknown[] }) => {
        $provide.decorator('$exceptionHandler', ['$delegate', (original: Parameters<typeof reportingExceptionHandler>[0]) => reportingExceptionHandler(original, lookout)]);
        $httpProvider.interceptors.push(jsonpInterceptor(lookout));
      },
    ])
    .run([
      '$injector',
      ($injector: Injector) => {
        // Both routers are optional; an app that has neither still gets errors reported.
        const changes = routeChanges($injector, lookout);
        if ($injector.has('$route')) trackNgRoute($injector, changes);
        if ($injector.has('$transitions')) trackUiRouter($injector, changes);
      },
    ]);
  return MODULE_NAME;
}
