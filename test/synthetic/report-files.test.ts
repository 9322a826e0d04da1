/**
 * summary.json and junit.xml as writeReports leaves them: the summary reads back equal, and the
 * JUnit file is well-formed XML (parsed by Chromium's strict XML parser) with one test case per
 * assertion and a failure for each failed one, whatever characters the names carry.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../synthetic/src/contract.js';
import { writeReports } from '../../synthetic/src/report/index.js';
import { NO_ASSERTIONS_CASE, junitXml } from '../../synthetic/src/report/junit.js';
import { launchChromium } from '../support/browsers.js';

const fixture = JSON.parse(await readFile(new URL('./fixtures/run-summary.json', import.meta.url), 'utf8')) as RunSummary;

interface ParsedJunit {
  error: string | null;
  suites: { name: string; tests: string; failures: string; time: string }[];
  cases: { name: string; classname: string; failure: string | null; failureText: string | null }[];
}

let browser: Browser;
let page: Page;
let dir: string;
beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  dir = await mkdtemp(join(tmpdir(), 'lookout-load-report-'));
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

const parseJunit = (xml: string): Promise<ParsedJunit> =>
  page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    const error = doc.querySelector('parsererror');
    return {
      error: error ? error.textContent : null,
      suites: [...doc.querySelectorAll('testsuite')].map((suite) => ({
        name: suite.getAttribute('name')!,
        tests: suite.getAttribute('tests')!,
        failures: suite.getAttribute('failures')!,
        time: suite.getAttribute('time')!,
      })),
      cases: [...doc.querySelectorAll('testcase')].map((testCase) => ({
        name: testCase.getAttribute('name')!,
        classname: testCase.getAttribute('classname')!,
        failure: testCase.querySelector('failure')?.getAttribute('message') ?? null,
        failureText: testCase.querySelector('failure')?.textContent ?? null,
      })),
    };
  }, xml);

describe('report files', () => {
  it('writes index.html, summary.json (reads back equal) and junit.xml into the folder', async () => {
    const files = await writeReports(fixture, join(dir, 'nested', 'report'));
    expect(files).toEqual({ html: join(dir, 'nested/report/index.html'), json: join(dir, 'nested/report/summary.json'), junit: join(dir, 'nested/report/junit.xml') });
    expect(JSON.parse(await readFile(files.json, 'utf8'))).toEqual(fixture);
    expect(await readFile(files.junit, 'utf8')).toBe(junitXml(fixture));
    const html = await readFile(files.html, 'utf8');
    // Self-contained: uPlot inlined, nothing fetched from anywhere.
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet/);
  });

  it('JUnit: one test case per assertion, a failure with its message for each failed one', async () => {
    const parsed = await parseJunit(junitXml(fixture));
    expect(parsed.error).toBeNull();
    expect(parsed.suites).toEqual([{ name: 'CheckoutSimulation', tests: '3', failures: '1', time: '60.412' }]);
    expect(parsed.cases.map((testCase) => testCase.name)).toEqual(fixture.assertions.map((assertion) => assertion.description));
    expect(parsed.cases.every((testCase) => testCase.classname === 'CheckoutSimulation')).toBe(true);
    expect(parsed.cases.map((testCase) => testCase.failure)).toEqual([null, fixture.assertions[1].message, null]);
    expect(parsed.cases[1].failureText).toBe('global Global: actual 0.539');
  });

  it('JUnit: all assertions passing means no failure elements', async () => {
    const passing: RunSummary = { ...fixture, assertions: fixture.assertions.map((assertion) => ({ ...assertion, passed: true, message: undefined })) };
    const parsed = await parseJunit(junitXml(passing));
    expect(parsed.suites[0]).toMatchObject({ tests: '3', failures: '0' });
    expect(parsed.cases.filter((testCase) => testCase.failure !== null)).toEqual([]);
  });

  it('JUnit: without assertions, one case that fails only when requests failed', async () => {
    const failing = await parseJunit(junitXml({ ...fixture, assertions: [] }));
    expect(failing.suites[0]).toMatchObject({ tests: '1', failures: '1' });
    expect(failing.cases).toEqual([expect.objectContaining({ name: NO_ASSERTIONS_CASE, failure: expect.stringMatching(/^180 of 33426 requests failed \(0\.54 %\)/) })]);

    const clean = await parseJunit(junitXml({ ...fixture, assertions: [], global: { ...fixture.global, ok: fixture.global.count, ko: 0 } }));
    expect(clean.suites[0]).toMatchObject({ tests: '1', failures: '0' });
    expect(clean.cases).toEqual([expect.objectContaining({ name: NO_ASSERTIONS_CASE, failure: null })]);
  });

  it('JUnit: markup, quotes, line breaks and control characters in names stay well-formed and read back', async () => {
    const nasty = 'a "quoted" <b>&amp;</b> \'x\' ]]> \n second line';
    const summary: RunSummary = {
      ...fixture,
      simulation: `Sim <${nasty}>`,
      assertions: [{ description: `Details ${nasty}\u0000\u001b`, scope: 'request', target: nasty, passed: false, actual: 12, message: `</failure><testcase name="injected"/> ${nasty}` }],
    };
    const parsed = await parseJunit(junitXml(summary));
    expect(parsed.error).toBeNull();
    expect(parsed.suites[0].name).toBe(`Sim <${nasty}>`);
    expect(parsed.cases).toHaveLength(1);
    expect(parsed.cases[0].name).toBe(`Details ${nasty}`);
    expect(parsed.cases[0].failure).toBe(`</failure><testcase name="injected"/> ${nasty}`);
  });
});
