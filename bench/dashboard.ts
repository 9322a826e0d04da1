/**
 * npm run bench:dashboard — how fast the read API answers the dashboard's calls with a big
 * embedded store, and how long each dashboard view takes to first render in Chromium.
 *
 * 1. Starts a real collector in this process (embedded chDB, fresh temporary data folder).
 * 2. Fills the store with ClickHouse SQL through `collector.store` (`INSERT … SELECT … FROM
 *    numbers(N)`, never through ingest): BENCH_EVENTS error events (default 10,000,000) over the
 *    last 14 days in BENCH_ISSUES issues (default 10,000; Zipf-like skew: the biggest issue has
 *    ~¼ of the events, the smallest a handful), the matching `issues` rows and source contexts,
 *    BENCH_VITALS vitals (default events / 2) and BENCH_NAVIGATIONS navigations (default
 *    events × 0.3) over the same 14 days. Rows have the shapes the ingest pipeline writes (UA
 *    names as ua-parser gives them, symbolicated frame columns, breadcrumbs, UUID sessions); the
 *    `issue_counts` view is filled by its materialised view from the `errors` inserts, and the
 *    bench checks its totals against the errors table. Background merges are then waited for.
 * 3. Times each API call the dashboard makes over real HTTP (admin token), BENCH_REPEAT times
 *    (default 30) after BENCH_WARMUP (3) warm-ups, varying issues, sorts, filters and time
 *    ranges (1 h / 24 h / 7 d / default), and prints p50 / p95 / max per call against the goal
 *    (≤ 300 ms p95).
 * 4. `measureFirstRender`: time to first render of each view in Chromium (skipped when the
 *    dashboard is not built: GET / answers 404).
 *
 * BENCH_DATA_DIR=path keeps the data folder and reuses it when it is already filled (the fill
 * records its clock in bench-fill.json, so time ranges still land on the data).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type RunningCollector } from '../collector/src/collector.js';
import { defaultConfig } from '../collector/src/config/config.js';
import type { Store } from '../collector/src/store/types.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const ISSUES = Number(process.env.BENCH_ISSUES ?? 10_000);
const VITALS = Number(process.env.BENCH_VITALS ?? Math.round(EVENTS / 2));
const NAVIGATIONS = Number(process.env.BENCH_NAVIGATIONS ?? Math.round(EVENTS * 0.3));
const REPEAT = Number(process.env.BENCH_REPEAT ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const RENDER_REPEAT = Number(process.env.BENCH_RENDER_REPEAT ?? 5);
const GOAL_P95_MS = 300;
const DAY = 24 * 3600_000;
const SPAN_MS = 14 * DAY;
const PROJECT = 1;

// ---------------------------------------------------------------------------------------------
// Vocabulary: what real apps' errors, routes, browsers and releases look like.
// ---------------------------------------------------------------------------------------------

/** Deterministic PRNG (mulberry32), so two fills of the same size describe the same issues. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];
function weighted<T>(random: () => number, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let u = random() * total;
  for (const [value, w] of entries) if ((u -= w) < 0) return value;
  return entries[entries.length - 1][0];
}

const AREAS = ['orders', 'cart', 'checkout', 'users', 'profile', 'settings', 'products', 'search', 'invoices', 'reports',
  'dashboard', 'auth', 'billing', 'shipping', 'inventory', 'reviews', 'wishlist', 'notifications', 'admin', 'support'];
const ROUTES = [
  '/', '/login', '/logout', '/signup', '/dashboard', '/search', '/products', '/products/:productId', '/products/:productId/reviews',
  '/categories/:slug', '/cart', '/checkout', '/checkout/shipping', '/checkout/payment', '/checkout/confirm', '/orders',
  '/orders/:orderId', '/orders/:orderId/invoice', '/orders/:orderId/return', '/users', '/users/:id', '/users/:id/edit',
  '/users/:id/orders', '/profile', '/profile/security', '/profile/addresses', '/settings', '/settings/profile',
  '/settings/notifications', '/settings/billing', '/settings/team', '/settings/team/:memberId', '/invoices', '/invoices/:invoiceId',
  '/reports', '/reports/:reportId', '/reports/sales', '/reports/traffic', '/inventory', '/inventory/:sku', '/wishlist',
  '/notifications', '/support', '/support/tickets', '/support/tickets/:ticketId', '/admin', '/admin/users', '/admin/audit-log',
  '/help/:article', '/not-found',
];
const VERBS = ['load', 'render', 'save', 'update', 'fetch', 'compute', 'parse', 'format', 'validate', 'select', 'toggle', 'submit', 'apply', 'resolve', 'map'];
const NOUNS = ['Order', 'User', 'Cart', 'Invoice', 'Profile', 'Product', 'Total', 'Address', 'Payment', 'Session', 'Filter', 'Report', 'Item', 'Price', 'Row'];
const KINDS = ['component', 'service', 'store', 'utils', 'resolver'];
const PROPS = ['id', 'name', 'total', 'length', 'items', 'price', 'user', 'email', 'address', 'map', 'then', 'value', 'data', 'status',
  'currency', 'quantity', 'sku', 'date', 'token', 'profile', 'lines', 'amount', 'children', 'nativeElement', 'subscribe', 'split',
  'toFixed', 'forEach', 'filter', 'push', 'key', 'label', 'options', 'config', 'payload', 'response', 'headers', 'body', 'url', 'title'];
const IDENTS = ['order', 'user', 'cart', 'invoice', 'this.form', 'response', 'item', 'row', 'config', 'session', 'event.target', 'product'];
const GLOBALS = ['gtag', 'fbq', 'ga', 'Intercom', 'hj', 'dataLayer', '$', 'jQuery', 'Stripe', 'google', 'moment', '_'];
const RESOURCES = ['orders', 'users', 'cart', 'products', 'invoices', 'reports', 'session', 'search', 'inventory', 'notifications'];
const VENDOR_FRAMES: readonly (readonly [string, string])[] = [
  ['executeListenerWithErrorHandling', 'webpack://shop/node_modules/@angular/core/fesm2022/core.mjs'],
  ['ZoneDelegate.invokeTask', 'webpack://shop/node_modules/zone.js/fesm2015/zone.js'],
  ['SafeSubscriber._next', 'webpack://shop/node_modules/rxjs/dist/esm/internal/Subscriber.js'],
  ['Scope.$digest', 'webpack://shop/node_modules/angular/angular.js'],
  ['Scope.$apply', 'webpack://shop/node_modules/angular/angular.js'],
  ['callTriggerHandler', 'webpack://shop/node_modules/angular/angular.js'],
  ['Generator.next', 'webpack://shop/node_modules/tslib/tslib.es6.mjs'],
  ['invokeTask', 'webpack://shop/node_modules/zone.js/fesm2015/zone.js'],
];
const CRUMB_CATEGORIES = ['navigation', 'ui.click', 'http', 'console', 'ui.input'];
/** Browser / OS / device as ua-parser names them for real User-Agent strings, with rough shares. */
const PROFILES: readonly { browser: string; version: string; os: string; osVersion: string; device: string; viewport: string; connection: string; weight: number }[] = [
  { browser: 'Chrome', version: '131', os: 'Windows', osVersion: '10', device: 'desktop', viewport: '1920x1080', connection: '4g', weight: 22 },
  { browser: 'Chrome', version: '130', os: 'Windows', osVersion: '10', device: 'desktop', viewport: '1536x864', connection: '4g', weight: 6 },
  { browser: 'Chrome', version: '131', os: 'Mac OS', osVersion: '10.15.7', device: 'desktop', viewport: '1440x900', connection: '4g', weight: 8 },
  { browser: 'Chrome', version: '131', os: 'Android', osVersion: '14', device: 'mobile', viewport: '412x915', connection: '4g', weight: 12 },
  { browser: 'Mobile Safari', version: '18', os: 'iOS', osVersion: '18.1', device: 'mobile', viewport: '390x844', connection: '', weight: 13 },
  { browser: 'Mobile Safari', version: '17', os: 'iOS', osVersion: '17.6.1', device: 'mobile', viewport: '390x844', connection: '', weight: 4 },
  { browser: 'Safari', version: '18', os: 'Mac OS', osVersion: '10.15.7', device: 'desktop', viewport: '1440x900', connection: '', weight: 7 },
  { browser: 'Edge', version: '131', os: 'Windows', osVersion: '10', device: 'desktop', viewport: '1920x1080', connection: '4g', weight: 10 },
  { browser: 'Firefox', version: '133', os: 'Windows', osVersion: '10', device: 'desktop', viewport: '1920x1080', connection: '', weight: 5 },
  { browser: 'Firefox', version: '128', os: 'Linux', osVersion: '', device: 'desktop', viewport: '1920x1080', connection: '', weight: 3 },
  { browser: 'Samsung Browser', version: '26', os: 'Android', osVersion: '14', device: 'mobile', viewport: '384x832', connection: '4g', weight: 4 },
  { browser: 'Chrome', version: '131', os: 'Android', osVersion: '13', device: 'tablet', viewport: '800x1280', connection: 'wifi', weight: 6 },
];
const BROWSERS = [...new Set(PROFILES.map((p) => p.browser))];
const RELEASE_COUNT = 20;
const RELEASES = Array.from({ length: RELEASE_COUNT }, (_, k) => `web@2.${Math.floor(k / 4)}.${k % 4}`);
const RELEASE_HASHES = RELEASES.map((_, k) => ((k + 1) * 2654435761 >>> 0).toString(16).padStart(8, '0'));
/** Releases whose source maps were uploaded (the others' frames are `no_artifact`). */
const RELEASE_MAPPED = RELEASES.map((_, k) => (k % 6 === 4 ? 0 : 1));

