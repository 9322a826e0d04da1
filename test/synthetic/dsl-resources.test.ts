/**
 * Page resources: inferred from the HTML (scripts, stylesheets, icons, images, on the page's host
 * and on the CDN host), fetched concurrently within a per-host limit, each recorded as
 * `<page> / <path>`; explicit resources under their own names. The target's counters say what
 * was really fetched.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { atOnceUsers, exec, http, httpProtocol, scenario, simulation, status } from '../../synthetic/src/index.js';
import { fetchConcurrently } from '../../synthetic/src/runtime/resources.js';
import { drive, failures } from './dsl-driver.js';
import { PAGE_RESOURCES, startTarget, type Target } from './target.js';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

const allResourcePaths = [...PAGE_RESOURCES.app, ...PAGE_RESOURCES.cdn];

it('inferHtmlResources on the protocol fetches every embedded resource once, CDN included, each as its own record', async () => {
  const scn = scenario('page').exec(http('Home').get('/page')).exec(http('Next').get('/'));
  target.reset();
  let tokens = 0;
  const run = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url).inferHtmlResources(), scenarios: [scn.injectOpen(atOnceUsers(1))] }), {
    throttle: async () => void tokens++,
  });
  expect(failures(run)).toEqual([]);
  // Resources are requests too: each waits for a throttle token.
  expect(tokens).toBe(run.requests.length);
  for (const path of allResourcePaths) expect(target.hits(`GET ${path}`), path).toBe(1);
  expect(target.hits('GET /not-a-resource')).toBe(0);
  const names = run.requests.map((r) => r.name);
  expect(names[0]).toBe('Home');
  expect(names.at(-1)).toBe('Next');
  expect(names.slice(1, -1).sort()).toEqual(allResourcePaths.map((path) => `Home / ${path}`).sort());
  const [page, ...rest] = run.requests;
  const resources = rest.slice(0, -1);
  // The page is its own record; resources are due when it ends; the next step is due when the last one ends.
  for (const resource of resources) {
    expect(resource.intendedStart).toBe(page.end);
    expect(resource.start).toBeGreaterThanOrEqual(page.end);
  }
  expect(run.requests.at(-1)!.intendedStart).toBe(Math.max(...resources.map((r) => r.end)));
  // Resources fetched concurrently: they overlap in time.
  const firstEnd = Math.min(...resources.map((r) => r.end));
  expect(resources.filter((r) => r.start < firstEnd).length).toBeGreaterThan(1);
});

it('is off by default, and can be turned on for one request', async () => {
  const scn = scenario('per request').exec(http('Plain').get('/page')).exec(http('With resources').get('/page').inferHtmlResources());
  target.reset();
  const run = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
  expect(run.requests.filter((r) => r.name.startsWith('Plain / '))).toHaveLength(0);
  expect(run.requests.filter((r) => r.name.startsWith('With resources / '))).toHaveLength(6);
  expect(target.hits('GET /cdn/lib.js')).toBe(1);
});

it('a failing resource is KO on its own record and fails the session; a failed page fetches nothing', async () => {
  const scn = scenario('broken')
    .exec(http('Page').get('/page').inferHtmlResources().resources(http('Missing').get('/status/404'), http('Fine').get(`${target.cdnUrl}/cdn/extra.js`).check(status().is(200))))
    .exitHereIfFailed()
    .exec(http('never').get('/'));
  target.reset();
  const run = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url), scenarios: [scn.injectOpen(atOnceUsers(1))] }));
  expect(failures(run)).toEqual(['status.find.in(200-299, 304), but actually found 404']);
  expect(run.requests.find((r) => !r.ok)!.name).toBe('Missing');
  expect(run.requests.some((r) => r.name === 'Fine' && r.ok)).toBe(true);
  expect(run.requests.some((r) => r.name === 'never')).toBe(false);
  expect(target.hits('GET /cdn/extra.js')).toBe(1);

  target.reset();
  const failedPage = await drive(simulation({ protocol: httpProtocol().baseUrl(target.url).inferHtmlResources(), scenarios: [scenario('p').exec(http('Gone').get('/status/500').resources(http('r').get('/'))).injectOpen(atOnceUsers(1))] }));
  expect(failedPage.requests.map((r) => r.name)).toEqual(['Gone']);
  expect(target.hits('GET /')).toBe(0);
});

it('per-host concurrency is bounded like a browser (6 by default), and hosts proceed independently', async () => {
  let inFlight = new Map<string, number>();
  const peaks = new Map<string, number>();
  const items = [...Array.from({ length: 20 }, (_, i) => ({ host: 'a', i })), ...Array.from({ length: 5 }, (_, i) => ({ host: 'b', i }))];
  const results = await fetchConcurrently(
    items,
    (item) => item.host,
    6,
    async (item) => {
      inFlight.set(item.host, (inFlight.get(item.host) ?? 0) + 1);
      peaks.set(item.host, Math.max(peaks.get(item.host) ?? 0, inFlight.get(item.host)!));
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight.set(item.host, inFlight.get(item.host)! - 1);
      return `${item.host}${item.i}`;
    },
  );
  expect(peaks.get('a')).toBe(6);
  expect(peaks.get('b')).toBe(5);
  expect(results).toEqual(items.map((item) => `${item.host}${item.i}`));
  inFlight = new Map();
});

it('resourceConnectionsPerHost(1) fetches one resource per host at a time; the default fetches them together', async () => {
  const scn = scenario('serial').exec(exec(http('Home').get('/page?delay=40')));
  const runWith = async (perHost?: number) => {
    target.reset();
    let protocol = httpProtocol().baseUrl(target.url).inferHtmlResources();
    if (perHost) protocol = protocol.resourceConnectionsPerHost(perHost);
    await drive(simulation({ protocol, scenarios: [scn.injectOpen(atOnceUsers(1))] }));
    for (const path of allResourcePaths) expect(target.hits(`GET ${path}`)).toBe(1);
    return target.peakInFlight();
  };
  // Each resource takes 40 ms: one per host at a time means the app host and the CDN host overlap, never more.
  expect(await runWith(1)).toBe(2);
  expect(await runWith()).toBeGreaterThanOrEqual(4);
});
