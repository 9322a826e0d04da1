/**
 * The dashboard in real headless Chromium: a page signed in through the link `lookout serve`
 * prints, with everything that would go wrong silently collected — console errors, uncaught
 * exceptions, CSP violations, dialogs — and screenshots written to test-results/dashboard/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startBanner } from '../../collector/src/banner.js';
import type { TestCollector } from '../support/test-collector.js';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results/dashboard');

export interface WatchedPage {
  page: Page;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
  dialogs: string[];
}

/** The "Dashboard:" link of the start banner, as a newcomer copies it. */
export function printedDashboardUrl(collector: TestCollector): string {
  const line = startBanner(collector, collector.config).split('\n').find((text) => text.trim().startsWith('Dashboard:'));
  const url = line?.match(/https?:\/\/\S+/)?.[0];
  if (!url) throw new Error(`the start banner has no dashboard link:\n${startBanner(collector, collector.config)}`);
  return url;
}

export async function watch(page: Page): Promise<WatchedPage> {
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  // CSP violations are also console errors; the event says which directive.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { page, problems, dialogs };
}

export async function signedIn(browser: Browser, collector: TestCollector): Promise<WatchedPage> {
  const watched = await watch(await browser.newPage({ viewport: { width: 1280, height: 900 } }));
  await watched.page.goto(printedDashboardUrl(collector));
  await watched.page.waitForURL((url) => !url.search.includes('token='));
  await ready(watched.page);
  return watched;
}

/** Waits until the view on screen has its first data (components/view.tsx sets data-ready). */
export async function ready(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForSelector('main[data-ready="true"]', { timeout });
}

/** Client-side navigation through the main menu, as a user clicks it. */
export async function openView(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
  await page.waitForFunction((name) => document.querySelector('main h1')?.textContent?.includes(name), label);
  await ready(page);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export function expectNoProblems(watched: WatchedPage): void {
  expect(watched.problems, 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  expect(watched.dialogs, 'dialogs opened').toEqual([]);
}
