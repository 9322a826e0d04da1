/**
 * The Certificates view in real Chromium: the empty state says what to do, a target added through
 * the labelled form is checked and shows its state, days left and chain, with a screenshot.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectNoProblems, openView, screenshot, signedIn } from '../dashboard/dashboard-helpers.js';
import { launchChromium } from '../support/browsers.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { startSwappableServer, type SwappableServer } from './collector-support.js';
import { createPki, type Pki } from './pki.js';

let pki: Pki;
let server: SwappableServer;
let collector: TestCollector;
let browser: Browser;

beforeAll(async () => {
  pki = await createPki();
  const inter = await pki.intermediate({ name: 'inter' });
  server = await startSwappableServer(await pki.leaf({ name: 'www', sans: ['www.test'], issuer: inter, days: 20 }), [inter]);
  collector = await startTestCollector((config) => {
    config.certs.caFile = pki.root.certPath;
    config.certs.timeoutMs = 3000;
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await collector?.stop();
  await server?.close();
  await pki?.cleanup();
});

it('empty state, add a target with the form, see its days left, verdicts and chain', async () => {
  const watched = await signedIn(browser, collector);
  const { page } = watched;
  await openView(page, 'Certificates');
  await expect(page.getByRole('heading', { name: 'No certificate is watched yet' }).isVisible()).resolves.toBe(true);

  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill(String(server.port));
  await page.getByLabel('Server name (SNI, optional)').fill('www.test');
  await page.getByRole('button', { name: 'Add target' }).click();
  const row = page.getByRole('row', { name: new RegExp(`127\\.0\\.0\\.1:${server.port}`) });
  await row.waitFor();
  // The first check runs at once; "Check now" waits for another and reloads the list.
  await page.getByRole('button', { name: `Check 127.0.0.1:${server.port} now` }).click();
  await page.getByRole('cell', { name: /^(19|20) days$/ }).waitFor({ timeout: 15_000 });
  await expect(row.getByText('warning', { exact: true }).isVisible()).resolves.toBe(true);
  // One target: its detail is open — the verdict in plain language, the chain, the fingerprint history.
  await expect(page.getByRole('table', { name: 'Chain' }).isVisible()).resolves.toBe(true);
  await expect(page.getByRole('cell', { name: 'CN=www.test' }).first().isVisible()).resolves.toBe(true);
  await page.getByRole('heading', { name: 'Certificates seen' }).waitFor();
  await screenshot(page, 'certificates');
  expectNoProblems(watched);
}, 60_000);