interface IssueDef {
  rank: number;
  issue_id: string;
  fingerprint: string;
  grouping: string[];
  type: string;
  message: string;
  title: string;
  culprit: string;
  mechanism: string;
  handled: number;
  age_ms: number;
  end_ms: number;
  profile: number;
  route: string;
  frame_functions: string[];
  frame_files: string[];
  frame_lines: number[];
  frame_columns: number[];
  orig_functions: string[];
  orig_files: string[];
  orig_lines: number[];
  orig_columns: number[];
  orig_sources: string[];
  mapped_statuses: string[];
  in_app: number[];
  ignored: number[];
  context_ids: string[];
  bc_categories: string[];
  bc_messages: string[];
  bc_levels: string[];
  status: string;
  regressed: number;
}

/** Ids look like the pipeline's: issue id = the first 16 hex digits of the fingerprint's SHA-1. */
const sha1hex = (text: string): string => createHash('sha1').update(text).digest('hex');

function issueDefs(count: number): { defs: IssueDef[]; contexts: { project_id: number; context_id: string; pre: string[]; line: string; post: string[] }[] } {
  const random = prng(20261125);
  const defs: IssueDef[] = [];
  const contexts = new Map<string, { project_id: number; context_id: string; pre: string[]; line: string; post: string[] }>();
  for (let rank = 0; rank < count; rank++) {
    const type = weighted(random, [['TypeError', 45], ['Error', 18], ['ReferenceError', 8], ['HttpErrorResponse', 10], ['ChunkLoadError', 5], ['RangeError', 4], ['SyntaxError', 5], ['UnhandledRejection', 5]] as const);
    const prop = pick(random, PROPS);
    const ident = pick(random, IDENTS);
    const message = (() => {
      switch (type) {
        case 'TypeError': return weighted(random, [
          [`Cannot read properties of undefined (reading '${prop}')`, 40], [`Cannot read properties of null (reading '${prop}')`, 15],
          [`${ident}.${prop} is not a function`, 20], [`undefined is not an object (evaluating '${ident}.${prop}')`, 15],
          [`Cannot set properties of undefined (setting '${prop}')`, 5], ['Failed to fetch', 5]] as const);
        case 'ReferenceError': return `${pick(random, [...GLOBALS, ...IDENTS.map((i) => i.split('.')[0])])} is not defined`;
        case 'HttpErrorResponse': return `Http failure response for /api/${pick(random, RESOURCES)}: ${pick(random, ['500 Internal Server Error', '502 Bad Gateway', '503 Service Unavailable', '404 Not Found', '0 Unknown Error'])}`;
        case 'ChunkLoadError': return `Loading chunk ${Math.floor(random() * 900) + 10} failed.`;
        case 'RangeError': return pick(random, ['Maximum call stack size exceeded', 'Invalid array length', `Invalid time value`, 'toFixed() digits argument must be between 0 and 100']);
        case 'SyntaxError': return pick(random, [`Unexpected token '<', "<!DOCTYPE "... is not valid JSON`, 'JSON.parse: unexpected character at line 1 column 1 of the JSON data', 'Unexpected end of JSON input']);
        case 'UnhandledRejection': return `Non-Error promise rejection captured with value: ${pick(random, ['undefined', 'null', 'Timeout', `{"code":"${prop}"}`])}`;
        default: return weighted(random, [
          [`Request failed with status code ${pick(random, [500, 502, 503, 404, 401])}`, 30], ['[$rootScope:infdig] 10 $digest() iterations reached. Aborting!', 10],
          ['NG0100: ExpressionChangedAfterItHasBeenCheckedError', 15], ['ResizeObserver loop completed with undelivered notifications.', 10],
          ['Network Error', 15], [`Invalid ${prop} for ${pick(random, NOUNS).toLowerCase()}`, 20]] as const);
      }
    })();
    const appFrames = 1 + Math.floor(random() * 3);
    const vendorFrames = 1 + Math.floor(random() * 3);
    const area = pick(random, AREAS);
    const frames: { fn: string; min: string; file: string; orig: string; line: number; col: number; oline: number; ocol: number; inApp: number }[] = [];
    for (let f = 0; f < appFrames; f++) {
      const fn = `${pick(random, VERBS)}${pick(random, NOUNS)}`;
      const fileArea = f === 0 ? area : pick(random, AREAS);
      const kind = pick(random, KINDS);
      frames.push({ fn, min: pick(random, ['n', 'e', 't', 'r', 'o', 'i', 'a', 's', 'u', 'c']), file: 'main', orig: `webpack://shop/src/app/${fileArea}/${fileArea}.${kind}.ts`,
        line: 1, col: 1000 + Math.floor(random() * 400_000), oline: 5 + Math.floor(random() * 300), ocol: 3 + Math.floor(random() * 60), inApp: 1 });
    }
    for (let f = 0; f < vendorFrames; f++) {
      const [fn, orig] = pick(random, VENDOR_FRAMES);
      frames.push({ fn, min: pick(random, ['Ge', 'Zt', 'Qn', 'k', 'invokeTask', 'Ln']), file: 'vendor', orig, line: 1 + Math.floor(random() * 3), col: 100 + Math.floor(random() * 200_000),
        oline: 100 + Math.floor(random() * 30_000), ocol: 5 + Math.floor(random() * 40), inApp: 0 });
    }
    const top = frames[0];
    const fileName = top.orig.split('/').pop()!;
    const fingerprint = sha1hex(`bench:${rank}:${type}:${top.fn}`);
    const contextIds = frames.map((frame) => {
      if (!frame.inApp) return '';
      const pre = Array.from({ length: 5 }, (_, k) => `    const ${prop}${k} = ${ident}?.${prop} ?? null; // ${frame.fn}`);
      const line = `    return ${ident}.${prop}.${pick(random, ['map', 'reduce', 'filter', 'find'])}((x) => x.${pick(random, PROPS)});`;
      const post = Array.from({ length: 5 }, (_, k) => (k === 0 ? '  }' : `  // ${frame.orig.split('/').pop()} ${frame.oline + k}`));
      const id = sha1hex(JSON.stringify([pre, line, post])).slice(0, 24);
      contexts.set(id, { project_id: PROJECT, context_id: id, pre, line, post });
      return id;
    });
    // Ages: the biggest issues have been there the whole two weeks; others appeared at any time;
    // a quarter stopped happening (fixed, or their release rolled back) some time ago.
    const age = rank < 30 ? SPAN_MS - 60_000 : Math.max(1800_000, Math.floor(random() * (SPAN_MS - 60_000)));
    const stopped = rank >= 30 && random() < 0.25;
    const end = stopped ? Math.floor(age * random() * 0.9) : 0;
    const status = stopped ? weighted(random, [['resolved', 45], ['resolved_in_release', 20], ['unresolved', 35]] as const)
      : weighted(random, [['unresolved', 93], ['ignored', 6], ['resolved', 1]] as const);
    defs.push({
      rank,
      issue_id: fingerprint.slice(0, 16),
      fingerprint,
      grouping: [`type:${type}`, ...frames.filter((f) => f.inApp).map((f) => `frame:${f.fn.toLowerCase()}@${f.orig.replace(/^webpack:\/\/shop\//, '').replace(/\.ts$/, '')}`)],
      type,
      message,
      title: `${type}: ${message}`,
      culprit: `${fileName} in ${top.fn}`,
      mechanism: type === 'UnhandledRejection' ? 'onunhandledrejection' : weighted(random, [['onerror', 50], ['angular', 30], ['angularjs', 10], ['onunhandledrejection', 10]] as const),
      handled: random() < 0.15 ? 1 : 0,
      age_ms: age,
      end_ms: end,
      profile: random() < 0.3 ? 1 + Math.floor(random() * PROFILES.length) : 0,
      route: pick(random, ROUTES),
      frame_functions: frames.map((f) => f.min),
      frame_files: frames.map((f) => `https://shop.example.com/static/js/${f.file}.{H}.js`),
      frame_lines: frames.map((f) => f.line),
      frame_columns: frames.map((f) => f.col),
      orig_functions: frames.map((f) => f.fn),
      orig_files: frames.map((f) => f.orig),
      orig_lines: frames.map((f) => f.oline),
      orig_columns: frames.map((f) => f.ocol),
      orig_sources: frames.map((f) => (f.inApp ? 'enclosing' : 'token')),
      mapped_statuses: frames.map((f) => (f.inApp || random() < 0.8 ? 'mapped' : 'source_missing')),
      in_app: frames.map((f) => f.inApp),
      ignored: frames.map((f) => (f.inApp ? 0 : 1)),
      context_ids: contextIds,
      bc_categories: [] as string[],
      bc_messages: [] as string[],
      bc_levels: [] as string[],
      status,
      regressed: !stopped && status === 'unresolved' && random() < 0.02 ? 1 : 0,
    });
    const crumbs = 2 + Math.floor(random() * 8);
    const def = defs[defs.length - 1];
    for (let c = 0; c < crumbs; c++) {
      const category = c === 0 ? 'navigation' : pick(random, CRUMB_CATEGORIES);
      def.bc_categories.push(category);
      def.bc_levels.push(category === 'console' ? pick(random, ['warning', 'error', 'info']) : '');
      def.bc_messages.push(
        category === 'navigation' ? `${pick(random, ROUTES)} → ${def.route}`
          : category === 'ui.click' ? `button#${pick(random, VERBS)}-${pick(random, NOUNS).toLowerCase()}`
            : category === 'http' ? `GET /api/${pick(random, RESOURCES)} [${pick(random, [200, 200, 200, 404, 500])}]`
              : category === 'ui.input' ? `input#${pick(random, PROPS)}` : `${pick(random, NOUNS)} ${pick(random, ['changed', 'missing', 'stale'])}`,
      );
    }
  }
  return { defs, contexts: [...contexts.values()] };
}

