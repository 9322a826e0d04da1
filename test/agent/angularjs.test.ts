/**
 * The AngularJS integration end to end: real AngularJS 1.8 (angular, angular-route,
 * @uirouter/angularjs from npm), the built agent and lookout-angularjs.min.js on a page served
 * from another origin than the collector, driven in headless Chromium and Firefox ESR; the
 * assertions are on what the real collector STORED, read back through its API.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEvent, NavigationEvent } from '../../protocol/wire.js';
// @ts-expect-error -- the rollup config is plain JavaScript without types
import { agentAngularJsIife, agentIife } from '../../rollup.config.mjs';
import { launchChromium, launchFirefox } from '../support/browsers.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

/** How long the test server holds each API response: the route changes must wait for it. */
const DELAY_MS = 300;

/** The little of a page that playwright-core and puppeteer-core share. */
interface Tab {
  goto(url: string): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  waitForFunction(expression: string, options: { timeout: number }): Promise<unknown>;
  click(selector: string): Promise<void>;
}

const file = (path: string) => readFileSync(new URL('../../' + path, import.meta.url), 'utf8');

async function build(config: RollupOptions & { output: OutputOptions }): Promise<string> {
  const bundle = await rollup({ ...config, onwarn: () => {} });
  const { output } = await bundle.generate(config.output);
  await bundle.close();
  return output[0].code;
}

let collector: TestCollector;
let server: Server;
let origin = '';
const scripts: Record<string, string> = {};

const page = (release: string, app: 'ngroute' | 'uirouter') => {
  const dsn = collector.url.replace('//', `//${collector.ingestKey}@`) + '/1';
  const router = app == 'ngroute' ? '/angular-route.js' : '/angular-ui-router.js';
  return `<!doctype html><html><head><meta charset="utf-8">
<script>
  // The original $exceptionHandler logs through $log.error: record what reaches the console.
  window.consoleErrors = [];
  var consoleError = console.error;
  console.error = function () { consoleErrors.push([].join.call(arguments, ' ')); return consoleError.apply(this, arguments); };
</script>
<script src="/angular.js"></script><script src="${router}"></script>
<script src="/lookout.min.js"></script><script src="/lookout-angularjs.min.js"></script>
<script>
  // What the agent sent, so the test can wait for it instead of sleeping.
  window.sent = [];
  Lookout.init({ dsn: '${dsn}', release: '${release}', beforeSend: function (e) { sent.push(e); return e; } });
  // What the integration reported (it calls the global Lookout): the agent folds a twin into
  // the queued event, so a double report would not show in what is stored.
  window.captured = [];
  var capture = Lookout.captureException;
  Lookout.captureException = function (e, context) { captured.push(e && e.message); return capture.apply(this, arguments); };
</script>
<script src="/${app}-app.js"></script>
</head><body ng-app="app"><div id="top" ng-controller="Top"><button id="explode" ng-click="explode()">explode</button>
<ng-view></ng-view><ui-view></ui-view></div></body></html>`;
};

beforeAll(async () => {
  collector = await startTestCollector();
  scripts['/lookout.min.js'] = await build(agentIife);
  scripts['/lookout-angularjs.min.js'] = await build(agentAngularJsIife);
  scripts['/angular.js'] = file('node_modules/angular/angular.js');
  scripts['/angular-route.js'] = file('node_modules/angular-route/angular-route.js');
  scripts['/angular-ui-router.js'] = file('node_modules/@uirouter/angularjs/release/angular-ui-router.js');
  scripts['/ngroute-app.js'] = file('test/agent/fixtures/angularjs/ngroute-app.js');
  scripts['/uirouter-app.js'] = file('test/agent/fixtures/angularjs/uirouter-app.js');

  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const later = (fn: () => void) => setTimeout(fn, DELAY_MS);
    const json = (body: unknown) => later(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
    const user = url.pathname.match(/^\/api\/users\/(\d+)(\/posts)?$/);
    if (scripts[url.pathname]) res.writeHead(200, { 'content-type': 'text/javascript' }).end(scripts[url.pathname]);
    else if (url.pathname == '/ng' || url.pathname == '/ui')
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(url.searchParams.get('release')!, url.pathname == '/ng' ? 'ngroute' : 'uirouter'));
    else if (user) json(user[2] ? [{ id: 1 }, { id: 2 }] : { id: Number(user[1]), name: 'Ada' });
    else if (url.pathname == '/api/fail') later(() => res.writeHead(500).end('{}'));
    else if (url.pathname == '/api/jsonp')
      later(() =>
        url.searchParams.get('fail')
          ? res.writeHead(500).end()
          : res.writeHead(200, { 'content-type': 'text/javascript' }).end(`${url.searchParams.get('callback')}({"items":3})`),
      );
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await collector?.stop();
});

