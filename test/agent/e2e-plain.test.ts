/**
 * End to end, plain pages: the agent as a page gets it from a real collector (the script tag
 * its start banner prints, or the async loader snippet), in headless Chromium and Firefox ESR,
 * on a page of another origin. Assertions are on what the collector stored (read API), so the
 * wire format, CORS, SRI and the collector's validation are all in the loop.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEvent, NavigationEvent, VitalEvent } from '../../protocol/wire.js';
import { loaderSnippet } from '../../agent/src/loader.js';
import { startBanner } from '../../collector/src/banner.js';
import type { TestCollector } from '../support/test-collector.js';
import { dsnFor, html, serve, startCollectorWithFreshAgent, storedEvents, until, type StoredEvent, type Tab, useBrowser } from './e2e-helpers.js';

let collector: TestCollector;
let pages: Awaited<ReturnType<typeof serve>>;
/** A second origin, for the third-party script. */
let thirdParty: Awaited<ReturnType<typeof serve>>;
/** The two <script> lines of the collector's start banner, verbatim. */
let bannerSnippet = '';

const body = (scripts = '') =>
  `<body><div id="app"><h1>Lookout e2e</h1><button class="btn buy">Buy</button><p>${'Some text to paint. '.repeat(30)}</p></div>${scripts}</body></html>`;

const app = `<script>
  function checkout() { throw new TypeError('e2e: cart is undefined'); }
  function openOrder(id) {
    history.pushState({}, '', '/orders/' + id);
    return fetch('/api/order?id=' + id).then(function (r) { return r.text(); }).then(function (text) {
      document.querySelector('h1').textContent = 'Order ' + id + ' ' + text;
    });
  }
</script>`;

function servePage(res: ServerResponse, url: URL) {
  if (url.pathname == '/api/order') return void setTimeout(() => res.writeHead(200).end('{"total":3}'), 250);
  if (url.pathname == '/blank') return html(res, '<!doctype html><p>bye</p>');
  if (url.pathname.startsWith('/loader'))
    return html(
      res,
      `<!doctype html><html><head><meta charset="utf-8"><script>${loaderSnippet(collector.url + '/lookout.js')}</script>` +
        `<script>Lookout.init({ dsn: '${dsnFor(collector.url, collector.ingestKey)}', release: 'e2e@1' });` +
        `Lookout.setTag('via', 'loader'); Lookout.captureMessage('e2e: queued before the agent', { level: 'warning' });` +
        `Promise.reject('e2e: early rejection'); throw new Error('e2e: thrown before the agent');</script></head>` +
        body(app),
    );
  if (url.pathname.startsWith('/third-party'))
    return html(
      res,
      `<!doctype html><html><head><meta charset="utf-8">${bannerSnippet}</head>` +
        body(`<script>var seen = []; addEventListener('error', function (e) { seen.push(e.message); });</script>` +
          `<script src="${thirdParty.origin}/widget.js"></script><script src="${thirdParty.origin}/widget.js?cors=1" crossorigin="anonymous"></script>`),
    );
  return html(res, `<!doctype html><html><head><meta charset="utf-8">${bannerSnippet}</head>` + body(app));
}

beforeAll(async () => {
  collector = await startCollectorWithFreshAgent();
  const banner = startBanner(collector, collector.config);
  bannerSnippet = banner
    .split('\n')
    .filter((line) => line.includes('<script'))
    .join('\n');
  pages = await serve((_req, res, url) => servePage(res, url));
  thirdParty = await serve((_req, res, url) => {
    const cors = url.searchParams.has('cors');
    res
      .writeHead(200, { 'content-type': 'text/javascript', ...(cors ? { 'access-control-allow-origin': '*' } : {}) })
      .end(`throw new Error(${JSON.stringify(cors ? 'e2e: readable third-party error' : 'e2e: secret third-party detail')});`);
  });
}, 60_000);

afterAll(async () => {
  await pages?.close();
  await thirdParty?.close();
  await collector?.stop();
});

it('pastes the snippet the collector prints: script tag with integrity and crossorigin, then init', () => {
  expect(bannerSnippet).toMatch(
    new RegExp(`^ *<script src="${collector.url}/lookout\\.js(\\?v=[0-9a-f]+)?" integrity="sha384-[A-Za-z0-9+/=]+" crossorigin="anonymous"></script>\n *<script>Lookout\\.init\\(\\{ dsn: '[^']+' \\}\\);</script>$`),
  );
});

