/**
 * The size budget of lookout-angularjs.min.js, what the AngularJS integration adds on top of
 * lookout.min.js: built here with the repo's rollup config (deterministic, nothing read from dist/).
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { rollup } from 'rollup';
import { expect, it } from 'vitest';
// @ts-expect-error -- the rollup config is plain JavaScript without types
import { agentAngularJsIife } from '../../rollup.config.mjs';

/** 1 KiB, brotli quality 11: the budget of a framework integration in the agent's issue. */
const BUDGET_BYTES = 1024;

it('lookout-angularjs.min.js is at most 1 KiB brotli, and does not bundle the agent again', { timeout: 60_000 }, async () => {
  const bundle = await rollup({ ...agentAngularJsIife, onwarn: () => {} });
  const code: string = (await bundle.generate(agentAngularJsIife.output)).output[0].code;
  await bundle.close();
  // One string per feature, so that a build which lost one is not measured as a win.
  for (const feature of ['$exceptionHandler', '$routeChangeStart', '$transitions', 'notifyWhenNoOutstandingRequests', 'JSONP'])
    expect(code, feature).toContain(feature);
  expect(code).not.toContain('XMLHttpRequest'); // the agent's request instrumentation
  const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`lookout-angularjs.min.js: ${code.length} B minified, ${brotli} B brotli (budget ${BUDGET_BYTES} B)`);
  expect(brotli).toBeLessThanOrEqual(BUDGET_BYTES);
});
