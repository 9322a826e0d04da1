/**
 * Lookout for Angular (standalone and NgModule apps): an ErrorHandler that reports to the
 * agent, and route-change timing from the Router that ends when the application is stable.
 */
import {
  ApplicationRef,
  ErrorHandler,
  inject,
  makeEnvironmentProviders,
  NgZone,
  provideEnvironmentInitializer,
  ɵɵdefineInjector,
  ɵɵdefineNgModule,
  type EnvironmentProviders,
  type ModuleWithProviders,
  type ɵɵInjectorDeclaration,
  type ɵɵNgModuleDeclaration,
} from '@angular/core';
import { Router, ROUTES } from '@angular/router';
import type { Options } from '../config.js';
import { guard } from '../guard.js';
import { agent } from './agent.js';
import { LookoutErrorHandler, onWindowError } from './errors.js';
import { trackRouter } from './router.js';

export { LookoutErrorHandler, lookoutInterceptor, reportAngularError } from './errors.js';

function start(options?: Options): void {
  const lookout = agent();
  // Apps without provideRouter/RouterModule have no ROUTES: Router is not created for them.
  const router = inject(ROUTES, { optional: true }) && inject(Router);
  const app = inject(ApplicationRef);
  const zone = inject(NgZone);
  // The agent's timers and listeners must not count as Angular work: with zone.js they
  // would keep the application unstable, and the route timing waiting for it.
  zone.runOutsideAngular(
    guard(() => {
      // Before init, so that these run before the agent's own listeners (Chromium calls
      // window's listeners in the order they were added, capturing or not).
      for (const type of ['error', 'unhandledrejection']) addEventListener(type, onWindowError as EventListener, true);
      // Later calls are ignored by the agent: a script-tag init keeps its configuration.
      if (options) lookout.init(options);
      if (router) trackRouter(router, app, zone, lookout);
    }),
  );
}

/**
 * `bootstrapApplication(App, { providers: [provideLookout({ dsn })] })`. Without options it
 * uses the agent already started by the script tag (or an earlier `init`).
 */
export const provideLookout = (options?: Options): EnvironmentProviders =>
  makeEnvironmentProviders([
    { provide: ErrorHandler, useFactory: () => new LookoutErrorHandler() },
    provideEnvironmentInitializer(() => start(options)),
  ]);

/** NgModule apps: `imports: [LookoutModule.forRoot({ dsn })]`. */
export class LookoutModule {
  static forRoot(options?: Options): ModuleWithProviders<LookoutModule> {
    return { ngModule: LookoutModule, providers: [provideLookout(options)] };
  }
  // What the Angular compiler would emit for an empty @NgModule: this package is not built by it.
  static ɵmod = ɵɵdefineNgModule({ type: LookoutModule }) as unknown as ɵɵNgModuleDeclaration<LookoutModule, never, never, never>;
  static ɵinj = ɵɵdefineInjector({}) as unknown as ɵɵInjectorDeclaration<LookoutModule>;
}