const flush = (tab: Tab) => tab.evaluate('Lookout.flush()');
const errorsOf = (events: StoredEvent[]) => events.filter((e): e is ErrorEvent & StoredEvent => e.kind == 'error');

for (const name of ['Chromium', 'Firefox'] as const) {
  describe(`in ${name}`, () => {
    const browserSession = useBrowser(name);

    it('stores errors, the route change, the page load and vitals from the script-tag page', { timeout: 40_000 }, async () => {
      const tab = await browserSession.driver.newTab();
      const run = name.toLowerCase();
      await tab.goto(`${pages.origin}/shop?token=s3cret&run=${run}`);
      expect(await tab.evaluate('typeof Lookout.init'), 'the agent loaded, integrity matched').toBe('function');
      await tab.evaluate(`Lookout.setTag('run', '${run}'); Lookout.setUser({ id: 42 })`);
      await tab.evaluate(`document.querySelector('button.buy').click(); setTimeout(checkout)`);
      await tab.evaluate(`void Promise.reject({ code: 'E_QUOTA', retry: false })`);
      await tab.evaluate(`Lookout.captureException(new RangeError('e2e: manual capture'), { tags: { where: 'test' } })`);
      await tab.evaluate(`Lookout.captureMessage('e2e: slow checkout', { level: 'warning' })`);
      // What the /shop view goes through before the route change: a layout shift (content pushed
      // down by a banner), then a slow interaction (a click whose handler blocks for 250 ms).
      await tab.evaluate(`document.getElementById('app').insertAdjacentHTML('afterbegin', '<div style="height:120px"></div>')`);
      await tab.evaluate(`new Promise(function (resolve) { requestAnimationFrame(function () { setTimeout(resolve, 100); }); })`);
      await tab.evaluate(`document.querySelector('h1').addEventListener('click', function () { var end = performance.now() + 250; while (performance.now() < end); })`);
      await tab.click('h1');
      // The route change comes from a click too, on p: its handler loads for 600 ms before it pushes
      // the URL (openOrder: then the order's request, then the DOM). Meanwhile a slow click (400 ms)
      // on the button. In Chromium that is a soft navigation, started at the click on p: the slow
      // click belongs to /orders/17. Firefox has none: /shop ends at pushState, the click is its.
      await tab.evaluate(`document.querySelector('p').addEventListener('click', function () { setTimeout(function () { openOrder(17); }, 600); })`);
      await tab.evaluate(`document.querySelector('button.buy').addEventListener('click', function () { var end = performance.now() + 400; while (performance.now() < end); })`);
      await tab.click('p');
      await tab.click('button.buy');

      // Errors and the route change: flushed on demand, then read back from the store.
      const mine = (events: StoredEvent[]) => events.filter((e) => e.tags?.run == run);
      let stored = await until(
        async () => {
          await flush(tab);
          const events = mine(await storedEvents(collector));
          const views = events.filter((e) => e.kind == 'vital' && e.navigation_type == 'route-view').length;
          const done = errorsOf(events).length >= 4 && events.some((e) => e.kind == 'navigation' && e.type == 'route') && views >= (name == 'Chromium' ? 2 : 1);
          return done && events;
        },
        'errors, the route change and the /shop view\'s vitals',
        15_000,
      );
      const errors = errorsOf(stored);
      const uncaught = errors.find((e) => e.mechanism == 'onerror')!;
      expect(uncaught).toMatchObject({
        type: 'TypeError',
        message: 'e2e: cart is undefined',
        handled: false,
        route: '/shop',
        user_id: '42',
        url: `${pages.origin}/shop?token=[redacted]&run=${run}`,
      });
      expect(uncaught.browser.name).toBe(name == 'Chromium' ? 'Chrome Headless' : 'Firefox');
      // The inline script's frames carry the page URL, scrubbed like it.
      expect(uncaught.frames![0]).toMatchObject({ function: 'checkout', file: `${pages.origin}/shop?token=[redacted]&run=${run}` });
      expect(uncaught.frames![0].line).toBeGreaterThan(0);
      expect(uncaught.frames![0].column).toBeGreaterThan(0);
      expect(uncaught.breadcrumbs!.map((b) => `${b.category}: ${b.message}`)).toContain('ui.click: div#app>button.btn.buy');

      expect(errors.find((e) => e.mechanism == 'unhandledrejection')).toMatchObject({
        type: 'Object',
        message: '{"code":"E_QUOTA","retry":false}',
        handled: false,
      });
      const manual = errors.find((e) => e.type == 'RangeError')!;
      expect(manual).toMatchObject({ message: 'e2e: manual capture', mechanism: 'manual', handled: true, level: 'error', tags: { run, where: 'test' } });
      expect(manual.frames!.length).toBeGreaterThan(0);
      expect(errors.find((e) => e.type == 'Message')).toMatchObject({ message: 'e2e: slow checkout', level: 'warning', mechanism: 'message' });

      const route = stored.find((e): e is NavigationEvent & StoredEvent => e.kind == 'navigation' && e.type == 'route')!;
      expect(route).toMatchObject({ route: '/orders/17', from_route: '/shop', requests: 1, status: 'ok' });
      // The view waited for its 250 ms request, then settled (100 ms of quiet is not counted).
      expect(route.duration).toBeGreaterThanOrEqual(240);
      expect(route.duration).toBeLessThan(3000);
      expect(route.page_view_id).not.toBe(uncaught.page_view_id);

      // Context of every event, as stored: viewport (Playwright's and Firefox's defaults differ)
      // and, where the browser has the Network Information API, the connection type.
      expect(uncaught.viewport).toBe(await tab.evaluate('innerWidth + "x" + innerHeight'));
      expect(uncaught.viewport).toMatch(/^[1-9]\d*x[1-9]\d*$/);
      expect(route.viewport).toBe(uncaught.viewport);
      if (name == 'Chromium') expect(uncaught.connection).toMatch(/^(slow-2g|2g|3g|4g)$/);
      else expect(uncaught.connection).toBeUndefined();

      // The /shop view's own INP and CLS, sent when the route change to /orders/17 settled.
      const views = stored.filter((e): e is VitalEvent & StoredEvent => e.kind == 'vital' && e.navigation_type == 'route-view');
      expect(views.every((v) => v.route == '/shop'), JSON.stringify(views)).toBe(true);
      const inp = views.find((v) => v.name == 'INP');
      const cls = views.find((v) => v.name == 'CLS');
      // The 250 ms handler, and more (input delay, paint); Event Timing rounds durations to 8 ms.
      expect(inp!.value).toBeGreaterThanOrEqual(250 - 8);
      expect(inp!.rating).not.toBe('good');
      // The ended view's page view, not the one the route change started.
      expect(inp!.page_view_id).toBe(uncaught.page_view_id);
      if (name == 'Chromium') {
        expect(cls!.value).toBeGreaterThan(0);
        expect(cls!.page_view_id).toBe(uncaught.page_view_id);
        // The browser path: Chromium saw the soft navigation, and the view ended where it started.
        expect(await tab.evaluate('performance.getEntriesByType("soft-navigation").map(function (e) { return new URL(e.name).pathname; })')).toEqual(['/orders/17']);
        expect(inp!.value).toBeLessThan(400 - 8);
      } else {
        // Firefox has Event Timing but no Layout Instability API: no CLS rather than a made-up 0.
        expect(cls).toBeUndefined();
        expect(await tab.evaluate('PerformanceObserver.supportedEntryTypes.includes("soft-navigation")')).toBe(false);
        expect(inp!.value).toBeGreaterThanOrEqual(400 - 8);
      }
      // An interaction in the last view (/orders/17): its INP is sent when the page is left.
      await tab.click('h1');

      // Leaving the page sends the page load and the vitals web-vitals reports on hide.
      const session = uncaught.session_id;
      await tab.goto(`${pages.origin}/blank`);
      stored = await until(
        async () => {
          const events = (await storedEvents(collector)).filter((e) => e.session_id == session);
          const names = events.filter((e) => e.kind == 'vital').map((e) => (e as VitalEvent).name);
          const lastView = events.some((e) => e.kind == 'vital' && e.navigation_type == 'route-view' && e.route == '/orders/17');
          const done = ['TTFB', 'FCP', 'LCP'].every((n) => names.includes(n as VitalEvent['name'])) && events.some((e) => e.kind == 'navigation' && e.type == 'load') && lastView;
          return done && events;
        },
        'vitals and the page load after leaving the page',
        15_000,
      );
      const vitals = stored.filter((e): e is VitalEvent & StoredEvent => e.kind == 'vital');
      for (const vital of vitals.filter((v) => ['TTFB', 'FCP', 'LCP'].includes(v.name))) {
        expect(vital.route, vital.name).toBe('/shop');
        expect(vital.value, vital.name).toBeGreaterThan(0);
        expect(['good', 'needs-improvement', 'poor']).toContain(vital.rating);
      }
      expect(vitals.find((v) => v.name == 'LCP')!.target).toMatch(/^div#app>(p|h1)$/);
      // The last view's INP and CLS, sent on exit: Chromium's has the slow click on the button (after
      // the soft navigation's start), Firefox's the click on h1.
      const last = vitals.filter((v) => v.navigation_type == 'route-view' && v.route == '/orders/17');
      expect(last.every((v) => v.page_view_id == route.page_view_id), JSON.stringify(last)).toBe(true);
      expect(last.find((v) => v.name == 'INP')!.value).toBeGreaterThanOrEqual((name == 'Chromium' ? 400 : 250) - 8);
      expect(last.map((v) => v.name).sort()).toEqual(name == 'Chromium' ? ['CLS', 'INP'] : ['INP']);
      const load = stored.find((e): e is NavigationEvent & StoredEvent => e.kind == 'navigation' && e.type == 'load')!;
      expect(load.route).toBe('/shop');
      expect(load.duration).toBeGreaterThan(0);
      // Nothing stored twice (the API returns one row per event id; the ids are distinct events).
      expect(new Set(stored.map((e) => e.event_id)).size).toBe(stored.length);
      expect(vitals.filter((v) => v.name == 'LCP')).toHaveLength(1);
      await tab.close();
    });

    it('stores calls and errors the async loader queued before the agent arrived', { timeout: 30_000 }, async () => {
      const tab = await browserSession.driver.newTab();
      await tab.goto(`${pages.origin}/loader/${name}`);
      await until(() => tab.evaluate<boolean>('typeof Lookout.flush == "function" && !Lookout.q'), 'the agent to replace the stub');
      const stored = await until(
        async () => {
          await flush(tab);
          const events = errorsOf(await storedEvents(collector)).filter((e) => e.url.includes(`/loader/${name}`));
          return events.length >= 3 && events;
        },
        'the queued events',
      );
      for (const event of stored) expect(event).toMatchObject({ release: 'e2e@1', tags: { via: 'loader' }, route: `/loader/${name}` });
      expect(stored.find((e) => e.mechanism == 'onerror')).toMatchObject({ type: 'Error', message: 'e2e: thrown before the agent', handled: false });
      expect(stored.find((e) => e.mechanism == 'onerror')!.frames![0].line).toBeGreaterThan(0);
      expect(stored.find((e) => e.mechanism == 'unhandledrejection')).toMatchObject({ type: 'Error', message: 'e2e: early rejection' });
      expect(stored.find((e) => e.type == 'Message')).toMatchObject({ message: 'e2e: queued before the agent', level: 'warning' });
      expect(stored).toHaveLength(3);
      await tab.close();
    });

    it('stores "Script error." from a cross-origin script with a hint, and the readable error with crossorigin', { timeout: 30_000 }, async () => {
      const tab = await browserSession.driver.newTab();
      await tab.goto(`${pages.origin}/third-party/${name}`);
      const stored = await until(
        async () => {
          await flush(tab);
          const events = errorsOf(await storedEvents(collector)).filter((e) => e.url.includes(`/third-party/${name}`));
          return events.length >= 2 && events;
        },
        'the third-party errors',
      );
      expect(stored, JSON.stringify(stored)).toHaveLength(2);
      // What the browser itself told the page about the script without crossorigin.
      const seen = await tab.evaluate<string[]>('seen');
      // Chromium hides it. Firefox ESR 153 under WebDriver BiDi does not mute it here (its
      // muting is not applied in this setup), so there the readable error must be stored.
      if (name == 'Chromium') expect(seen).toContain('Script error.');
      if (seen.includes('Script error.')) {
        const muted = stored.find((e) => e.type == 'ScriptError')!;
        expect(muted).toMatchObject({ message: 'Script error.', mechanism: 'onerror', handled: false });
        expect(muted.hint).toContain('crossorigin="anonymous"');
        // The browser hid it: nothing of the script's own message may leak.
        expect(JSON.stringify(muted)).not.toContain('secret');
      } else {
        expect(stored.find((e) => e.message.endsWith('e2e: secret third-party detail'))).toMatchObject({ type: 'Error', mechanism: 'onerror' });
      }
      const readable = stored.find((e) => e.message == 'e2e: readable third-party error')!;
      expect(readable).toMatchObject({ type: 'Error', message: 'e2e: readable third-party error' });
      expect(readable.hint).toBeFalsy();
      expect(readable.frames![0].file).toBe(`${thirdParty.origin}/widget.js?cors=1`);
      await tab.close();
    });
  });
}
