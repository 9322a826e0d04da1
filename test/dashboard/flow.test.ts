/**
 * The newcomer's path through the dashboard, in real Chromium against a real collector: sign in
 * with the printed link, open the Angular demo, navigate and crash a view, watch the error arrive
 * in the live tail, open its issue, see the frame mapped to the demo's TypeScript source and the
 * navigation breadcrumb, resolve it, and find the route in the performance table.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browsers.js';
import { until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { expectNoProblems, openView, printedDashboardUrl, ready, screenshot, signedIn } from './dashboard-helpers.js';

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

it('sign in, demo error, live tail, issue with its mapped frame and breadcrumb, resolve, performance', { timeout: 180_000 }, async () => {
  expect(printedDashboardUrl(collector)).toBe(`${collector.url}/?token=test-admin-token`);
  const dashboard = await signedIn(browser, collector);
  const { page } = dashboard;
  expect(new URL(page.url()).search, 'the token left the address bar').toBe('');
  expect(new URL(page.url()).pathname).toBe('/issues');
  await screenshot(page, 'flow-1-issues-empty');

  await openView(page, 'Live');
  const demo = await browser.newPage();
  await demo.goto(`${collector.url}/demo/angular/`);
  await demo.click('#go-user');
  await demo.waitForSelector('#user-name:has-text("User 42")');
  await demo.click('#throw-user');
  await demo.waitForTimeout(300);
  await demo.goto('about:blank'); // pagehide flushes the agent's queue
  await demo.close();

  const message = 'Demo: user view crashed for 42';
  await page.getByText(message).first().waitFor({ timeout: 20_000 });
  await screenshot(page, 'flow-2-live');

  await openView(page, 'Issues');
  await page.getByRole('link', { name: new RegExp(message) }).first().click();
  await page.waitForURL(/\/issues\/[0-9a-f]{16}$/);
  await ready(page);
  const issueId = new URL(page.url()).pathname.split('/').pop()!;
  const main = page.locator('main');
  // The frame in UserPage.crash, mapped through the demo's source map to its TypeScript.
  await expect.poll(() => main.innerText(), { timeout: 10_000 }).toMatch(/main\.ts/);
  const text = await main.innerText();
  expect(text).toMatch(/crash/);
  expect(text, 'the source line of the throw').toContain('user view crashed for');
  expect(text, 'the navigation breadcrumb').toContain('/users/42');
  await screenshot(page, 'flow-3-issue');

  await main.getByRole('button', { name: /^Resolve$/ }).click();
  await until(async () => (await collector.api(`/api/1/issues/${issueId}`)).issue.status === 'resolved', 'the issue resolved', 10_000);
  await expect.poll(() => main.innerText()).toMatch(/resolved/i);

  await openView(page, 'Performance');
  await expect.poll(() => main.innerText(), { timeout: 10_000 }).toContain('/users/:id');
  await screenshot(page, 'flow-4-performance');
  expectNoProblems(dashboard);
});
