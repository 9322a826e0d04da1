import { addBreadcrumb } from './breadcrumbs.js';
import { guard } from './guard.js';
import { withoutQueryValues } from './scrub.js';

/** Told +1 when a request starts and -1 when it ends: route changes wait for requests. */
export type Activity = (delta: number) => void;

const failed = (method: string, url: string, status: number) =>
  addBreadcrumb({
    category: 'http',
    message: method.toUpperCase() + ' ' + withoutQueryValues(url) + ' ' + (status || 'network error'),
    level: 'error',
  });

/**
 * Wraps fetch and XMLHttpRequest to count requests in flight and to leave a breadcrumb for
 * each failed one. The wrappers call the originals first and do their own work guarded,
 * so the page's requests behave exactly as before.
 */
export function instrumentRequests(activity: Activity): void {
  const originalFetch = window.fetch;
  if (originalFetch) {
    window.fetch = function (input: RequestInfo | URL, init?: RequestInit) {
      const response = originalFetch.apply(this, arguments as unknown as Parameters<typeof fetch>);
      guard(() => {
        const url = String((input as Request).url || input);
        const method = init?.method || (input as Request).method || 'GET';
        activity(1);
        const done = guard((status: number) => {
          activity(-1);
          if (!status || status >= 400) failed(method, url, status);
        });
        response.then((r) => done(r.status), () => done(0));
      })();
      return response;
    };
  }

  const proto = XMLHttpRequest.prototype;
  const { open, send } = proto;
  const info = new WeakMap<XMLHttpRequest, [string, string]>();
  proto.open = function (this: XMLHttpRequest, method: string, url: string | URL) {
    info.set(this, [method, String(url)]);
    return open.apply(this, arguments as unknown as Parameters<typeof open>);
  } as typeof open;
  proto.send = function (this: XMLHttpRequest) {
    guard(() => {
      const xhr = this;
      const [method, url] = info.get(xhr) || ['GET', ''];
      activity(1);
      xhr.addEventListener(
        'loadend',
        guard(() => {
          activity(-1);
          if (!xhr.status || xhr.status >= 400) failed(method, url, xhr.status);
        }),
      );
    })();
    return send.apply(this, arguments as unknown as Parameters<typeof send>);
  };
}