// ---------------------------------------------------------------------------------------------
// The fill
// ---------------------------------------------------------------------------------------------

const ERROR_COLUMNS = ['project_id', 'timestamp', 'event_id', 'received_at', 'retention_days', 'release', 'environment', 'session_id', 'page_view_id',
  'url', 'route', 'user_id', 'viewport', 'connection', 'tags', 'sdk_name', 'sdk_version', 'browser_name', 'browser_version', 'os_name', 'os_version',
  'device_type', 'type', 'message', 'stack', 'frame_functions', 'frame_files', 'frame_lines', 'frame_columns', 'mechanism', 'handled', 'level', 'hint',
  'count', 'fingerprint', 'breadcrumb_timestamps', 'breadcrumb_categories', 'breadcrumb_messages', 'breadcrumb_levels', 'issue_id', 'frame_statuses',
  'frame_reasons', 'original_functions', 'original_files', 'original_lines', 'original_columns', 'original_function_sources', 'frame_in_app',
  'frame_ignored', 'frame_context_ids'];
const COMMON_COLUMNS = ERROR_COLUMNS.slice(0, 22);
const VITAL_COLUMNS = [...COMMON_COLUMNS, 'name', 'value', 'rating', 'target', 'navigation_type'];
const NAVIGATION_COLUMNS = [...COMMON_COLUMNS, 'type', 'duration', 'router_duration', 'requests', 'status', 'from_route'];

