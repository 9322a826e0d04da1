import type { RouteChanges } from './route-change.js';
import { safe } from './safe.js';
import type { Injector } from './types.js';

interface UrlMatcher {
  pattern: string;
  _cache?: { path?: UrlMatcher[] };
}
interface State {
  name: string;
  url?: UrlMatcher;
}
interface Transition {
  $to(): State;
  redirectedFrom(): Transition | null;
  error(): { type?: number; redirected?: boolean } | undefined;
}

/** ui-router's RejectType: SUPERSEDED 2, ABORTED 3 (a hook said no), IGNORED 5 — not failures. */
const failed = (type?: number) => type == 4 || type == 6;

/**
 * The full URL pattern of a state (`/users/:id`, its ancestors' parts included, query
 * parameters left out), or its name when it has no URL.
 */
export const templateOf = (state: State): string =>
  (state.url?._cache?.path || []).map((matcher) => matcher.pattern).join('').replace(/\?.*/, '') || state.name;

/** @uirouter/angularjs 1.x: `$transitions.onStart` → `onSuccess` or `onError`. */
export function trackUiRouter($injector: Injector, changes: RouteChanges): void {
  const $transitions = $injector.get('$transitions');
  let current: Transition | undefined;
  const isCurrent = (transition: Transition) => transition == current;

  // Hooks return nothing: a returned value would redirect or abort the transition.
  $transitions.onStart(
    {},
    safe((transition: Transition) => {
      const redirect = current && transition.redirectedFrom() == current;
      current = transition;
      if (!redirect) changes.start(templateOf(transition.$to()));
    }),
  );
  $transitions.onSuccess({}, safe((transition: Transition) => isCurrent(transition) && changes.succeed(templateOf(transition.$to()))));
  $transitions.onError(
    {},
    safe((transition: Transition) => {
      const rejection = transition.error();
      // A redirect goes on as the transition it started (see onStart).
      if (isCurrent(transition) && !rejection?.redirected) changes.fail(failed(rejection?.type) ? 'failed' : 'cancelled');
    }),
  );
}
