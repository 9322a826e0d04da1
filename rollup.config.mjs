// Root build. Export an array: other parts of the repo add their own configs here.
// The browser agent's configs are self-contained below (agentConfigs).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { agentDeclarations } from './agent/declarations.mjs';
import { dashboardPage } from './dashboard/build.mjs';

const rootPackage = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const webVitalsVersion = JSON.parse(readFileSync(new URL('./node_modules/web-vitals/package.json', import.meta.url), 'utf8')).version;

/** Browsers the agent runs in: ES2020 (Chrome 80, Firefox 74, Safari 13.1). */
const agentTypescript = () =>
  typescript({
    tsconfig: false,
    include: ['agent/src/**/*.ts', 'protocol/**/*.ts'],
    compilerOptions: {
      target: 'ES2020',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      strict: true,
      skipLibCheck: true,
      verbatimModuleSyntax: true,
      declaration: false,
      sourceMap: false,
      types: [],
    },
  });

const agentTerser = () =>
  terser({
    ecma: 2020,
    // hoist_funs: for bytes only (function declarations are hoisted by the language anyway).
    // unsafe_comps: `a <= b` as `!(a > b)`, unsafe only for operands whose valueOf has effects;
    // unsafe_regexp: regex constants inlined (none of the agent's keeps lastIndex state).
    compress: { passes: 3, unsafe: true, unsafe_arrows: true, unsafe_methods: true, unsafe_comps: true, unsafe_regexp: true, pure_getters: true, hoist_funs: true },
    // web-vitals keeps its internal state in "_name" properties; nothing outside it reads them.
    mangle: { properties: { regex: /^_[a-zA-Z]/ } },
    // Start-up cost (bench:agent): V8 compiles functions lazily, on the main thread, at their first
    // call; the bundle's IIFE and every function init calls were compiled so. The compile hint
    // (Chromium 136+; must open the file) has them all compiled while the script streams in, off the
    // main thread; the parenthesised IIFE is compiled eagerly by engines without it (V8's PIFE rule).
    format: { comments: false, wrap_iife: true, preamble: '//# allFunctionsCalledOnLoad' },
  });

/**
 * The npm package is dist/agent/ itself: this writes its package.json (exports for ESM and
 * CJS, web-vitals as a dependency), so the repo needs no agent/package.json to keep in sync
 * and the published package holds only built files.
 */
const agentPackageJson = () => ({
  name: 'agent-package-json',
  writeBundle() {
    // Each format with its own declarations (agent/declarations.mjs), `types` first as Node wants.
    const entry = (name) => ({
      import: { types: `./esm/${name}.d.ts`, default: `./esm/${name}.js` },
      require: { types: `./cjs/${name}.d.cts`, default: `./cjs/${name}.cjs` },
    });
    const pkg = {
      name: '@lookout/agent',
      version: '0.1.0',
      description: 'Lookout browser agent: errors, Web Vitals and SPA navigations',
      license: 'Apache-2.0',
      type: 'module',
      main: './cjs/index.cjs',
      module: './esm/index.js',
      types: './esm/index.d.ts',
      unpkg: './lookout.min.js',
      exports: { '.': entry('index'), './loader': entry('loader'), './presto': entry('presto'), './angularjs': entry('angularjs/index'), './angular': entry('angular/index'), './lookout.min.js': './lookout.min.js' },
      sideEffects: ['./esm/presto.js', './cjs/presto.cjs'],
      // typebox for the declarations only: the event types (protocol/wire.ts) are its `Static<>`s.
      dependencies: { 'web-vitals': '^' + webVitalsVersion, '@sinclair/typebox': rootPackage.dependencies['@sinclair/typebox'] },
      // Only the `angular` entry needs them, and Angular apps have them.
      peerDependencies: Object.fromEntries(angularPeerPackages.map((name) => [name, name == 'rxjs' ? '^7.4.0' : '>=19.0.0'])),
      peerDependenciesMeta: Object.fromEntries(angularPeerPackages.map((name) => [name, { optional: true }])),
    };
    mkdirSync('dist/agent', { recursive: true });
    writeFileSync('dist/agent/package.json', JSON.stringify(pkg, null, 2) + '\n');
  },
});

