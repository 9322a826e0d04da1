/**
 * The Angular integration's size budget: 1 KB brotli on top of the agent. Built here with
 * rollup and terser (deterministic, nothing read from dist/), with @angular/* and rxjs left to
 * the app and the agent's core modules external, so only the integration's own code counts;
 * terser with the compress options of the agent's own builds.
 */
import { brotliCompressSync, constants } from 'node:zlib';
import terserPlugin from '@rollup/plugin-terser';
import typescriptPlugin from '@rollup/plugin-typescript';
import { rollup, type Plugin } from 'rollup';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- the rollup config is plain JavaScript without types
import { angularPeers } from '../../rollup.config.mjs';

// Their types declare CommonJS default exports, which NodeNext does not see as callable.
const typescript = typescriptPlugin as unknown as (options: object) => Plugin;
const terser = terserPlugin as unknown as (options: object) => Plugin;

/** 1 KB brotli quality 11, the budget of a framework integration in the agent's issue. */
export const ANGULAR_BUDGET_BYTES = 1024;


async function buildIntegration(): Promise<string> {
  const bundle = await rollup({
    input: 'agent/src/angular/index.ts',
    // Imports of the core resolve to ids outside agent/src/angular/: left out like the peers.
    external: (id, importer) => (angularPeers as RegExp[]).some((peer) => peer.test(id)) || (!!importer && id.startsWith('../')),
    plugins: [
      typescript({
        tsconfig: false,
        include: ['agent/src/**/*.ts', 'protocol/**/*.ts'],
        compilerOptions: { target: 'ES2020', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], strict: true, skipLibCheck: true, declaration: false, sourceMap: false, types: [] },
      }),
    ],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: 'es', plugins: [terser({ ecma: 2020, compress: { passes: 3, unsafe: true, unsafe_arrows: true, unsafe_methods: true, pure_getters: true }, format: { comments: false } })] });
  await bundle.close();
  expect(output.filter((chunk) => chunk.type == 'chunk')).toHaveLength(1);
  return output[0].code;
}

describe('lookout angular integration', () => {
  it('is at most 1 KB brotli on top of the agent, @angular/* external', { timeout: 120_000 }, async () => {
    const code = await buildIntegration();
    // Guards against measuring a build that lost a part: each string belongs to one feature.
    for (const feature of [
      'HttpErrorResponse', // readable HTTP errors
      'ngOriginalError', // unwrapping
      'rejection',
      'whenStable', // route timing ends when the app is stable
      'routeConfig', // route templates
      'runOutsideAngular',
      'markPending',
    ])
      expect(code, feature).toContain(feature);
    // The core stays external: only its import specifiers are in the build, not its code.
    expect(code).not.toContain('sendBeacon');
    expect(code).not.toMatch(/from"@angular\/core"[\s\S]*function ErrorHandler/);

    const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    console.log(`angular integration: ${code.length} B minified, ${brotli} B brotli (budget ${ANGULAR_BUDGET_BYTES} B)`);
    expect(brotli).toBeLessThanOrEqual(ANGULAR_BUDGET_BYTES);
  });
});
