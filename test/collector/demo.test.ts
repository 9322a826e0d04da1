/**
 * The /demo/ a newcomer opens: both apps in real Chromium, reporting to the collector that
 * serves them — what they send is stored, with the frameworks' mechanisms and route templates.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browsers.js';
import { storedEvents, until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

let collector: TestCollector;
let browser: Browser;
beforeAll(async () => {
  collector = await startTestCollector();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await collector?.stop();
});

it('serves a landing page linking both demos', async () => {
  const page = await browser.newPage();
  await page.goto(`${collector.url}/demo/`);
  expect(await page.locator('a[href="/demo/angularjs/"]').count()).toBe(1);
  expect(await page.locator('a[href="/demo/angular/"]').count()).toBe(1);
  expect(await page.locator('pre').textContent()).toContain(`${collector.url}/api/1/events`);
  await page.close();
});

/** Opens one demo app, throws in the framework, navigates to the slow user route, leaves; returns what was stored. */
async function runDemo(path: string, throwButton: string): Promise<{ error: any; route: any }> {
  const page = await browser.newPage();
  await page.goto(`${collector.url}${path}`);
  await page.waitForSelector(throwButton);
  await page.click(throwButton);
  await page.click('#go-user');
  await page.waitForSelector('#user-name:has-text("User 42")');
  await page.waitForTimeout(300);
  await page.goto('about:blank'); // pagehide flushes the agent's queue
  await page.close();
  const isRoute = (e: any) => e.kind === 'navigation' && e.type === 'route' && e.route === '/users/:id' && e.url.includes(path);
  const events: any[] = await until(async () => {
    const stored = await storedEvents(collector);
    return stored.some(isRoute) && stored;
  }, `the route change of ${path}`, 15_000);
  return { error: events.find((e) => e.kind === 'error' && e.url.includes(path) && e.type === 'TypeError'), route: events.find(isRoute) };
}

it('the AngularJS demo reports its errors and route changes', async () => {
  const { error, route } = await runDemo('/demo/angularjs/', '#throw-controller');
  expect(error, 'the controller error').toMatchObject({ mechanism: 'angularjs', release: 'demo@1.0.0', environment: 'demo' });
  expect(route.duration).toBeGreaterThanOrEqual(300); // waited for the slow user API
  expect(route.requests).toBeGreaterThanOrEqual(1);
});

it('the Angular demo reports its errors and route changes', async () => {
  const { error, route } = await runDemo('/demo/angular/', '#throw-inside');
  expect(error, 'the click-handler error').toMatchObject({ mechanism: 'angular' });
  expect(route.duration).toBeGreaterThanOrEqual(300);
  expect(route.router_duration).toBeGreaterThanOrEqual(300); // the resolver waited for the API
});