/**
 * web-vitals from its per-module build, without soft-navigation support: the agent times
 * SPA route changes itself and never passes `reportSoftNavs`, so that code is dead weight.
 * Turning its feature check into a constant lets terser drop every branch behind it.
 */
const webVitalsWithoutSoftNavs = () => ({
  name: 'web-vitals-without-soft-navs',
  resolveId(id) {
    if (id == 'web-vitals') return fileURLToPath(new URL('./node_modules/web-vitals/dist/modules/index.js', import.meta.url));
  },
  load(id) {
    if (id.replaceAll('\\', '/').endsWith('web-vitals/dist/modules/lib/softNavs.js'))
      return 'export const checkSoftNavsEnabled = () => false; export const storeSoftNavEntry = () => {};';
    // Metric ids are never sent; web-vitals only compares them (onLCP), so any unique string does.
    if (id.replaceAll('\\', '/').endsWith('web-vitals/dist/modules/lib/generateUniqueID.js'))
      return "export const generateUniqueID = () => '' + Math.random();";
    // Managers are shared per options object for the attribution build; the agent's calls share none.
    if (id.replaceAll('\\', '/').endsWith('web-vitals/dist/modules/lib/initUnique.js')) return 'export const initUnique = (_, C) => new C();';
  },
  // A metric's navigationType is never 'soft-navigation' then.
  // What only soft navigations use goes too: handlers of entry types observed for them alone, and
  // the metrics' navigationId/InteractionId/URL/StartTime (the agent sends none of them).
  transform(code, id) {
    if (id.replaceAll('\\', '/').includes('web-vitals/dist/modules/'))
      return code
        .replace(/(entry\.entryType|navigationType) === '(soft-navigation|interaction-contentful-paint)'/g, 'false')
        .replace(/, metric\.navigationId, metric\.navigationInteractionId, metric\.navigationURL, getBFCacheRestoreTime\(\)/g, '')
        .replace(/\n *navigation(Id|InteractionId|URL|StartTime): .*,/g, '')
        .replace(/\n *metric\.navigationId = .*;|, navigationId = 0, navigationInteractionId, navigationURL, navigationStartTime/g, '')
        // The attribution build's hooks into the entry managers.
        .replace(/\n *(this\.)?_(on[A-Za-z]+|softNavigationEntryMap)(\?\.\(\w+\))?;/g, '');
  },
});

/** The script-tag build: everything bundled, global `Lookout`. The size test builds this one. */
export const agentIife = {
  input: 'agent/src/iife.ts',
  output: { file: 'dist/agent/lookout.min.js', format: 'iife', name: 'Lookout', exports: 'named', freeze: false, strict: false, plugins: [agentTerser()] },
  plugins: [webVitalsWithoutSoftNavs(), nodeResolve({ browser: true }), agentTypescript()],
};

