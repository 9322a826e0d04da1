/**
 * End to end, Angular: a real standalone Angular app (from npm, JIT, bundled here by esbuild)
 * with zone.js and zoneless, the integration bundled into it like an npm user would, served
 * from one origin and reporting to a real collector on another, driven in headless Chromium
 * and Firefox ESR. The assertions are on what the collector stored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEvent, NavigationEvent } from '../../protocol/wire.js';
import { launchChromium, launchFirefox } from '../support/browsers.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { AFTER_ROUTER_MS } from './fixtures/angular/timings.js';

/** How long the test server holds the resolver's request. */
const RESOLVER_MS = 300;

type Variant = 'zone' | 'zoneless';
type Stored<T> = T & { release?: string; environment?: string };

/** What both drivers (playwright-core's and puppeteer-core's Page) offer alike. */
interface Tab {
  goto(url: string): Promise<unknown>;
  click(selector: string): Promise<void>;
  evaluate(expression: string): Promise<unknown>;
  close(): Promise<void>;
}

let collector: TestCollector;
let server: Server;
let origin = '';
const bundles: Record<string, string> = {};
const closers: Array<() => Promise<void>> = [];

async function bundle(variant: Variant): Promise<string> {
  const result = await build({
    entryPoints: [`test/agent/fixtures/angular/${variant}.ts`],
    bundle: true,
    format: 'esm',
    write: false,
    target: 'es2022',
    logLevel: 'silent',
    // Standard decorators, no metadata: the app uses inject(), not constructor parameters.
    tsconfigRaw: { compilerOptions: { experimentalDecorators: false } },
  });
  return result.outputFiles[0].text;
}

const page = (variant: Variant, browser: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><base href="/">` +
  `<script>window.LOOKOUT = ${JSON.stringify({
    dsn: collector.url.replace('//', `//${collector.ingestKey}@`) + '/1',
    release: `${variant}@${browser}`,
    environment: 'e2e-angular',
  })}</script><script type="module" src="/${variant}.js"></script></head><body><e2e-app></e2e-app></body></html>`;

beforeAll(async () => {
  const [started, zone, zoneless] = await Promise.all([startTestCollector(), bundle('zone'), bundle('zoneless')]);
  collector = started;
  Object.assign(bundles, { zone, zoneless });
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const script = bundles[url.pathname.slice(1).replace(/\.js$/, '')];
    if (script) return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    if (url.pathname == '/api/user') return void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"Ada"}'), RESOLVER_MS);
    if (url.pathname == '/api/fail') return void res.writeHead(500, 'Internal Server Error').end('{}');
    // The app's own URL stays "/" for its router: which app and browser go in the query.
    const variant = url.searchParams.get('variant') as Variant;
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(variant, url.searchParams.get('browser')!));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  for (const close of closers) await close().catch(() => {});
  await new Promise((resolve) => server?.close(resolve));
  await collector?.stop();
});

async function until<T>(check: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const text = (tab: Tab, selector: string) => tab.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent || ''`) as Promise<string>;
const waitText = (tab: Tab, selector: string, expected: RegExp) => until(async () => expected.test(await text(tab, selector)), `${selector} ~ ${expected}`);

async function stored<T>(kind: 'error' | 'navigation', release: string): Promise<Stored<T>[]> {
  await collector.processor.drain();
  const { events } = await collector.api(`/api/1/events?kind=${kind}&since=0&limit=1000`);
  return (events as Stored<T>[]).filter((e) => e.release == release);
}

/** Flushes the agent in the page until the collector holds what `ready` looks for. */
async function collected<T>(tab: Tab, kind: 'error' | 'navigation', release: string, ready: (events: Stored<T>[]) => boolean, what: string, ms?: number) {
  return until(
    async () => {
      await tab.evaluate('window.lookoutFlush()');
      const events = await stored<T>(kind, release);
      return ready(events) && events;
    },
    what,
    ms,
  );
}

const MESSAGES = {
  inside: 'e2e: thrown in a click handler',
  outside: 'e2e: thrown outside Angular',
  rejection: 'e2e: rejected in a click handler',
};