/** Parameters every fill statement binds (vocabulary as arrays, the fill's clock). */
function fillParams(now: number, events: number) {
  let cumulative = 0;
  const total = PROFILES.reduce((sum, p) => sum + p.weight, 0);
  return {
    now,
    start14: now - SPAN_MS,
    relStep: SPAN_MS / RELEASE_COUNT,
    releases: RELEASES,
    relHash: RELEASE_HASHES,
    relMapped: RELEASE_MAPPED,
    routes: ROUTES,
    pBrowser: PROFILES.map((p) => p.browser),
    pVersion: PROFILES.map((p) => p.version),
    pOs: PROFILES.map((p) => p.os),
    pOsVersion: PROFILES.map((p) => p.osVersion),
    pDevice: PROFILES.map((p) => p.device),
    pViewport: PROFILES.map((p) => p.viewport),
    pConnection: PROFILES.map((p) => p.connection),
    pCum: PROFILES.map((p) => (cumulative += p.weight / total)),
    // Sessions per half hour (a session lives ≤ 30 min) and returning users.
    sessionsPerSlot: Math.max(20, Math.round(events / 4 / (SPAN_MS / 1800_000))),
    users: Math.max(1000, Math.round(events / 20)),
  };
}

/**
 * The common columns, from a row with: ts_ms (Int64), rel_idx (0-based), pidx (1-based
 * profile), route, r_sess, r_misc, u_env (UInt32 randoms / uniform).
 */
const COMMON_SELECT = `
  toUInt32(${PROJECT}) AS project_id,
  fromUnixTimestamp64Milli(ts_ms, 'UTC') AS timestamp,
  generateUUIDv4(n) AS event_id,
  fromUnixTimestamp64Milli(ts_ms + 30 + toInt64(r_misc % 2500), 'UTC') AS received_at,
  toUInt16(30) AS retention_days,
  {releases:Array(String)}[rel_idx + 1] AS release,
  multiIf(u_env < 0.9, 'production', u_env < 0.98, 'staging', 'development') AS environment,
  UUIDNumToString(MD5(concat('s', toString(sess)))) AS session_id,
  UUIDNumToString(MD5(concat('p', toString(sess), '-', toString(intDiv(r_misc, 7) % 12)))) AS page_view_id,
  concat('https://shop.example.com', replaceRegexpAll(route, ':[A-Za-z]+', toString(1000 + intDiv(r_misc, 11) % 90000)),
         if(r_misc % 5 = 0, '?utm_source=newsletter', '')) AS url,
  route,
  if(cityHash64(sess) % 10 < 6, concat('user-', toString(cityHash64(sess, 1) % {users:UInt32})), '') AS user_id,
  {pViewport:Array(String)}[pidx] AS viewport,
  {pConnection:Array(String)}[pidx] AS connection,
  map('plan', ['free', 'pro', 'enterprise'][1 + intDiv(r_misc, 13) % 3], 'locale', ['en-US', 'de-DE', 'fr-FR', 'en-GB'][1 + intDiv(r_misc, 17) % 4]) AS tags,
  'lookout' AS sdk_name, '0.1.0' AS sdk_version,
  {pBrowser:Array(String)}[pidx] AS browser_name, {pVersion:Array(String)}[pidx] AS browser_version,
  {pOs:Array(String)}[pidx] AS os_name, {pOsVersion:Array(String)}[pidx] AS os_version, {pDevice:Array(String)}[pidx] AS device_type`;

/** rel_idx from ts_ms: the release deployed then, or (15 %) the one before (clients not yet reloaded). */
const RELEASE_INDEX = `if(u_rel < 0.15 AND base_rel > 0, base_rel - 1, base_rel)`;
const BASE_RELEASE = `toUInt32(least(${RELEASE_COUNT - 1}, greatest(0, intDiv(ts_ms - {start14:Int64}, toInt64({relStep:Float64})))))`;
/** Session: one of sessionsPerSlot in the event's half hour. */
const SESSION = `intDiv(ts_ms, 1800000) * 1000000 + r_sess % {sessionsPerSlot:UInt32}`;

function errorsSql(): string {
  return `INSERT INTO errors (${ERROR_COLUMNS.join(', ')})
SELECT ${COMMON_SELECT},
  d_type AS type,
  if(d_type = 'ChunkLoadError' OR r_misc % 10 != 0, d_message, concat(d_message, ' ')) AS message,
  concat(d_title, '\\n', arrayStringConcat(arrayMap((f, file, l, c) -> concat('    at ', f, ' (', file, ':', toString(l), ':', toString(c), ')'),
         d_frame_functions, files, d_frame_lines, columns), '\\n')) AS stack,
  d_frame_functions AS frame_functions, files AS frame_files, d_frame_lines AS frame_lines, columns AS frame_columns,
  d_mechanism AS mechanism, d_handled = 1 AS handled, 'error' AS level, '' AS hint,
  toUInt32(if(r_misc % 100 < 3, 2 + r_misc % 3, 1)) AS count,
  CAST([], 'Array(String)') AS fingerprint,
  arrayMap(k -> fromUnixTimestamp64Milli(ts_ms - toInt64((length(d_bc_messages) - k) * 1700 + r_misc % 900), 'UTC'), range(length(d_bc_messages))) AS breadcrumb_timestamps,
  d_bc_categories AS breadcrumb_categories, d_bc_messages AS breadcrumb_messages, d_bc_levels AS breadcrumb_levels,
  d_issue_id AS issue_id,
  if(mapped, d_mapped_statuses, arrayMap(x -> 'no_artifact', d_frame_functions)) AS frame_statuses,
  if(mapped, arrayMap(x -> '', d_frame_functions),
     arrayMap(x -> concat('no source maps were uploaded for release ', release, ': run lookout sourcemaps upload --release ', release, ' …'), d_frame_functions)) AS frame_reasons,
  if(mapped, d_orig_functions, d_frame_functions) AS original_functions,
  if(mapped, d_orig_files, files) AS original_files,
  if(mapped, d_orig_lines, d_frame_lines) AS original_lines,
  if(mapped, d_orig_columns, columns) AS original_columns,
  if(mapped, d_orig_sources, arrayMap(x -> '', d_frame_functions)) AS original_function_sources,
  d_in_app AS frame_in_app,
  if(mapped, d_ignored, arrayMap(x -> toUInt8(0), d_in_app)) AS frame_ignored,
  if(mapped, d_context_ids, arrayMap(x -> '', d_frame_functions)) AS frame_context_ids
FROM (
  SELECT *,
    ${SESSION} AS sess,
    ${RELEASE_INDEX} AS rel_idx,
    {relMapped:Array(UInt8)}[rel_idx + 1] = 1 AS mapped,
    arrayMap(f -> replaceOne(f, '{H}', {relHash:Array(String)}[rel_idx + 1]), d_frame_files) AS files,
    arrayMap(c -> c + rel_idx * 53, d_frame_columns) AS columns,
    if(d_profile > 0, d_profile, arrayFirstIndex(c -> c > u_prof, {pCum:Array(Float64)})) AS pidx0,
    if(pidx0 = 0, 1, pidx0) AS pidx,
    if(u_route < 0.7, d_route, {routes:Array(String)}[1 + r_route % length({routes:Array(String)})]) AS route
  FROM (
    SELECT *,
      if(n < {issues:UInt32}, {now:Int64} - d_age_ms, {now:Int64} - d_end_ms - toInt64(u_time * (d_age_ms - d_end_ms))) AS ts_ms,
      ${BASE_RELEASE} AS base_rel
    FROM (
      SELECT number AS n,
        rand(1) / 4294967296.0 AS u_rank, rand(2) / 4294967296.0 AS u_time, rand(3) / 4294967296.0 AS u_rel,
        rand(4) / 4294967296.0 AS u_env, rand(5) / 4294967296.0 AS u_prof, rand(6) / 4294967296.0 AS u_route,
        rand(7) AS r_route, rand(8) AS r_sess, rand(9) AS r_misc,
        if(number < {issues:UInt32}, toUInt32(number),
           toUInt32(least(toUInt64(floor(pow(1 - u_rank * {zipfC:Float64}, {zipfExp:Float64}))) - 1, {issues:UInt32} - 1))) AS rank
      FROM numbers({start:UInt64}, {count:UInt64})
    ) AS e
    INNER JOIN (
      SELECT rank AS d_rank, issue_id AS d_issue_id, type AS d_type, message AS d_message, title AS d_title, mechanism AS d_mechanism,
        handled AS d_handled, age_ms AS d_age_ms, end_ms AS d_end_ms, profile AS d_profile, route AS d_route,
        frame_functions AS d_frame_functions, frame_files AS d_frame_files, frame_lines AS d_frame_lines, frame_columns AS d_frame_columns,
        orig_functions AS d_orig_functions, orig_files AS d_orig_files, orig_lines AS d_orig_lines, orig_columns AS d_orig_columns,
        orig_sources AS d_orig_sources, mapped_statuses AS d_mapped_statuses, in_app AS d_in_app, ignored AS d_ignored,
        context_ids AS d_context_ids, bc_categories AS d_bc_categories, bc_messages AS d_bc_messages, bc_levels AS d_bc_levels
      FROM bench_issue_defs
    ) AS d ON d.d_rank = e.rank
  )
)
SETTINGS max_threads = 2, max_insert_threads = 2`;
}

