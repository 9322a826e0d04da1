/**
 * The HTML report opens offline in headless Chromium from file://: its four uPlot charts are
 * drawn (non-blank canvases), the statistics table has a row per global/group/request, and a
 * request name made of markup stays text. A screenshot goes to test-results/load-report/.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../synthetic/src/contract.js';
import { writeReports } from '../../synthetic/src/report/index.js';
import { launchChromium } from '../support/browsers.js';

const fixture = JSON.parse(await readFile(new URL('./fixtures/run-summary.json', import.meta.url), 'utf8')) as RunSummary;
const SCREENSHOTS = resolve('test-results/load-report');
const HOSTILE = '</script><script>alert(1)</script>';
const HOSTILE_REASON = '<img src=x onerror="alert(2)"><!-- status.in(200-299, 304) but was 500';

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(resolve('test-results'), 'load-report-tmp-'));
  await mkdir(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens a written report; collects console errors, page errors and dialogs (alert() would be one). */
async function open(summary: RunSummary, name: string) {
  const files = await writeReports(summary, join(dir, name));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) problems.push(`network: ${request.url()}`);
  });
  await page.goto(pathToFileURL(files.html).href);
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
  return { page, problems, files };
}

/** Per uPlot canvas: its size and how many pixels are not fully transparent. */
const canvasInk = () =>
  [...document.querySelectorAll<HTMLCanvasElement>('.uplot canvas')].map((canvas) => {
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) inked++;
    return { chart: canvas.closest('section')!.id, width: canvas.width, height: canvas.height, inked };
  });

describe('HTML report', () => {
  it('opens offline with its charts drawn, the statistics, errors and assertions', async () => {
    const { page, problems } = await open(fixture, 'fixture');
    try {
      const ink = await page.evaluate(canvasInk);
      expect(ink.map((canvas) => canvas.chart)).toEqual(['chart-percentiles', 'chart-throughput', 'chart-users', 'chart-distribution']);
      for (const canvas of ink) {
        expect(canvas.width).toBeGreaterThan(300);
        // Axes, grid and series: thousands of pixels, not a blank canvas.
        expect(canvas.inked, canvas.chart).toBeGreaterThan(2000);
      }
      // Series legends name what each chart draws.
      const legends = await page.$$eval('#chart-percentiles .u-legend .u-series .u-label', (labels) => labels.map((label) => label.textContent));
      expect(legends).toEqual(expect.arrayContaining(['p50', 'p95', 'p99', 'max']));

      const rows = await page.$$eval('table.stats tbody tr', (trs) => (trs as HTMLTableRowElement[]).map((tr) => ({ kind: tr.getAttribute('data-kind'), cells: [...tr.cells].map((td) => td.textContent) })));
      expect(rows).toHaveLength(1 + fixture.groups.length + fixture.requests.length);
      expect(rows[0]).toMatchObject({ kind: 'global', cells: expect.arrayContaining(['Global', '33,426', '180']) });
      // Gatling's layout: requests outside groups, then each group with its requests and inner groups.
      expect(rows.map((row) => `${row.kind}:${row.cells[0]}`)).toEqual([
        'global:Global',
        'request:Home page',
        'group:Log in',
        'request:Login form',
        'request:Log in',
        'group:Browse',
        'request:Open requests',
        'request:Request details',
        'group:Search',
        'request:Search "laptop"',
      ]);
      const details = rows.find((row) => row.cells[0] === 'Request details')!;
      // count, OK, KO, KO %, req/s, min, p50, p75, p95, p99, max, mean, std dev
      expect(details.cells.slice(1)).toEqual(['24,480', '24,327', '153', '0.63 %', '408.00', '5.95', '17.0', '23.8', '44.2', '69.7', '165', '21.3', '13.6']);

      const errors = await page.$$eval('table.errors tbody tr', (trs) => (trs as HTMLTableRowElement[]).map((tr) => [...tr.cells].map((td) => td.textContent)));
      expect(errors[0]).toEqual(['status.in(200-299, 304) but was 500', '120', '66.67 %']);
      const assertions = await page.$$eval('table.assertions tbody tr', (trs) => (trs as HTMLTableRowElement[]).map((tr) => ({ result: tr.cells[0].textContent, message: tr.cells[3].textContent })));
      expect(assertions.map((a) => a.result)).toEqual(['passed', 'failed', 'passed']);
      expect(assertions[1].message).toMatch(/percentage of failed requests is 0\.539 %, expected less than 0\.5 %/);
      expect(await page.textContent('#title')).toBe('CheckoutSimulation');
      expect(await page.textContent('#facts')).toContain('release-2026.11.3+g1a2b3c4');

      await page.screenshot({ path: join(SCREENSHOTS, 'report.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows markup in request names and error reasons as text, and runs none of it', async () => {
    const hostile: RunSummary = structuredClone(fixture);
    hostile.simulation = `<b>${HOSTILE}</b>`;
    hostile.requests[0].name = HOSTILE;
    hostile.errors[0].reason = HOSTILE_REASON;
    hostile.assertions[1].message = `${HOSTILE} <!--`;
    const { page, problems, files } = await open(hostile, 'hostile');
    try {
      const html = await readFile(files.html, 'utf8');
      // The JSON block carries `<` as \u003c: the only closing script tags are the page's own three.
      expect(html.match(/<\/script/gi)).toHaveLength(3);
      expect(await page.evaluate(() => document.scripts.length)).toBe(3);
      expect(await page.$$eval('table.stats tbody tr', (trs) => (trs as HTMLTableRowElement[]).map((tr) => tr.cells[0].textContent))).toContain(HOSTILE);
      expect(await page.$eval('table.errors tbody tr td', (td) => td.textContent)).toBe(HOSTILE_REASON);
      expect(await page.$$('main img')).toHaveLength(0);
      expect(await page.textContent('#title')).toBe(`<b>${HOSTILE}</b>`);
      expect(await page.title()).toBe(`<b>${HOSTILE}</b> — load test report`);
      expect(await page.evaluate(canvasInk)).toHaveLength(4);
      await page.screenshot({ path: join(SCREENSHOTS, 'report-hostile-names.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('draws a run without timeline or failures: no-data notes instead of charts, no errors', async () => {
    const empty: RunSummary = { ...structuredClone(fixture), timeline: [], distribution: [], errors: [], assertions: [], groups: [], requests: [] };
    const { page, problems } = await open(empty, 'empty');
    try {
      expect(await page.evaluate(canvasInk)).toEqual([]);
      expect(await page.textContent('#errors')).toContain('No failed requests.');
      expect(await page.textContent('#assertions')).toContain('No assertions declared.');
      expect(await page.$$('table.stats tbody tr')).toHaveLength(1);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
