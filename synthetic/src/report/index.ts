/**
 * The reports of a run, written into one folder: `index.html` (self-contained, opens offline),
 * `summary.json` (the RunSummary as is) and `junit.xml` (one test case per assertion).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunSummary } from '../contract.js';
import { loadReportAssets, reportHtml } from './html.js';
import { junitXml } from './junit.js';

export { sendSummary, type SendSummaryOptions } from './send.js';
export { junitXml } from './junit.js';
export { reportHtml } from './html.js';

export interface ReportFiles {
  html: string;
  json: string;
  junit: string;
}

export async function writeReports(summary: RunSummary, dir: string): Promise<ReportFiles> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  const files = { html: join(folder, 'index.html'), json: join(folder, 'summary.json'), junit: join(folder, 'junit.xml') };
  const assets = await loadReportAssets();
  await Promise.all([
    writeFile(files.html, reportHtml(summary, assets)),
    writeFile(files.json, `${JSON.stringify(summary, null, 2)}\n`),
    writeFile(files.junit, junitXml(summary)),
  ]);
  return files;
}