async function exercise(tab: Tab, variant: Variant, browser: string) {
  const release = `${variant}@${browser}`;
  await tab.goto(`${origin}/?variant=${variant}&browser=${browser}`);
  await waitText(tab, '#home', /home/);

  // A route change that waits on a resolver, then on Angular work after the router is done.
  await tab.click('#go-user');
  await waitText(tab, '#user', /Ada loaded/);
  // Soon after the view is done: a timing that Angular kept open would end at the 10 s cap.
  const navigations = await collected<NavigationEvent>(tab, 'navigation', release, (n) => n.some((e) => e.route == '/users/:id'), 'the /users/:id route change', 2000);
  const user = navigations.find((e) => e.route == '/users/:id')!;
  expect(user).toMatchObject({ type: 'route', status: 'ok', requests: 1 });
  expect(user.router_duration).toBeGreaterThanOrEqual(RESOLVER_MS - 20);
  // Ended when Angular was stable, not at NavigationEnd nor when the network went quiet.
  expect(user.duration).toBeGreaterThanOrEqual(user.router_duration! + AFTER_ROUTER_MS - 20);
  expect(user.duration).toBeLessThan(user.router_duration! + AFTER_ROUTER_MS + 1500);

  // A guard says no: cancelled, named by the route it tried.
  await tab.click('#go-home');
  await waitText(tab, '#home', /home/);
  await tab.click('#go-admin');
  const cancelled = await collected<NavigationEvent>(tab, 'navigation', release, (n) => n.some((e) => e.route == '/admin'), 'the cancelled navigation');
  expect(cancelled.filter((e) => e.route == '/admin')).toEqual([expect.objectContaining({ type: 'route', status: 'cancelled', from_route: '/' })]);
  // Home again, as the route of later events.
  expect(cancelled.find((e) => e.route == '/' && e.type == 'route')).toBeDefined();

  for (const button of ['#throw-inside', '#throw-outside', '#reject-inside', '#http-error']) await tab.click(button);
  const errors = await collected<ErrorEvent>(
    tab,
    'error',
    release,
    (all) => Object.values(MESSAGES).every((m) => all.some((e) => e.message == m)) && all.some((e) => e.type == 'HttpErrorResponse'),
    'the four errors',
  );
  // Anything sent twice would have been sent by now, in the same dispatch or microtask: one more flush.
  const all = await collected<ErrorEvent>(tab, 'error', release, () => true, 'a last flush');
  const seen = JSON.stringify(all.map((e) => [e.type, e.message, e.mechanism]));
  expect(all.length, seen).toBe(errors.length);
  expect(all, seen).toHaveLength(4);
  const byMessage = (message: string) => all.find((e) => e.message == message)!;

  expect(byMessage(MESSAGES.inside)).toMatchObject({ type: 'TypeError', mechanism: 'angular', handled: false, route: '/' });
  expect(byMessage(MESSAGES.inside).frames!.length).toBeGreaterThan(0);
  // Outside Angular: the agent's window listener reports it, Angular's global listener passes it on too.
  expect(byMessage(MESSAGES.outside)).toMatchObject({ type: 'RangeError', mechanism: 'onerror', handled: false });
  // zone.js wraps it in "Uncaught (in promise)" for the ErrorHandler: unwrapped.
  expect(byMessage(MESSAGES.rejection)).toMatchObject({
    type: 'SyntaxError',
    mechanism: variant == 'zone' ? 'angular' : 'unhandledrejection',
    handled: false,
  });
  const http = all.find((e) => e.type == 'HttpErrorResponse')!;
  expect(http).toMatchObject({
    message: `GET ${origin}/api/fail?token=&page= 500 Internal Server Error`,
    // zone.js hands rxjs's rethrow to the ErrorHandler; zoneless it reaches window.
    mechanism: variant == 'zone' ? 'angular' : 'onerror',
    handled: false,
  });
  expect(all.every((e) => e.count == 1), 'no error folded into a twin').toBe(true);
}

describe('Angular integration in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    browser = await launchChromium();
    closers.push(() => browser.close());
  });

  for (const variant of ['zone', 'zoneless'] as const)
    it(`${variant}: route timing until stable, cancelled navigation, each error once`, { timeout: 30_000 }, async () => {
      const tab = await browser.newPage();
      await exercise(tab, variant, 'chromium');
      await tab.close();
    });
});

describe('Angular integration in Firefox ESR', () => {
  let browser: Awaited<ReturnType<typeof launchFirefox>>;
  beforeAll(async () => {
    browser = await launchFirefox();
    closers.push(() => browser.close());
  });

  for (const variant of ['zone', 'zoneless'] as const)
    it(`${variant}: route timing until stable, cancelled navigation, each error once`, { timeout: 30_000 }, async () => {
      const tab = await browser.newPage();
      await exercise(tab as unknown as Tab, variant, 'firefox');
      await tab.close();
    });
});