const THRESHOLDS: Record<string, [number, number]> = { LCP: [2500, 4000], INP: [200, 500], CLS: [0.1, 0.25], FCP: [1800, 3000], TTFB: [800, 1800] };
const VITAL_NAMES = ['LCP', 'FCP', 'TTFB', 'CLS', 'INP'];
const VITAL_CUM = [0.22, 0.44, 0.66, 0.86, 1];
const VITAL_MEDIANS = [2100, 1400, 450, 0.06, 140];
const VITAL_SIGMAS = [0.55, 0.5, 0.7, 1.1, 0.8];

/** Common inner part for vitals and navigations: time uniform over 14 days, popular routes more often. */
const UNIFORM_ROWS = `
    SELECT number AS n,
      rand(2) / 4294967296.0 AS u_time, rand(3) / 4294967296.0 AS u_rel, rand(4) / 4294967296.0 AS u_env,
      rand(5) / 4294967296.0 AS u_prof, rand(6) / 4294967296.0 AS u_route, rand(7) AS r_route, rand(8) AS r_sess, rand(9) AS r_misc,
      rand(10) / 4294967296.0 AS u_kind, (rand(11) + 1) / 4294967297.0 AS u_z1, rand(12) / 4294967296.0 AS u_z2, rand(13) / 4294967296.0 AS u_x,
      {now:Int64} - toInt64(u_time * ${SPAN_MS}) AS ts_ms,
      ${BASE_RELEASE} AS base_rel,
      ${RELEASE_INDEX} AS rel_idx,
      ${SESSION} AS sess,
      arrayFirstIndex(c -> c > u_prof, {pCum:Array(Float64)}) AS pidx0, if(pidx0 = 0, 1, pidx0) AS pidx,
      toUInt32(floor(length({routes:Array(String)}) * u_route * u_route)) AS route_idx,
      {routes:Array(String)}[route_idx + 1] AS route,
      sqrt(-2 * log(u_z1)) * cos(2 * pi() * u_z2) AS z,
      (1 + (route_idx % 7) * 0.12) * if({pDevice:Array(String)}[pidx] = 'mobile', 1.35, 1) AS slow
    FROM numbers({start:UInt64}, {count:UInt64})`;

function vitalsSql(): string {
  return `INSERT INTO vitals (${VITAL_COLUMNS.join(', ')})
SELECT ${COMMON_SELECT},
  {names:Array(String)}[m] AS name,
  value,
  multiIf(value <= {good:Array(Float64)}[m], 'good', value <= {poor:Array(Float64)}[m], 'needs-improvement', 'poor') AS rating,
  multiIf(m = 1, ['main > img.hero', 'h1.title', 'div.product-grid > img', 'section.banner > picture > img'][1 + r_misc % 4],
          m = 5, ['button#save', 'a.nav-link', 'input#search', 'button.add-to-cart'][1 + r_misc % 4],
          m = 4, ['div.banner', 'section.reviews', 'footer', 'div.cookie-consent'][1 + r_misc % 4], '') AS target,
  if(m IN (4, 5) AND u_x < 0.5, 'route-view', multiIf(u_x < 0.85, 'navigate', u_x < 0.93, 'reload', u_x < 0.98, 'back-forward', 'back-forward-cache')) AS navigation_type
FROM (
  SELECT *,
    arrayFirstIndex(c -> c > u_kind, {cum:Array(Float64)}) AS m0, if(m0 = 0, 1, m0) AS m,
    if(m = 4, if(u_x < 0.35, 0, round(exp(log({medians:Array(Float64)}[m]) + {sigmas:Array(Float64)}[m] * z) * slow, 4)),
       round(exp(log({medians:Array(Float64)}[m]) + {sigmas:Array(Float64)}[m] * z) * slow, if(m = 5, 0, 1))) AS value
  FROM (${UNIFORM_ROWS})
)
SETTINGS max_threads = 2, max_insert_threads = 2`;
}

function navigationsSql(): string {
  return `INSERT INTO navigations (${NAVIGATION_COLUMNS.join(', ')})
SELECT ${COMMON_SELECT},
  if(is_load, 'load', 'route') AS type,
  duration,
  if(is_load, NULL, round(duration * (0.4 + 0.5 * u_x), 1)) AS router_duration,
  toUInt32(r_misc % 7) AS requests,
  multiIf(u_x < 0.97, 'ok', u_x < 0.99, 'cancelled', u_x < 0.997, 'failed', 'timeout') AS status,
  if(is_load, '', {routes:Array(String)}[1 + r_route % length({routes:Array(String)})]) AS from_route
FROM (
  SELECT *, u_kind < 0.3 AS is_load,
    round(exp(log(if(is_load, 1900, 380)) + if(is_load, 0.6, 0.75) * z) * slow, 1) AS duration
  FROM (${UNIFORM_ROWS})
)
SETTINGS max_threads = 2, max_insert_threads = 2`;
}

