/**
 * Event data is text: errors, URLs, routes, tags, breadcrumbs and releases carrying markup,
 * `<script>` or `javascript:` URLs are sent through the real ingest route, and every dashboard
 * view that shows them is opened in Chromium — nothing runs, nothing is blocked by the CSP
 * (which would mean something tried), no link points at `javascript:`, and the markup is on screen
 * as the characters it is.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browsers.js';
import { until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { expectNoProblems, openView, ready, screenshot, signedIn } from './dashboard-helpers.js';

/** Each payload, if it ever ran, would set window.__pwned. */
const PAYLOADS = {
  script: '<script>window.__pwned="script"</script>',
  img: '<img src=x onerror="window.__pwned=\'img\'">',
  svg: '<svg onload="window.__pwned=\'svg\'"></svg>',
  js: 'javascript:window.__pwned="href"',
  attr: '" onmouseover="window.__pwned=\'attr\'" x="',
};
const ALL = Object.values(PAYLOADS).join(' ');

let collector: TestCollector;
let browser: Browser;
let issueId: string;

beforeAll(async () => {
  collector = await startTestCollector();
  browser = await launchChromium();
  const now = Date.now();
  const common = {
    timestamp: now,
    url: PAYLOADS.js,
    release: `web@1.0.0${PAYLOADS.img}`,
    environment: `prod${PAYLOADS.svg}`,
    session_id: 's-1',
    page_view_id: 'pv-1',
    route: `/users/${PAYLOADS.script}`,
    tags: { [`plan${PAYLOADS.attr}`]: PAYLOADS.img, note: PAYLOADS.js },
  };
  const events = [
    {
      kind: 'error',
      event_id: crypto.randomUUID(),
      ...common,
      type: `TypeError${PAYLOADS.svg}`,
      message: ALL,
      stack: `TypeError: ${PAYLOADS.script}\n    at render${PAYLOADS.img} (${PAYLOADS.js}:1:10)`,
      frames: [{ function: `render${PAYLOADS.img}`, file: `https://shop.example.com/${PAYLOADS.script}.js`, line: 1, column: 10 }],
      mechanism: 'onerror',
      handled: false,
      breadcrumbs: [
        { timestamp: now - 1000, category: `navigation${PAYLOADS.svg}`, message: `/ → ${PAYLOADS.script}` },
        { timestamp: now - 500, category: 'ui.click', message: PAYLOADS.js, level: 'info' },
      ],
    },
    { kind: 'vital', event_id: crypto.randomUUID(), ...common, name: 'LCP', value: 3100, rating: 'needs-improvement', target: PAYLOADS.img },
    { kind: 'navigation', event_id: crypto.randomUUID(), ...common, type: 'route', duration: 420, from_route: PAYLOADS.svg },
  ];
  const response = await collector.ingest({ sdk: { name: 'xss-test', version: '1' }, events });
  expect(response.status).toBe(202);
  issueId = await until(async () => (await collector.api('/api/1/issues')).issues[0]?.id, 'the issue', 15_000);
});

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
});

it('renders markup, scripts and javascript: URLs in event data as text in every view', { timeout: 120_000 }, async () => {
  const watched = await signedIn(browser, collector);
  const { page } = watched;
  const checkView = async (name: string, shows: string[]) => {
    await ready(page);
    // Hover and focus everything once: attribute-borne handlers would fire now.
    for (const element of await page.locator('main a, main button, main td, main li, main pre').all()) await element.hover({ timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as any).__pwned), `${name}: a payload ran`).toBeUndefined();
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).href));
    expect(hrefs.filter((href) => !/^https?:/.test(href)), `${name}: links that are not http(s)`).toEqual([]);
    expect(await page.locator('main script, main img[src="x"], main svg[onload]').count(), `${name}: elements made from event data`).toBe(0);
    const text = await page.locator('main').innerText();
    for (const shown of shows) expect(text, `${name} shows the characters of ${shown}`).toContain(shown);
    await screenshot(page, `xss-${name}`);
  };

  await checkView('issues', [PAYLOADS.script]);
  await page.goto(`${collector.url}/issues/${issueId}`);
  await checkView('issue-detail', [PAYLOADS.img, `/ → ${PAYLOADS.script}`]);
  await openView(page, 'Performance');
  await checkView('performance', [`/users/${PAYLOADS.script}`]);
  await openView(page, 'Releases');
  await checkView('releases', [`web@1.0.0${PAYLOADS.img}`]);

  await openView(page, 'Live');
  const live = collector.ingest({
    sdk: { name: 'xss-test', version: '1' },
    events: [{ kind: 'error', event_id: crypto.randomUUID(), timestamp: Date.now(), url: PAYLOADS.js, session_id: 's-2', page_view_id: 'pv-2', route: PAYLOADS.svg, type: 'Error', message: `live ${PAYLOADS.script}`, frames: [], mechanism: 'manual', handled: true }],
  });
  expect((await live).status).toBe(202);
  await page.getByText(`live ${PAYLOADS.script}`).first().waitFor({ timeout: 15_000 });
  await checkView('live', [`live ${PAYLOADS.script}`]);
  expectNoProblems(watched);
});
