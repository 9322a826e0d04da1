/**
 * Type declarations of the npm package (dist/agent/), written next to the builds they
 * describe: esm/*.d.ts and cjs/*.d.cts (a CommonJS consumer under `moduleResolution: node16`
 * must get CommonJS-flavoured declarations, or TypeScript reports the package as ESM-only).
 *
 * TypeScript emits them from agent/src with protocol/wire.ts (the event types `beforeSend`
 * sees) as they sit in the repo; the files are then moved to the package's layout, agent/src/
 * at the top and protocol/ beside it, with their relative imports rewritten to match.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The package's entry points (see the exports of dist/agent/package.json in rollup.config.mjs). */
export const DECLARED_ENTRIES = ['index', 'loader', 'presto', 'angular/index', 'angularjs/index'];

const compilerOptions = {
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  strict: true,
  skipLibCheck: true,
  verbatimModuleSyntax: true,
  types: [],
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: root,
  // Nothing is written there: the files are caught in memory below.
  declarationDir: path.join(root, '.declarations'),
};

/** Where a declaration emitted for repo path `file` goes in the package, or undefined. */
function packagePath(file) {
  if (file.startsWith('agent/src/')) return file.slice('agent/src/'.length);
  if (file.startsWith('protocol/')) return file;
}

/** `spec`, written in repo file `from`, rewritten for that file's place in the package. */
function rewriteSpecifier(from, spec) {
  if (!spec.startsWith('.')) return spec;
  const target = packagePath(path.posix.join(path.posix.dirname(from), spec));
  if (!target) throw new Error(`declaration of ${from} imports ${spec}, outside the package`);
  const relative = path.posix.relative(path.posix.dirname(packagePath(from)), target);
  return relative.startsWith('.') ? relative : './' + relative;
}

/** Emits the declarations into `outDir`/esm and `outDir`/cjs; returns the package paths written. */
export function emitAgentDeclarations(outDir = path.join(root, 'dist/agent')) {
  const entries = DECLARED_ENTRIES.map((entry) => path.join(root, 'agent/src', entry + '.ts')).filter((file) => existsSync(file));
  const program = ts.createProgram(entries, compilerOptions);
  const written = [];
  const result = program.emit(
    undefined,
    (fileName, text) => {
      const repoFile = path.relative(compilerOptions.declarationDir, fileName).split(path.sep).join('/');
      const target = packagePath(repoFile);
      if (!target) throw new Error(`unexpected declaration ${repoFile}`);
      const rewrite = (cjs) =>
        text.replace(/(from\s+|import\s*\(\s*)(['"])([^'"]+)\2/g, (_, lead, quote, spec) => {
          const rewritten = rewriteSpecifier(repoFile.replace(/\.d\.ts$/, '.ts'), spec);
          return lead + quote + (cjs ? rewritten.replace(/\.js$/, '.cjs') : rewritten) + quote;
        });
      for (const [dir, file, cjs] of [['esm', target, false], ['cjs', target.replace(/\.d\.ts$/, '.d.cts'), true]]) {
        const out = path.join(outDir, dir, file);
        mkdirSync(path.dirname(out), { recursive: true });
        writeFileSync(out, rewrite(cjs));
        written.push(`${dir}/${file}`);
      }
    },
    undefined,
    true,
  );
  if (result.emitSkipped) throw new Error('agent declarations: ' + ts.formatDiagnostics(result.diagnostics, ts.createCompilerHost({})));
  return written;
}

/** Rollup plugin: writes the declarations once the library builds are written. */
export const agentDeclarations = () => ({
  name: 'agent-declarations',
  writeBundle() {
    emitAgentDeclarations();
  },
});