function issuesSql(): string {
  return `INSERT INTO issues (project_id, issue_id, fingerprint, grouping, grouping_kind, title, culprit, type, first_seen, first_release,
  first_event_id, status, resolved_in_release, status_changed_at, regression_event_id, updated_at)
SELECT toUInt32(${PROJECT}), d.issue_id, d.fingerprint, d.grouping, 'stack', d.title, d.culprit, d.type, f.first_seen, f.first_release,
  toString(f.first_event_id), d.status,
  if(d.status = 'resolved_in_release', {releases:Array(String)}[least(${RELEASE_COUNT}, indexOf({releases:Array(String)}, f.last_release) + 1)], ''),
  if(d.status = 'unresolved' AND d.regressed = 0, f.first_seen,
     if(d.status = 'ignored' OR d.regressed = 1, f.first_seen + toIntervalSecond(intDiv(dateDiff('second', f.first_seen, f.last_seen), 2)),
        least(f.last_seen + toIntervalHour(2), now64(3, 'UTC')))),
  if(d.regressed = 1, toString(f.mid_event_id), ''),
  now64(3, 'UTC')
FROM (
  SELECT issue_id, min(timestamp) AS first_seen, argMin(release, timestamp) AS first_release, argMin(event_id, timestamp) AS first_event_id,
         max(timestamp) AS last_seen, argMax(release, timestamp) AS last_release, any(event_id) AS mid_event_id
  FROM errors WHERE project_id = ${PROJECT} GROUP BY issue_id
) AS f
INNER JOIN bench_issue_defs AS d ON d.issue_id = f.issue_id
SETTINGS max_threads = 2`;
}

const BENCH_DEFS_TABLE = `CREATE TABLE IF NOT EXISTS bench_issue_defs (
  rank UInt32, issue_id String, fingerprint String, grouping Array(String), type String, message String, title String, culprit String,
  mechanism String, handled UInt8, age_ms Int64, end_ms Int64, profile UInt32, route String,
  frame_functions Array(String), frame_files Array(String), frame_lines Array(UInt32), frame_columns Array(UInt32),
  orig_functions Array(String), orig_files Array(String), orig_lines Array(UInt32), orig_columns Array(UInt32), orig_sources Array(String),
  mapped_statuses Array(String), in_app Array(UInt8), ignored Array(UInt8), context_ids Array(String),
  bc_categories Array(String), bc_messages Array(String), bc_levels Array(String), status String, regressed UInt8
) ENGINE = Memory`;

interface FillInfo {
  now: number;
  events: number;
  issues: number;
  vitals: number;
  navigations: number;
  seconds: Record<string, number>;
}

async function timed(label: string, seconds: Record<string, number>, run: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await run();
  seconds[label] = (performance.now() - t0) / 1000;
  console.log(`  ${label.padEnd(34)} ${seconds[label].toFixed(1).padStart(7)} s`);
}

async function chunked(store: Store, sql: string, total: number, chunk: number, params: Record<string, any>, label: string): Promise<void> {
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start);
    await store.exec(sql, { ...params, start, count });
    process.stdout.write(`\r    ${label}: ${(start + count).toLocaleString('en-US')} / ${total.toLocaleString('en-US')}   `);
  }
  process.stdout.write('\n');
}

async function fill(store: Store, now: number): Promise<FillInfo> {
  const seconds: Record<string, number> = {};
  const params = fillParams(now, EVENTS);
  const t0 = performance.now();
  console.log(`fill: ${EVENTS.toLocaleString('en-US')} errors in ${ISSUES.toLocaleString('en-US')} issues, ${VITALS.toLocaleString('en-US')} vitals, ${NAVIGATIONS.toLocaleString('en-US')} navigations over 14 days`);
  const { defs, contexts } = issueDefs(ISSUES);
  await timed('issue definitions + source contexts', seconds, async () => {
    await store.exec('DROP TABLE IF EXISTS bench_issue_defs');
    await store.exec(BENCH_DEFS_TABLE);
    for (let i = 0; i < defs.length; i += 5000) await store.insert('bench_issue_defs', defs.slice(i, i + 5000));
    for (let i = 0; i < contexts.length; i += 5000) await store.insert('source_contexts', contexts.slice(i, i + 5000));
  });
  // Zipf-like ranks (continuous Pareto, exponent 1.4, inverted): rank = (1 − u·c)^(−1/0.4) − 1.
  const s = 1.4;
  const zipf = { zipfC: 1 - Math.pow(ISSUES + 1, 1 - s), zipfExp: 1 / (1 - s), issues: ISSUES };
  await timed('errors (+ issue_counts view)', seconds, () => chunked(store, errorsSql(), EVENTS, 1_000_000, { ...params, ...zipf }, 'errors'));
  await timed('issues', seconds, async () => {
    await store.exec(issuesSql(), { releases: RELEASES });
  });
  const vitalParams = { ...params, names: VITAL_NAMES, cum: VITAL_CUM, medians: VITAL_MEDIANS, sigmas: VITAL_SIGMAS,
    good: VITAL_NAMES.map((n) => THRESHOLDS[n][0]), poor: VITAL_NAMES.map((n) => THRESHOLDS[n][1]) };
  await timed('vitals', seconds, () => chunked(store, vitalsSql(), VITALS, 2_000_000, vitalParams, 'vitals'));
  await timed('navigations', seconds, () => chunked(store, navigationsSql(), NAVIGATIONS, 2_000_000, params, 'navigations'));
  await store.exec('DROP TABLE IF EXISTS bench_issue_defs');
  seconds.total = (performance.now() - t0) / 1000;
  console.log(`  ${'fill total'.padEnd(34)} ${seconds.total.toFixed(1).padStart(7)} s`);
  return { now, events: EVENTS, issues: ISSUES, vitals: VITALS, navigations: NAVIGATIONS, seconds };
}

