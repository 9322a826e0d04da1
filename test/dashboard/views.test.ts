/**
 * Every main view in Chromium with data in it: a screenshot of each (test-results/dashboard/),
 * axe-core's accessibility rules (every control labelled, names, contrast, landmarks), keyboard
 * use (the skip link, the menu and a view's controls reached with Tab), deep links, sign-out.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../support/browsers.js';
import { mixedBatch } from '../support/events.js';
import { until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { expectNoProblems, openView, ready, screenshot, signedIn } from './dashboard-helpers.js';

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let collector: TestCollector;
let browser: Browser;
let issueId: string;
let simulation: string;
beforeAll(async () => {
  collector = await startTestCollector();
  browser = await launchChromium();
  const now = Date.now();
  for (let i = 0; i < 12; i++) expect((await collector.ingest(mixedBatch(i, 20, now - i * 600_000))).status).toBe(202);
  issueId = await until(async () => (await collector.api('/api/1/issues')).issues[0]?.id, 'an issue', 15_000);
  // Two load-test runs, as `lookout load run --report-to` sends them, for the Releases view.
  const summary = JSON.parse(readFileSync(new URL('../synthetic/fixtures/run-summary.json', import.meta.url), 'utf8'));
  for (const [index, label] of ['v1.4.1', 'v1.4.2'].entries()) {
    const startedAt = now - (2 - index) * 3600_000;
    const response = await fetch(`${collector.url}/api/1/load-runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector.config.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...summary, label, startedAt, endedAt: startedAt + summary.durationMs }),
    });
    expect(response.status).toBe(201);
  }
  simulation = summary.simulation;
});
afterAll(async () => {
  await browser?.close();
  await collector?.stop();
});

async function axeViolations(page: Page): Promise<string[]> {
  // axe goes in as an inline script, which the page's CSP forbids: evaluated through the
  // DevTools protocol instead (page.evaluate is not subject to the CSP).
  await page.evaluate(readFileSync(axeSource, 'utf8'));
  const result = await page.evaluate(async () => (window as any).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations.map((violation: any) => `${violation.id}: ${violation.help} (${violation.nodes.map((node: any) => node.target.join(' ')).slice(0, 3).join(', ')})`);
}

const VIEWS = ['Issues', 'Performance', 'Releases', 'Live', 'Alerts', 'Certificates', 'Projects'];

it('each view renders its data, passes axe-core, and has a screenshot', { timeout: 180_000 }, async () => {
  const watched = await signedIn(browser, collector);
  const { page } = watched;
  const report: Record<string, string[]> = {};
  for (const view of VIEWS) {
    await openView(page, view);
    if (view === 'Releases') {
      // The load-test runs beside the release timeline, with their labels.
      await page.getByRole('heading', { name: 'Load tests' }).waitFor();
      const text = await page.locator('main').innerText();
      for (const shown of [simulation, 'v1.4.1', 'v1.4.2']) expect(text).toContain(shown);
    }
    await screenshot(page, `view-${view.toLowerCase()}`);
    report[view] = await axeViolations(page);
  }
  await page.goto(`${collector.url}/issues/${issueId}`);
  await ready(page);
  await screenshot(page, 'view-issue-detail');
  report['Issue detail'] = await axeViolations(page);
  expect(report).toEqual(Object.fromEntries(Object.keys(report).map((view) => [view, []])));
  expectNoProblems(watched);
});

it('works from the keyboard: skip link, menu, a view’s controls', { timeout: 60_000 }, async () => {
  const watched = await signedIn(browser, collector);
  const { page } = watched;
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
  await page.keyboard.press('Enter');
  // Tab from the top until the menu's Performance link has focus, then open it with Enter.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  let focused = '';
  for (let i = 0; i < 20 && focused !== 'Performance'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
  }
  expect(focused).toBe('Performance');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/performance$/);
  await ready(page);
  // Every focusable control in the view has an accessible name.
  const unnamed = await page.locator('main').evaluate((main) =>
    [...main.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea')]
      .filter((element) => !element.hasAttribute('disabled'))
      .filter((element) => {
        const labelled = element.getAttribute('aria-label') || element.getAttribute('aria-labelledby') || (element as HTMLInputElement).labels?.length || element.textContent?.trim() || element.getAttribute('title');
        return !labelled;
      })
      .map((element) => element.outerHTML.slice(0, 120)),
  );
  expect(unnamed).toEqual([]);
  expectNoProblems(watched);
});

it('deep links open after sign-in, and sign-out ends the session', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${collector.url}/issues/${issueId}`);
  await page.getByLabel(/token/i).fill('test-admin-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await ready(page);
  expect(new URL(page.url()).pathname).toBe(`/issues/${issueId}`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel(/token/i).waitFor();
  const status = await page.evaluate(async () => (await fetch('/api/1/issues')).status);
  expect(status).toBe(401);
  await context.close();
});