/** The Angular integration's imports: the app's own copies, never bundled. */
const angularPeerPackages = ['@angular/core', '@angular/common', '@angular/router', 'rxjs'];
export const angularPeers = [/^@angular\//, /^rxjs(\/|$)/];

/** npm builds: one file per module (tree-shakeable), web-vitals left to the app's bundler. */
const agentLibrary = (format, dir, ext) => ({
  input: { index: 'agent/src/index.ts', loader: 'agent/src/loader.ts', presto: 'agent/src/presto.ts', 'angularjs/index': 'agent/src/angularjs/index.ts', 'angular/index': 'agent/src/angular/index.ts' },
  external: ['web-vitals', ...angularPeers],
  output: { dir, format, exports: 'named', preserveModules: true, preserveModulesRoot: 'agent/src', entryFileNames: '[name].' + ext },
  plugins: [agentTypescript()],
});

/**
 * AngularJS integration for script-tag apps: registers the `lookout` module on
 * window.angular and reports to the global `Lookout` (the agent is not bundled again).
 * Its own terser options: the agent's mangles `_`-properties, and ui-router's `_cache` is read.
 */
export const agentAngularJsIife = {
  input: 'agent/src/angularjs/iife.ts',
  output: {
    file: 'dist/agent/lookout-angularjs.min.js',
    format: 'iife',
    freeze: false,
    strict: false,
    plugins: [terser({ ecma: 2020, compress: { passes: 3, unsafe_arrows: true }, format: { comments: false } })],
  },
  plugins: [agentTypescript()],
};

export const agentConfigs = [
  agentIife,
  agentAngularJsIife,
  agentLibrary('es', 'dist/agent/esm', 'js'),
  { ...agentLibrary('cjs', 'dist/agent/cjs', 'cjs'), plugins: [agentTypescript(), agentPackageJson(), agentDeclarations()] },
];

/**
 * The source-map tools as a package of their own (dist/sourcemaps-tool, packed by `npm run
 * build` to dist/lookout-sourcemaps.tgz and served by every collector at
 * /tools/lookout-sourcemaps.tgz): a build installs it from its own collector, version-matched,
 * without pulling the collector's dependencies (chDB, fastify, …). Node built-ins only.
 */
const sourcemapsToolPackageJson = () => ({
  name: 'sourcemaps-tool-package-json',
  writeBundle() {
    const pkg = {
      name: '@lookout/sourcemaps',
      version: rootPackage.version,
      description: 'Lookout source-map tools: debug IDs (inject), upload, and a rollup/Vite plugin',
      license: rootPackage.license,
      type: 'module',
      engines: { node: '>=20' },
      bin: { 'lookout-sourcemaps': './lookout-sourcemaps.js' },
      exports: { './rollup': './rollup.js' },
      peerDependencies: { rollup: '>=3' },
      peerDependenciesMeta: { rollup: { optional: true } },
    };
    writeFileSync('dist/sourcemaps-tool/package.json', JSON.stringify(pkg, null, 2) + '\n');
  },
});

export const sourcemapsTool = {
  input: { 'lookout-sourcemaps': 'sourcemaps/src/bin.ts', rollup: 'sourcemaps/src/rollup-plugin.ts' },
  external: [/^node:/, 'rollup'],
  output: {
    dir: 'dist/sourcemaps-tool',
    format: 'es',
    banner: (chunk) => (chunk.name == 'lookout-sourcemaps' ? '#!/usr/bin/env node' : ''),
    chunkFileNames: 'lib/[name].js',
  },
  plugins: [
    typescript({
      tsconfig: false,
      include: ['sourcemaps/src/**/*.ts', 'protocol/**/*.ts'],
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2023'], strict: true, skipLibCheck: true, verbatimModuleSyntax: true, declaration: false, sourceMap: false, types: ['node'] },
    }),
    sourcemapsToolPackageJson(),
  ],
};

/**
 * The dashboard (Preact + uPlot), served by the collector at /: dist/dashboard/index.html and
 * hashed files under assets/. Evergreen browsers only (ES2022).
 */
export const dashboard = {
  input: 'dashboard/src/main.tsx',
  output: {
    dir: 'dist/dashboard',
    format: 'es',
    entryFileNames: 'assets/app-[hash].js',
    chunkFileNames: 'assets/[name]-[hash].js',
    assetFileNames: 'assets/[name]-[hash][extname]',
    plugins: [terser({ ecma: 2022, module: true, compress: { passes: 2 }, format: { comments: false } })],
  },
  plugins: [
    dashboardPage({ outDir: 'dist/dashboard' }),
    nodeResolve({ browser: true }),
    typescript({
      tsconfig: false,
      // Types only, shared with the API's side: the certificate shapes and the frame statuses.
      include: ['dashboard/src/**/*.ts', 'dashboard/src/**/*.tsx', 'protocol/**/*.ts', 'certs/src/contract.ts', 'collector/src/symbolicate/status.ts'],
      compilerOptions: {
        target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2023', 'DOM', 'DOM.Iterable'], strict: true, skipLibCheck: true,
        verbatimModuleSyntax: true, jsx: 'react-jsx', jsxImportSource: 'preact', declaration: false, sourceMap: false, types: [],
      },
    }),
  ],
};

// LOOKOUT_BUILD=dashboard builds the dashboard alone (while working on it).
export default process.env.LOOKOUT_BUILD === 'dashboard' ? [dashboard] : [...agentConfigs, sourcemapsTool, dashboard];