/** Waits until the agent has handed an event matching `condition` (JS over `e`) to its transport. */
const sentOne = (tab: Tab, condition: string) =>
  tab.waitForFunction(`window.sent && sent.some(function (e) { return ${condition}; })`, { timeout: 5000 });

/** Flushes the agent, lets the collector store the batch, and reads one release's events. */
async function stored(tab: Tab, release: string) {
  await tab.evaluate('Lookout.flush()');
  await collector.processor.drain();
  const read = async <T>(kind: string): Promise<T[]> =>
    (await collector.api<{ events: (T & { release?: string })[] }>(`/api/1/events?kind=${kind}&limit=1000`)).events.filter((e) => e.release == release);
  return { navigations: await read<NavigationEvent>('navigation'), errors: await read<ErrorEvent>('error') };
}

/** Route changes to `route` with `status`, oldest first (the API lists newest first). */
const routeChange = (navigations: NavigationEvent[], route: string, status = 'ok') =>
  navigations.filter((n) => n.type == 'route' && n.route == route && n.status == status).sort((a, b) => a.timestamp - b.timestamp);

function scenarios(open: () => Promise<Tab>, browser: string) {
  it('ngRoute: route changes that wait on $http and JSONP, cancelled and failed ones, errors in and out of the digest', { timeout: 30_000 }, async () => {
    const release = browser + '-ngroute';
    const tab = await open();
    await tab.goto(`${origin}/ng?release=${release}#!/`);
    await sentOne(tab, "e.route == '/' && e.type == 'route'");

    await tab.evaluate("location.hash = '#!/users/42'");
    await sentOne(tab, "e.route == '/users/:id'");
    await tab.evaluate("location.hash = '#!/old/7'"); // redirects to /users/7: one change, not a cancelled one
    await sentOne(tab, "e.route == '/users/:id' && e.from_route == '/users/:id'");
    await tab.evaluate("location.hash = '#!/feed'");
    await sentOne(tab, "e.route == '/feed'");
    await tab.evaluate("location.hash = '#!/forbidden'");
    await sentOne(tab, "e.route == '/forbidden'");
    await tab.evaluate("location.hash = '#!/broken'");
    await sentOne(tab, "e.route == '/broken'");
    await tab.evaluate("location.hash = '#!/boom'");
    await sentOne(tab, "e.message == 'controller boom'");
    await tab.evaluate("setTimeout(function () { throw new Error('outside the digest'); })");
    await sentOne(tab, "e.message == 'outside the digest'");
    await tab.evaluate("angular.element(document.getElementById('top')).scope().$apply('failThenThrow()')");
    await sentOne(tab, "e.message == 'after failed requests'");
    expect(await tab.evaluate('captured')).toEqual(['controller boom', 'after failed requests']);
    expect(await tab.evaluate("consoleErrors.some(function (m) { return m.indexOf('controller boom') >= 0; })")).toBe(true);

    const { navigations, errors } = await stored(tab, release);
    const [user, redirected] = routeChange(navigations, '/users/:id');
    expect(user).toMatchObject({ type: 'route', from_route: '/', requests: 1 });
    expect(user.duration).toBeGreaterThanOrEqual(DELAY_MS);
    expect(user.duration).toBeLessThan(3000);
    // ngRoute is done before the controller asks for its data.
    expect(user.router_duration).toBeLessThan(DELAY_MS);
    expect(redirected).toMatchObject({ requests: 1 });
    expect(routeChange(navigations, '/users/:id', 'cancelled')).toEqual([]);
    const [feed] = routeChange(navigations, '/feed');
    expect(feed).toMatchObject({ requests: 1 });
    expect(feed.duration).toBeGreaterThanOrEqual(DELAY_MS);
    expect(routeChange(navigations, '/forbidden', 'cancelled')).toHaveLength(1);
    expect(routeChange(navigations, '/broken', 'failed')).toHaveLength(1);

    const named = (message: string) => errors.filter((e) => e.message == message);
    expect(named('controller boom')).toHaveLength(1);
    expect(named('controller boom')[0]).toMatchObject({ type: 'Error', mechanism: 'angularjs', handled: false, route: '/boom' });
    expect(named('controller boom')[0].count ?? 1).toBe(1);
    expect(named('outside the digest')).toHaveLength(1);
    expect(named('outside the digest')[0]).toMatchObject({ mechanism: 'onerror' });
    const [afterFailures] = named('after failed requests');
    expect(afterFailures).toMatchObject({ mechanism: 'angularjs' });
    const crumbs = afterFailures.breadcrumbs!.map((b) => `${b.category}: ${b.message}`);
    // One breadcrumb per failed request: the agent's for the XHR, the integration's for JSONP.
    expect(crumbs.filter((c) => c.includes('/api/fail'))).toEqual(['http: GET /api/fail?id= 500']);
    expect(crumbs.filter((c) => c.includes('/api/jsonp'))).toEqual(['http: JSONP /api/jsonp?fail= 404']);
  });

  it('ngRoute: an error that the app rethrows from $exceptionHandler is stored once', { timeout: 30_000 }, async () => {
    const release = browser + '-rethrow';
    const tab = await open();
    await tab.goto(`${origin}/ng?release=${release}&rethrow=1#!/`);
    await sentOne(tab, "e.route == '/'");
    await tab.click('#explode');
    await sentOne(tab, "e.message == 'clicked boom'");
    // Sent after the integration's own timer for that error has run.
    await tab.evaluate("setTimeout(function () { Lookout.captureMessage('sentinel'); }, 50)");
    await sentOne(tab, "e.message == 'sentinel'");
    const { errors } = await stored(tab, release);
    const booms = errors.filter((e) => e.message == 'clicked boom');
    expect(booms).toHaveLength(1);
    expect(booms[0].count ?? 1).toBe(1);
    // Reported by the agent from window.onerror, not a second time by the integration.
    expect(booms[0].mechanism).toBe('onerror');
    expect(await tab.evaluate('captured')).toEqual([]);
  });

  it('ui-router: a transition with a resolve and a controller request, and a failed one', { timeout: 30_000 }, async () => {
    const release = browser + '-uirouter';
    const tab = await open();
    await tab.goto(`${origin}/ui?release=${release}#!/`);
    await sentOne(tab, "e.route == '/' && e.type == 'route'");
    const go = (state: string, params = '{}') => 
      // Not awaited: a failed transition rejects, and that is the point of one of them.
      tab.evaluate(`angular.element(document.body).injector().get('$state').go('${state}', ${params}).catch(function () {}), 0`);
    await go('app.user', '{ id: 7 }');
    await sentOne(tab, "e.route == '/app/users/:id'");
    await go('broken');
    await sentOne(tab, "e.route == '/broken'");

    const { navigations } = await stored(tab, release);
    const [user] = routeChange(navigations, '/app/users/:id');
    expect(user).toMatchObject({ type: 'route', from_route: '/', requests: 2 });
    // The resolve's 200 ms timer and request, then the controller's: the router is done after the first.
    expect(user.router_duration).toBeGreaterThanOrEqual(200 + DELAY_MS);
    expect(user.duration).toBeGreaterThanOrEqual(200 + 2 * DELAY_MS);
    expect(user.router_duration).toBeLessThan(user.duration);
    expect(routeChange(navigations, '/broken', 'failed')).toHaveLength(1);
  });
}

describe('AngularJS integration in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => void (browser = await launchChromium()), 30_000);
  afterAll(() => browser?.close());
  scenarios(() => browser.newPage() as Promise<Tab>, 'chromium');
});

describe('AngularJS integration in Firefox', () => {
  let browser: Awaited<ReturnType<typeof launchFirefox>>;
  beforeAll(async () => void (browser = await launchFirefox()), 30_000);
  afterAll(() => browser?.close());
  scenarios(() => browser.newPage() as unknown as Promise<Tab>, 'firefox');
});
