/**
 * Smoke test in real headless Chromium (playwright-core) and Firefox (puppeteer-core over
 * WebDriver BiDi), both from test/support/browsers.ts: the built lookout.min.js on a page served from 127.0.0.1, errors thrown,
 * a route change, the page left; the assertions are on the request bodies the local
 * "collector" received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { rollup } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch, ErrorEvent, LookoutEvent, NavigationEvent, VitalEvent } from '../../protocol/wire.js';
import { loaderSnippet } from '../../agent/src/loader.js';
import { launchChromium, launchFirefox } from '../support/browsers.js';
// @ts-expect-error -- the rollup config is plain JavaScript without types
import { agentIife } from '../../rollup.config.mjs';

interface Received {
  url: string;
  contentType?: string;
  batch: Batch;
}

let server: Server;
let browser: Browser;
let origin = '';
let agent = '';
const received: Received[] = [];
const hanging: ServerResponse[] = [];
const events = (): LookoutEvent[] => received.flatMap((r) => r.batch.events);
const errors = () => events().filter((e): e is ErrorEvent => e.kind == 'error');

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
  });

const page = (head: string, body = '') =>
  `<!doctype html><html><head><meta charset="utf-8">${head}</head><body><div id="app"><h1>Lookout smoke</h1>` +
  `<button class="btn save">Save</button><p>${'Some text to paint. '.repeat(20)}</p></div>${body}</body></html>`;

const init = (extra = '') => `Lookout.init({ dsn: '${origin.replace('//', '//pk_smoke@')}/42', release: 'smoke@1', environment: 'test'${extra} });`;

beforeAll(async () => {
  const bundle = await rollup({ ...agentIife, onwarn: () => {} });
  agent = (await bundle.generate(agentIife.output)).output[0].code;
  await bundle.close();

  server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (req.method == 'POST' && url.pathname == '/api/42/ingest') {
      const body = await readBody(req);
      received.push({ url: req.url!, contentType: req.headers['content-type'], batch: JSON.parse(body) });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"rejected":[]}');
    } else if (url.pathname == '/lookout.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(agent);
    } else if (url.pathname == '/api/hang') {
      // Long polling that outlives the route-change cap; answered when the test ends.
      hanging.push(res);
    } else if (url.pathname == '/api/data') {
      setTimeout(() => res.writeHead(url.searchParams.get('fail') ? 500 : 200).end('{}'), 150);
    } else if (url.pathname.startsWith('/loader')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        page(`<script>${loaderSnippet('/lookout.min.js')}</script><script>${init()} Lookout.setTag('via', 'loader'); throw new Error('before the agent');</script>`),
      );
    } else if (url.pathname == '/options') {
      const options = `, sampleRate: 0, ignoreErrors: ['ResizeObserver loop', /^Noise/], beforeSend: (e) => (e.message || '').includes('private') ? null : e`;
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(`<script src="/lookout.min.js"></script><script>${init(options)}</script>`));
    } else if (url.pathname == '/storage') {
      // Counts every lookup of the page's Web Storage, from before the agent loads.
      const probe = `window.storageUses = [];
        ['localStorage', 'sessionStorage'].forEach(function (name) {
          var o = window, d;
          while (o && !(d = Object.getOwnPropertyDescriptor(o, name))) o = Object.getPrototypeOf(o);
          Object.defineProperty(window, name, { configurable: true, get: function () { storageUses.push(name); return d.get.call(window); } });
        });
        window.observed = [];
        var observe = PerformanceObserver.prototype.observe;
        PerformanceObserver.prototype.observe = function (o) { observed.push(o.type || o.entryTypes); return observe.apply(this, arguments); };`;
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(page(`<script>${probe}</script><script src="/lookout.min.js"></script><script>${init()}</script><script>window.usesAtInit = storageUses.slice(); window.observedAtInit = observed.slice();</script>`));
    } else if (url.pathname == '/blank') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>bye</p>');
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(page(`<script src="/lookout.min.js"></script><script>${init()}\nfunction checkout() { throw new TypeError('smoke: cart is undefined'); }</script>`));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A missing browser fails here with what to install: never a silent skip.
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const res of hanging) res.end();
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function until(check: () => boolean, what: string, ms = 5000, poke?: () => Promise<unknown>) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what + '; received: ' + JSON.stringify(events().map((e) => e.kind)));
    await poke?.();
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('lookout.min.js in Chromium', () => {
  let tab: Page;

  it('reports an uncaught error with frames, context and breadcrumbs', { timeout: 30_000 }, async () => {
    tab = await browser.newPage();
    await tab.goto(origin + '/shop?token=secret123&q=shoes');
    await tab.click('button.save');
    await tab.evaluate(() => {
      console.error('about to fail', 42);
      setTimeout((window as unknown as { checkout: () => void }).checkout);
    });
    await tab.waitForTimeout(100);
    await tab.evaluate(() => (window as unknown as { Lookout: { flush(): Promise<void> } }).Lookout.flush());
    await until(() => errors().length > 0, 'the error');

    const request = received.find((r) => r.batch.events.some((e) => e.kind == 'error'))!;
    expect(request.url).toBe('/api/42/ingest?key=pk_smoke');
    expect(request.contentType).toMatch(/^text\/plain/);
    expect(request.batch.sdk).toMatchObject({ name: 'lookout', failures: 0 });

    const error = errors()[0];
    expect(error).toMatchObject({
      type: 'TypeError',
      message: 'smoke: cart is undefined',
      mechanism: 'onerror',
      handled: false,
      release: 'smoke@1',
      environment: 'test',
      route: '/shop',
      url: origin + '/shop?token=[redacted]&q=shoes',
    });
    // Context read when the event happened: Playwright's default viewport, Chromium's effectiveType.
    expect(error.viewport).toBe(await tab.evaluate(() => innerWidth + 'x' + innerHeight));
    expect(error.viewport).toBe('1280x720');
    expect(error.connection).toBe(await tab.evaluate(() => (navigator as unknown as { connection: { effectiveType: string } }).connection.effectiveType));
    expect(error.connection).toMatch(/^(slow-2g|2g|3g|4g)$/);
    expect(error.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.page_view_id).toMatch(/^[0-9a-f-]{36}$/);
    // The inline script's file is the page URL: scrubbed like it.
    expect(error.frames![0]).toMatchObject({ function: 'checkout', file: origin + '/shop?token=[redacted]&q=shoes' });
    expect(error.frames![0].line).toBeGreaterThan(0);
    const crumbs = error.breadcrumbs!.map((b) => `${b.category}: ${b.message}`);
    expect(crumbs).toContain('ui.click: div#app>button.btn.save');
    expect(crumbs).toContain('console: about to fail 42');
  });

  it('reports rejections that are not errors, readably', { timeout: 30_000 }, async () => {
    await tab.evaluate(() => {
      Promise.reject({ code: 'E_QUOTA', retry: false });
    });
    await tab.waitForTimeout(100);
    await tab.evaluate(() => (window as unknown as { Lookout: { flush(): Promise<void> } }).Lookout.flush());
    await until(() => errors().some((e) => e.mechanism == 'unhandledrejection'), 'the rejection');
    expect(errors().find((e) => e.mechanism == 'unhandledrejection')).toMatchObject({
      type: 'Object',
      message: '{"code":"E_QUOTA","retry":false}',
      handled: false,
    });
  });

  it('times a pushState route change until its requests and DOM settle', { timeout: 30_000 }, async () => {
    await tab.evaluate(async () => {
      history.pushState({}, '', '/orders/17');
      const data = await fetch('/api/data?id=17');
      document.querySelector('h1')!.textContent = 'Order 17 ' + (await data.text());
      await fetch('/api/data?fail=1&id=17');
    });
    await tab.waitForTimeout(400);
    await tab.evaluate(() => (window as unknown as { Lookout: { captureMessage(m: string): void; flush(): Promise<void> } }).Lookout.captureMessage('after route'));
    await tab.evaluate(() => (window as unknown as { Lookout: { flush(): Promise<void> } }).Lookout.flush());
    await until(() => events().some((e) => e.kind == 'navigation' && e.type == 'route'), 'the route change');
    const route = events().find((e): e is NavigationEvent => e.kind == 'navigation' && e.type == 'route')!;
    expect(route).toMatchObject({ route: '/orders/17', from_route: '/shop', requests: 2, status: 'ok' });
    // Two requests of 150 ms one after the other: the view settled after both.
    expect(route.duration).toBeGreaterThanOrEqual(280);
    expect(route.duration).toBeLessThan(2000);

    const message = errors().find((e) => e.type == 'Message')!;
    expect(message.route).toBe('/orders/17');
    expect(message.page_view_id).not.toBe(errors()[0].page_view_id);
    const crumbs = message.breadcrumbs!.map((b) => `${b.category}: ${b.message}`);
    expect(crumbs).toContain('navigation: /shop → /orders/17');
    expect(crumbs).toContain('http: GET /api/data?fail=&id= 500');
  });

  it('sends vitals and the page load when the page is left', { timeout: 30_000 }, async () => {
    await tab.goto(origin + '/blank');
    await until(() => events().some((e) => e.kind == 'vital' && e.name == 'LCP'), 'the vitals');
    const vitals = events().filter((e): e is VitalEvent => e.kind == 'vital');
    const names = vitals.map((v) => v.name);
    for (const name of ['TTFB', 'FCP', 'LCP', 'CLS']) expect(names).toContain(name);
    for (const vital of vitals.filter((v) => v.navigation_type != 'route-view')) expect(vital.route).toBe('/shop');
    // The per-view values: /shop's when the route change ended, the last view's when the page was left.
    expect(vitals.filter((v) => v.navigation_type == 'route-view').map((v) => `${v.route} ${v.name}`)).toEqual(['/shop CLS', '/orders/17 CLS']);
    expect(vitals.find((v) => v.name == 'LCP')!.target).toMatch(/^(div#app>)?(p|h1)/);
    const load = events().find((e): e is NavigationEvent => e.kind == 'navigation' && e.type == 'load');
    expect(load).toMatchObject({ route: '/shop' });
    expect(load!.duration).toBeGreaterThan(0);
  });

  it('collapses a burst, applies ignoreErrors, beforeSend and the session sample', { timeout: 30_000 }, async () => {
    const before = events().length;
    const options = await browser.newPage();
    await options.goto(origin + '/options');
    await options.evaluate(() => {
      const L = (window as unknown as { Lookout: { captureException(e: unknown): void; setUser(u: { id: number }): void } }).Lookout;
      L.setUser({ id: 7 });
      for (let i = 0; i < 5; i++) L.captureException(new Error('same thing again'));
      L.captureException(new Error('ResizeObserver loop completed with undelivered notifications.'));
      L.captureException(new Error('Noise from an extension'));
      L.captureException(new Error('has private data'));
      history.pushState({}, '', '/options/next');
    });
    await options.waitForTimeout(300);
    await options.goto(origin + '/blank');
    await until(() => events().length > before, 'the options page events');
    await new Promise((r) => setTimeout(r, 300));
    const sent = events().slice(before);
    // sampleRate 0: no vitals, no navigations; errors are sampled on their own.
    expect(sent.map((e) => e.kind), JSON.stringify(sent)).toEqual(['error']);
    expect(sent[0]).toMatchObject({ message: 'same thing again', count: 5, handled: true, mechanism: 'manual', user_id: '7' });
    await options.close();
  });

  it('stops timing a route change that never settles after 10 s, as a timeout', { timeout: 30_000 }, async () => {
    const before = events().length;
    await tab.goto(origin + '/poll');
    await tab.evaluate(() => {
      history.pushState({}, '', '/poll/live');
      void fetch('/api/hang');
    });
    await until(
      () => events().slice(before).some((e) => e.kind == 'navigation' && e.type == 'route'),
      'the capped route change',
      15_000,
      () => tab.evaluate(() => (window as unknown as { Lookout: { flush(): Promise<void> } }).Lookout.flush()),
    );
    const route = events().slice(before).find((e): e is NavigationEvent => e.kind == 'navigation' && e.type == 'route')!;
    expect(route).toMatchObject({ route: '/poll/live', from_route: '/poll', status: 'timeout', requests: 1 });
    expect(route.duration).toBeGreaterThanOrEqual(10_000);
    expect(route.duration).toBeLessThan(11_000);
  });

  it('lets an integration drive route changes with templates and pending work', { timeout: 30_000 }, async () => {
    const before = events().length;
    await tab.goto(origin + '/users');
    await tab.evaluate(async () => {
      type Api = { startRouteChange(r?: string): void; endRouteChange(): void; markPending(): () => void; setRoute(r: string): void };
      const L = (window as unknown as { Lookout: Api }).Lookout;
      L.startRouteChange(); // router start: template not known yet
      history.pushState({}, '', '/users/5'); // the History heuristics stand down
      const done = L.markPending(); // e.g. a resolver
      L.setRoute('/users/:id');
      await new Promise((r) => setTimeout(r, 50));
      L.endRouteChange(); // NavigationEnd
      await new Promise((r) => setTimeout(r, 200));
      done();
    });
    await tab.waitForTimeout(300);
    await tab.evaluate(() => (window as unknown as { Lookout: { flush(): Promise<void> } }).Lookout.flush());
    await until(() => events().slice(before).some((e) => e.kind == 'navigation' && e.type == 'route'), 'the integration route change');
    const routes = events().slice(before).filter((e): e is NavigationEvent => e.kind == 'navigation' && e.type == 'route');
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({ route: '/users/:id', from_route: '/users', status: 'ok', requests: 1 });
    expect(routes[0].router_duration).toBeGreaterThanOrEqual(40);
    expect(routes[0].router_duration).toBeLessThan(routes[0].duration);
    expect(routes[0].duration).toBeGreaterThanOrEqual(240);
  });

  it('touches no Web Storage and observes no performance entries at init, localStorage (the retry queue) only when it sends', { timeout: 30_000 }, async () => {
    const probed = await browser.newPage();
    type Probe = { storageUses: string[]; usesAtInit: string[]; observed: string[]; observedAtInit: string[]; Lookout: { flush(): Promise<void> } };
    await probed.goto(origin + '/storage');
    // Taken by the script after init's, so after init's microtasks too.
    expect(await probed.evaluate(() => (window as unknown as Probe).usesAtInit)).toEqual([]);
    // Web Vitals and the per-view observers start in a later task (buffered: they miss no entry).
    expect(await probed.evaluate(() => (window as unknown as Probe).observedAtInit)).toEqual([]);
    expect(await probed.evaluate(() => (window as unknown as Probe).observed)).toEqual(expect.arrayContaining(['largest-contentful-paint', 'event', 'layout-shift']));
    // The page load and the first vitals have been reported by now (sessionStorage: the session id)…
    await probed.waitForTimeout(1000);
    expect(await probed.evaluate(() => (window as unknown as Probe).storageUses)).toContain('sessionStorage');
    // …but the retry queue waits for the first batch.
    expect(await probed.evaluate(() => (window as unknown as Probe).storageUses)).not.toContain('localStorage');
    await probed.evaluate(() => (window as unknown as Probe).Lookout.flush());
    expect(await probed.evaluate(() => (window as unknown as Probe).storageUses)).toContain('localStorage');
    await probed.close();
  });

  it('replays calls and errors queued by the loader snippet', { timeout: 30_000 }, async () => {
    const before = errors().length;
    const loaded = await browser.newPage();
    await loaded.goto(origin + '/loader');
    await loaded.waitForFunction(() => !(window as unknown as { Lookout: { q?: unknown } }).Lookout.q);
    await loaded.evaluate(() => (window as unknown as { Lookout: { flush(): Promise<void> } }).Lookout.flush());
    await until(() => errors().length > before, 'the early error');
    expect(errors().slice(before)[0]).toMatchObject({
      type: 'Error',
      message: 'before the agent',
      mechanism: 'onerror',
      tags: { via: 'loader' },
    });
    await loaded.close();
  });
});

describe('lookout.min.js in Firefox', () => {
  it('reports an uncaught error with Firefox frames', { timeout: 90_000 }, async () => {
    const firefox = await launchFirefox();
    try {
      const tab = await firefox.newPage();
      await tab.goto(origin + '/cart?session=abc');
      await tab.evaluate(() => {
        setTimeout((window as unknown as { checkout: () => void }).checkout);
      });
      await new Promise((r) => setTimeout(r, 200));
      await tab.evaluate(() => (window as unknown as { Lookout: { flush(): Promise<void> } }).Lookout.flush());
      await until(() => errors().some((e) => e.route == '/cart'), 'the Firefox error', 10_000);
      const error = errors().find((e) => e.route == '/cart')!;
      expect(error).toMatchObject({ type: 'TypeError', message: 'smoke: cart is undefined', mechanism: 'onerror' });
      expect(error.frames![0]).toMatchObject({ function: 'checkout', file: origin + '/cart?session=[redacted]' });
      expect(error.frames![0].line).toBeGreaterThan(0);
      expect(error.frames![0].column).toBeGreaterThan(0);
    } finally {
      await firefox.close();
    }
  });
});
