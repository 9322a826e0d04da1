/**
 * The npm package's type declarations (agent/declarations.mjs, run by `rollup -c`): emitted
 * here into a temporary folder, then used by a typed ESM consumer and a CommonJS one, the way
 * an app's compiler would. Wrong calls must be type errors, so declarations that turned into
 * `any` fail too.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript without types
import { DECLARED_ENTRIES, emitAgentDeclarations } from '../../agent/declarations.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let out = '';

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'lookout-types-'));
  emitAgentDeclarations(out);
}, 60_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

/** Type errors of `files`, as text (empty when it compiles). */
function typeErrors(files: string[], options: ts.CompilerOptions): string {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    // The package depends on typebox for its event types; the test folder has no node_modules.
    paths: { '@sinclair/typebox': [join(repo, 'node_modules/@sinclair/typebox')] },
    ...options,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => out, getNewLine: () => '\n' });
}

describe('agent type declarations', () => {
  it('are written next to the ESM and CJS builds for every entry', () => {
    for (const entry of DECLARED_ENTRIES as string[]) {
      if (!existsSync(join(repo, 'agent/src', entry + '.ts'))) continue;
      expect(existsSync(join(out, 'esm', entry + '.d.ts')), entry).toBe(true);
      expect(existsSync(join(out, 'cjs', entry + '.d.cts')), entry).toBe(true);
    }
    expect(existsSync(join(out, 'esm/protocol/wire.d.ts'))).toBe(true);
  });

  it('type an ESM consumer: the API, its options and the events beforeSend sees', async () => {
    const declarations = await readFile(join(out, 'esm/index.d.ts'), 'utf8');
    for (const name of ['init', 'captureException', 'captureMessage', 'setUser', 'setTag', 'addBreadcrumb', 'flush', 'Options'])
      expect(declarations).toMatch(new RegExp(`\\b${name}\\b`));
    const consumer = join(out, 'consumer.ts');
    await writeFile(
      consumer,
      `import { init, captureException, captureMessage, setUser, setTag, addBreadcrumb, flush, type Options } from './esm/index.js';
const options: Options = {
  dsn: 'https://key@lookout.example.com/1',
  release: '1.0.0',
  sampleRate: 0.5,
  ignoreErrors: ['ResizeObserver', /^Noise/],
  beforeSend: (event) => (event.kind == 'error' && event.message.includes('secret') ? null : event),
};
init(options);
captureException(new Error('x'), { tags: { a: 'b' }, handled: false });
captureMessage('hello', { level: 'warning', tags: { a: 'b' } });
setUser({ id: 7 });
setTag('plan', 'pro');
addBreadcrumb({ category: 'ui', message: 'clicked' });
const done: Promise<void> = flush();
void done;
// @ts-expect-error -- dsn is required
init({ release: '1' });
// @ts-expect-error -- not a level
captureMessage('hello', { level: 'loud' });
// @ts-expect-error -- tags are strings
setTag('n', { nested: true });
`,
    );
    expect(typeErrors([consumer], { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022 })).toBe('');
  });

  it('type a CommonJS consumer through the .d.cts files', async () => {
    const consumer = join(out, 'consumer.cts');
    await writeFile(
      consumer,
      `import lookout = require('./cjs/index.cjs');
lookout.init({ dsn: 'https://key@lookout.example.com/1' });
// @ts-expect-error -- not a function of the agent
lookout.nothingLikeThis();
`,
    );
    expect(typeErrors([consumer], { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022 })).toBe('');
  });
});