/** Waits until no merge runs for two polls in a row (at most `maxSeconds`), as a store that has been running a while. */
async function settleMerges(store: Store, maxSeconds: number): Promise<void> {
  const t0 = performance.now();
  let quiet = 0;
  while ((performance.now() - t0) / 1000 < maxSeconds) {
    const [row] = await store.query<{ merges: string }>(`SELECT count() AS merges FROM system.merges WHERE database = currentDatabase()`);
    quiet = Number(row.merges) === 0 ? quiet + 1 : 0;
    if (quiet >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  console.log(`merges settled after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

async function describeStore(store: Store): Promise<void> {
  const rows = await store.query<{ table: string; parts: string; rows: string; bytes: string }>(
    `SELECT table, count() AS parts, sum(rows) AS rows, formatReadableSize(sum(bytes_on_disk)) AS bytes
     FROM system.parts WHERE database = currentDatabase() AND active AND table IN ('errors', 'vitals', 'navigations', 'issues', 'issue_counts', 'source_contexts')
     GROUP BY table ORDER BY table`,
  );
  console.log('store:');
  for (const row of rows) console.log(`  ${row.table.padEnd(16)} ${Number(row.rows).toLocaleString('en-US').padStart(12)} rows  ${row.parts.padStart(4)} parts  ${row.bytes}`);
}

/** issue_counts is filled by its materialised view from INSERT … SELECT too: check its totals against the errors table. */
async function checkCounts(store: Store): Promise<void> {
  const [errors] = await store.query<{ events: string; issues: string }>(`SELECT sum(count) AS events, uniqExact(issue_id) AS issues FROM errors WHERE issue_id != ''`);
  const [counts] = await store.query<{ events: string; issues: string }>(`SELECT sum(events) AS events, uniqExact(issue_id) AS issues FROM issue_counts`);
  const [top] = await store.query<{ issue_id: string; events: string }>(`SELECT issue_id, sum(count) AS events FROM errors GROUP BY issue_id ORDER BY events DESC LIMIT 1`);
  const [exact] = await store.query<{ users: string; sessions: string }>(
    `SELECT uniqExact(if(user_id != '', concat('u:', user_id), nullIf(concat('s:', session_id), 's:'))) AS users, uniqExact(nullIf(session_id, '')) AS sessions
     FROM errors WHERE issue_id = {id:String}`, { id: top.issue_id });
  const [viewed] = await store.query<{ events: string; users: string; sessions: string }>(
    `SELECT sum(events) AS events, uniqMerge(users) AS users, uniqMerge(sessions) AS sessions FROM issue_counts WHERE issue_id = {id:String}`, { id: top.issue_id });
  const ok = errors.events === counts.events && errors.issues === counts.issues && viewed.events === top.events;
  console.log(`issue_counts check: errors Σcount ${Number(errors.events).toLocaleString('en-US')} in ${errors.issues} issues; view Σevents ${Number(counts.events).toLocaleString('en-US')} in ${counts.issues} issues — ${ok ? 'match' : 'MISMATCH'}`);
  console.log(`  biggest issue ${top.issue_id}: ${Number(top.events).toLocaleString('en-US')} events (view ${Number(viewed.events).toLocaleString('en-US')}), users exact ${exact.users} / view ${viewed.users}, sessions exact ${exact.sessions} / view ${viewed.sessions}`);
  const shares = await store.query<{ top1: number; top10: number; top100: number; median: number; min: string }>(
    `SELECT arraySum(arraySlice(c, 1, 1)) / arraySum(c) AS top1, arraySum(arraySlice(c, 1, 10)) / arraySum(c) AS top10,
            arraySum(arraySlice(c, 1, 100)) / arraySum(c) AS top100, c[intDiv(length(c), 2) + 1] AS median, arrayMin(c) AS min
     FROM (SELECT arrayReverseSort(groupArray(e)) AS c FROM (SELECT issue_id, sum(events) AS e FROM issue_counts GROUP BY issue_id))`,
  );
  const s = shares[0];
  console.log(`  skew: biggest issue ${(s.top1 * 100).toFixed(1)} % of events, top 10 ${(s.top10 * 100).toFixed(1)} %, top 100 ${(s.top100 * 100).toFixed(1)} %; median issue ${s.median} events, smallest ${s.min}`);
}

// ---------------------------------------------------------------------------------------------
// API timings
// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  path: (i: number) => string;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

async function timeCall(url: string, token: string, path: string): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.text();
  const ms = performance.now() - t0;
  if (!response.ok) throw new Error(`GET ${path} → ${response.status}: ${body.slice(0, 300)}`);
  return ms;
}

async function measureApi(url: string, token: string, cases: Case[]): Promise<{ name: string; p50: number; p95: number; max: number }[]> {
  const results = [];
  for (const c of cases) {
    for (let i = 0; i < WARMUP; i++) await timeCall(url, token, c.path(i));
    const times: number[] = [];
    for (let i = 0; i < REPEAT; i++) times.push(await timeCall(url, token, c.path(i)));
    times.sort((a, b) => a - b);
    const result = { name: c.name, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: times[times.length - 1] };
    console.log(`  ${row(result)}`);
    results.push(result);
  }
  return results;
}

const row = (r: { name: string; p50: number; p95: number; max: number }) =>
  `${r.name.padEnd(58)} ${r.p50.toFixed(0).padStart(6)} ${r.p95.toFixed(0).padStart(6)} ${r.max.toFixed(0).padStart(6)}   ${r.p95 <= GOAL_P95_MS ? 'met' : 'NOT met'}`;

function apiCases(now: number, big: string[], small: string[], searchTerms: string[]): Case[] {
  // Time ranges the dashboard offers, in turn: its default (none given), 1 h, 24 h, 7 d.
  const ranges = ['', `since=${now - 3600_000}`, `since=${now - DAY}`, `since=${now - 7 * DAY}`];
  const range = (i: number) => ranges[i % ranges.length];
  const q = (...parts: string[]) => {
    const text = parts.filter(Boolean).join('&');
    return text ? `?${text}` : '';
  };
  const enc = encodeURIComponent;
  const p = `/api/${PROJECT}`;
  return [
    { name: 'GET /issues (default: 14 d, sort=last_seen)', path: () => `${p}/issues` },
    { name: 'GET /issues?sort=last_seen (1 h/24 h/7 d/14 d)', path: (i) => `${p}/issues${q('sort=last_seen', range(i))}` },
    { name: 'GET /issues?sort=events (1 h/24 h/7 d/14 d)', path: (i) => `${p}/issues${q('sort=events', range(i))}` },
    { name: 'GET /issues?sort=users (1 h/24 h/7 d/14 d)', path: (i) => `${p}/issues${q('sort=users', range(i))}` },
    { name: 'GET /issues?q=… (words, an id)', path: (i) => `${p}/issues${q(`q=${enc(searchTerms[i % searchTerms.length])}`, range(i))}` },
    { name: 'GET /issues?release=… (20 releases)', path: (i) => `${p}/issues${q(`release=${enc(RELEASES[(RELEASES.length - 1 - i) % RELEASES.length])}`, range(i))}` },
    { name: 'GET /issues?browser=…', path: (i) => `${p}/issues${q(`browser=${enc(BROWSERS[i % BROWSERS.length])}`, range(i))}` },
    { name: 'GET /issues?status=… (unresolved/resolved/ignored)', path: (i) => `${p}/issues${q(`status=${['unresolved', 'resolved', 'ignored'][i % 3]}`, range(i))}` },
    { name: 'GET /issues?sort=events&status=unresolved&environment=production', path: (i) => `${p}/issues${q('sort=events', 'status=unresolved', 'environment=production', range(i))}` },
    { name: 'GET /issues/:id (5 biggest issues)', path: (i) => `${p}/issues/${big[i % big.length]}` },
    { name: 'GET /issues/:id (small issues)', path: (i) => `${p}/issues/${small[i % small.length]}` },
    { name: 'GET /issues/:id/events (5 biggest issues)', path: (i) => `${p}/issues/${big[i % big.length]}/events` },
    { name: 'GET /issues/:id/events (small issues)', path: (i) => `${p}/issues/${small[i % small.length]}/events` },
    { name: 'GET /vitals?metric=LCP&groupBy=route (1 h/24 h/7 d)', path: (i) => `${p}/vitals?metric=LCP&groupBy=route&${ranges[1 + (i % 3)]}` },
    { name: 'GET /vitals?metric=LCP&groupBy=browser (1 h/24 h/7 d)', path: (i) => `${p}/vitals?metric=LCP&groupBy=browser&${ranges[1 + (i % 3)]}` },
    { name: 'GET /vitals/series?metric=LCP (1 h/24 h/7 d)', path: (i) => `${p}/vitals/series?metric=LCP&${ranges[1 + (i % 3)]}` },
    { name: 'GET /navigations?groupBy=route (1 h/24 h/7 d)', path: (i) => `${p}/navigations?groupBy=route&${ranges[1 + (i % 3)]}` },
    { name: 'GET /navigations/series (1 h/24 h/7 d)', path: (i) => `${p}/navigations/series?${ranges[1 + (i % 3)]}` },
    { name: 'GET /releases (default: 30 d; 7 d)', path: (i) => `${p}/releases${i % 2 ? `?since=${now - 7 * DAY}` : ''}` },
  ];
}

// ---------------------------------------------------------------------------------------------
// Time to first render in Chromium
// ---------------------------------------------------------------------------------------------

/**
 * ▶ measureFirstRender — time to first render of each dashboard view in Chromium.
 * Signs in through `${url}/?token=…` (the link the collector prints), then opens each view's path
 * BENCH_RENDER_REPEAT times (after one warm-up) and times from navigation start until the view
 * marks its main content rendered: each view sets `data-ready="true"` on its `<main>` once its
 * first data is on screen. The moment is recorded in the page by a MutationObserver
 * (performance.now(), i.e. since navigation start), not by polling from here.
 */
export async function measureFirstRender(url: string, adminToken: string, views: string[]): Promise<{ view: string; p50: number | null; max: number | null; note?: string }[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const results: { view: string; p50: number | null; max: number | null; note?: string }[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(() => {
      const w = window as unknown as { __readyAt?: number };
      const check = () => {
        if (w.__readyAt === undefined && document.querySelector('main[data-ready="true"]')) w.__readyAt = performance.now();
      };
      new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'] });
    });
    const page = await context.newPage();
    const signIn = await page.goto(`${url}/?token=${encodeURIComponent(adminToken)}`, { waitUntil: 'load' });
    if (!signIn || !signIn.ok()) throw new Error(`signing in through /?token= answered ${signIn?.status()}`);
    for (const view of views) {
      const times: number[] = [];
      let note: string | undefined;
      for (let i = 0; i <= RENDER_REPEAT; i++) {
        await page.goto(`${url}${view}`, { waitUntil: 'commit' });
        try {
          await page.waitForSelector('main[data-ready="true"]', { timeout: 30_000, state: 'attached' });
          const at = await page.evaluate(() => (window as unknown as { __readyAt?: number }).__readyAt ?? performance.now());
          if (i > 0) times.push(at);
        } catch {
          note = 'main[data-ready="true"] did not appear within 30 s';
          break;
        }
      }
      times.sort((a, b) => a - b);
      const result = { view, p50: times.length ? quantile(times, 0.5) : null, max: times.length ? times[times.length - 1] : null, note };
      console.log(`  ${view.padEnd(40)} ${result.p50 === null ? '     —' : result.p50.toFixed(0).padStart(6)} ${result.max === null ? '     —' : result.max.toFixed(0).padStart(6)}${note ? `   ${note}` : ''}`);
      results.push(result);
    }
  } finally {
    await browser.close();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const keepDir = process.env.BENCH_DATA_DIR;
const dataDir = keepDir ?? (await mkdtemp(join(tmpdir(), 'lookout-bench-dashboard-')));
if (keepDir) await mkdir(keepDir, { recursive: true });
const adminToken = `bench-dashboard-${randomBytes(12).toString('hex')}`;
const config = defaultConfig();
config.dataDir = dataDir;
config.port = 0;
config.adminToken = adminToken;
config.logLevel = 'warn';

console.log(`bench:dashboard — node ${process.version}, ${cpus().length} cores, data in ${dataDir}`);
let collector: RunningCollector | undefined;
try {
  collector = await startCollector(config, { logger: false });
  const { store, url } = collector;
  console.log(`collector at ${url}, chDB ${await store.version()}`);
  const infoFile = join(dataDir, 'bench-fill.json');
  let info: FillInfo;
  const [existing] = await store.query<{ n: string }>('SELECT count() AS n FROM errors');
  if (keepDir && existsSync(infoFile) && Number(existing.n) > 0) {
    info = JSON.parse(readFileSync(infoFile, 'utf8')) as FillInfo;
    console.log(`reusing the filled store of ${new Date(info.now).toISOString()} (${info.events.toLocaleString('en-US')} errors; fill took ${info.seconds.total.toFixed(0)} s)`);
  } else {
    info = await fill(store, Date.now());
    writeFileSync(infoFile, JSON.stringify(info));
    await settleMerges(store, Number(process.env.BENCH_SETTLE_SECONDS ?? 300));
  }
  await describeStore(store);
  await checkCounts(store);

  // The clock the data was written with: a reused store is read as of its fill (the API's default
  // ranges end now, so `until` is not sent; `since` values are relative to the fill).
  const now = Date.now();
  const shift = now - info.now;
  const byEvents = await store.query<{ issue_id: string; events: string }>(
    `SELECT issue_id, sum(events) AS events FROM issue_counts WHERE project_id = ${PROJECT} GROUP BY issue_id ORDER BY events DESC`,
  );
  const big = byEvents.slice(0, 5).map((r) => r.issue_id);
  const smallPool = byEvents.slice(Math.floor(byEvents.length / 2));
  const small = Array.from({ length: 10 }, (_, k) => smallPool[Math.floor((k * smallPool.length) / 10)].issue_id);
  const [oneTitle] = await store.query<{ title: string }>(`SELECT title FROM issues FINAL WHERE issue_id = {id:String}`, { id: byEvents[40].issue_id });
  const searchTerms = ['undefined', 'total', 'chunk', 'is not a function', byEvents[7].issue_id, 'orders', oneTitle.title.split(' ').slice(1, 4).join(' ')];
  console.log(`big issues: ${big.map((id, k) => `${id} (${Number(byEvents[k].events).toLocaleString('en-US')})`).join(', ')}`);
  console.log(`small issues: ${small.length} with ${smallPool[smallPool.length - 1].events}–${smallPool[0].events} events`);

  console.log(`\nAPI calls (${REPEAT} each after ${WARMUP} warm-ups; ms)${shift > 3600_000 ? ` — store filled ${(shift / 3600_000).toFixed(1)} h ago` : ''}`);
  console.log(`  ${'call'.padEnd(58)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}   goal ≤ ${GOAL_P95_MS} ms p95`);
  const results = await measureApi(url, adminToken, apiCases(now, big, small, searchTerms));
  const missed = results.filter((r) => r.p95 > GOAL_P95_MS);
  console.log(`goal ≤ ${GOAL_P95_MS} ms p95: ${missed.length === 0 ? 'met by every call' : `NOT met by ${missed.length} of ${results.length} calls`}`);

  console.log('\ntime to first render in Chromium (ms from navigation start until main[data-ready="true"])');
  const home = await fetch(`${url}/`);
  await home.arrayBuffer();
  if (home.status === 404) {
    console.log('  skipped: the dashboard is not built (GET / answers 404)');
  } else if (!existsSync('/usr/bin/chromium')) {
    console.log('  skipped: /usr/bin/chromium is missing (apt-get install -y chromium)');
  } else {
    console.log(`  ${'view'.padEnd(40)} ${'p50'.padStart(6)} ${'max'.padStart(6)}   (${RENDER_REPEAT} loads each after a warm-up)`);
    await measureFirstRender(url, adminToken, ['/issues', `/issues/${big[0]}`, '/performance', '/releases', '/live', '/alerts', '/projects']).catch((error) =>
      console.log(`  failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
} finally {
  await collector?.close();
  if (!keepDir) await rm(dataDir, { recursive: true, force: true });
}
