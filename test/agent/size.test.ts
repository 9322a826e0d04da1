/**
 * The size budget of the script-tag build, everything it captures by default included:
 * built here with the repo's own rollup config (deterministic, nothing read from dist/).
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { rollup } from 'rollup';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- the rollup config is plain JavaScript without types
import { agentIife } from '../../rollup.config.mjs';

/** 7 KiB, brotli quality 11: the budget in the agent's issue. */
export const BUDGET_BYTES = 7 * 1024;

describe('lookout.min.js', () => {
  it('is at most 7 KiB brotli with all default capture in it', { timeout: 120_000 }, async () => {
    const bundle = await rollup({ ...agentIife, onwarn: () => {} });
    const { output } = await bundle.generate(agentIife.output);
    await bundle.close();
    const code: string = output[0].code;

    // Guard against measuring a build that lost a feature: each of these strings belongs
    // to one thing the agent captures by default.
    for (const feature of [
      'unhandledrejection', // errors
      'crossorigin', // "Script error." hint
      'ui.click', // breadcrumbs
      'XMLHttpRequest', // request breadcrumbs and route-change waiting
      'pushState', // route changes
      'largest-contentful-paint', // web-vitals
      'layout-shift',
      'keepalive', // transport
      'Retry-After',
      'localStorage',
    ])
      expect(code, feature).toContain(feature);
    // V8's explicit compile hint (Chromium 136+): every function compiled eagerly while the script
    // streams in, off the main thread, instead of lazily as init first calls it (bench:agent).
    expect(code.startsWith('//# allFunctionsCalledOnLoad\n')).toBe(true);

    const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    console.log(`lookout.min.js: ${code.length} B minified, ${brotli} B brotli (budget ${BUDGET_BYTES} B)`);
    expect(brotli).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
