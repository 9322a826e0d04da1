import { withoutQueryValues } from '../scrub.js';
import type { GetLookout } from './types.js';
import { safe } from './safe.js';

interface RequestConfig {
  method?: string;
  url?: string;
}
interface Rejection {
  config?: RequestConfig;
  status?: number;
}

/**
 * `$http` interceptor for the requests the agent cannot see by itself: JSONP goes through
 * a script tag, not fetch/XHR. Every other `$http` request is an XMLHttpRequest, which the
 * agent already counts for route timing and leaves a breadcrumb for when it fails; doing it
 * here as well would count each request twice.
 */
export const jsonpInterceptor = (lookout: GetLookout) => [
  '$q',
  ($q: { reject(reason: unknown): unknown }) => {
    const pending = new WeakMap<RequestConfig, () => void>();
    const done = safe((config?: RequestConfig) => config && pending.get(config)?.());
    return {
      request(config: RequestConfig) {
        safe(() => config.method == 'JSONP' && pending.set(config, lookout()?.markPending?.() || (() => {})))();
        return config;
      },
      response(response: { config?: RequestConfig }) {
        done(response.config);
        return response;
      },
      responseError(rejection: Rejection) {
        done(rejection.config);
        safe(() => {
          const config = rejection.config;
          if (config && pending.has(config))
            lookout()?.addBreadcrumb?.({
              category: 'http',
              // AngularJS reports every failed JSONP load as 404.
              message: 'JSONP ' + withoutQueryValues(String(config.url)) + ' ' + rejection.status,
              level: 'error',
            });
        })();
        return $q.reject(rejection);
      },
    };
  },
];
