/**
 * The dashboard's size budget (≤ 100 KB of JavaScript, brotli) and the page's shape the CSP
 * relies on: built here with the repo's own rollup config (deterministic, nothing read from dist/).
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { rollup } from 'rollup';
import { expect, it } from 'vitest';
// @ts-expect-error -- the rollup config is plain JavaScript without types
import { dashboard } from '../../rollup.config.mjs';

const BUDGET_BYTES = 100 * 1024;

it('all dashboard JavaScript is at most 100 KB brotli, and the page has no inline script or style', { timeout: 120_000 }, async () => {
  const bundle = await rollup({ ...dashboard, onwarn: () => {} });
  const { output } = await bundle.generate(dashboard.output);
  await bundle.close();
  const chunks = output.filter((file: any) => file.type === 'chunk');
  const code = chunks.map((chunk: any) => chunk.code).join('\n');
  // Guard against measuring a build that lost a part: uPlot (its legend class), and each view's API.
  for (const part of ['u-legend', '/api/session', '/issues', '/vitals/series', '/live', '/alerts/rules', '/install']) expect(code, part).toContain(part);

  const brotli = chunks.reduce((sum: number, chunk: any) => sum + brotliCompressSync(chunk.code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0);
  console.log(`dashboard JavaScript: ${code.length} bytes minified, ${brotli} bytes brotli (budget ${BUDGET_BYTES})`);
  expect(brotli).toBeLessThanOrEqual(BUDGET_BYTES);

  const page = output.find((file: any) => file.fileName === 'index.html') as any;
  const html = String(page.source);
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(html).not.toMatch(/\sstyle=/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
});
