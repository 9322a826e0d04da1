/** Realistic agent batches for tests and benchmarks: mixed kinds, real User-Agent strings. */
import { randomUUID } from 'node:crypto';
import type { ErrorEvent, LookoutEvent, NavigationEvent, VitalEvent } from '../../protocol/wire.js';

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
];

const ROUTES = ['/', '/users/:id', '/orders', '/orders/:orderId', '/settings/profile'];

const common = (i: number, now: number) => ({
  event_id: randomUUID(),
  timestamp: now - (i % 50) * 10,
  url: `https://shop.example.com${ROUTES[i % ROUTES.length].replace(/:\w+/g, String(1000 + i))}?utm_source=mail`,
  release: `web@1.4.${i % 3}`,
  environment: 'production',
  session_id: `s-${i % 17}`,
  page_view_id: `pv-${i % 41}`,
  route: ROUTES[i % ROUTES.length],
  tags: { plan: i % 2 ? 'pro' : 'free' },
});

export function errorEvent(i = 0, now = Date.now()): ErrorEvent {
  return {
    kind: 'error',
    ...common(i, now),
    type: 'TypeError',
    message: `Cannot read properties of undefined (reading 'id') #${i % 7}`,
    stack: "TypeError: Cannot read properties of undefined (reading 'id')\n    at renderUser (https://shop.example.com/static/app.4f1c2.js:1:40211)\n    at https://shop.example.com/static/vendor.91ab.js:2:1033",
    frames: [
      { function: 'renderUser', file: 'https://shop.example.com/static/app.4f1c2.js', line: 1, column: 40211 },
      { function: '', file: 'https://shop.example.com/static/vendor.91ab.js', line: 2, column: 1033 },
    ],
    mechanism: 'onerror',
    handled: false,
    breadcrumbs: [
      { timestamp: now - 2000, category: 'navigation', message: '/orders → /users/:id' },
      { timestamp: now - 500, category: 'ui.click', message: 'button#save' },
    ],
  };
}

export function vitalEvent(i = 0, now = Date.now(), name: VitalEvent['name'] = (['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const)[i % 5]): VitalEvent {
  const value = name === 'CLS' ? (i % 10) / 20 : 100 + ((i * 397) % 5000);
  return { kind: 'vital', ...common(i, now), name, value, rating: 'good', route: ROUTES[i % ROUTES.length], target: 'main > img.hero' };
}

export function navigationEvent(i = 0, now = Date.now()): NavigationEvent {
  return {
    kind: 'navigation',
    ...common(i, now),
    type: i % 4 === 0 ? 'load' : 'route',
    route: ROUTES[i % ROUTES.length],
    duration: 50 + ((i * 131) % 3000),
    router_duration: 20,
    requests: i % 3,
  };
}

/** 20 events of mixed kinds, like a busy page's batch. */
export function mixedBatch(seed = 0, size = 20, now = Date.now()): { sdk: { name: string; version: string }; events: LookoutEvent[] } {
  const events: LookoutEvent[] = [];
  for (let j = 0; j < size; j++) {
    const i = seed * size + j;
    events.push(j % 5 === 0 ? errorEvent(i, now) : j % 2 ? vitalEvent(i, now) : navigationEvent(i, now));
  }
  return { sdk: { name: 'lookout', version: '0.1.0' }, events };
}

/** An error that is a bug of its own, with only the fields the wire requires: every event of one `type` groups into one issue, other types into others. */
export function bugEvent(type: string, now = Date.now()) {
  return {
    kind: 'error',
    event_id: randomUUID(),
    timestamp: now,
    url: 'https://shop.example.com/',
    type,
    message: `${type} happened`,
    frames: [{ function: `throw${type}`, file: 'https://shop.example.com/static/js/app.js', line: 1, column: 1 }],
  };
}
