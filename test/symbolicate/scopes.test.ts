/**
 * Enclosing-function names (collector/src/symbolicate/scopes.ts + ParsedMap.scopeName).
 *
 * The fixture app (fixtures/scopes/*.ts) is bundled here with esbuild (minify) and with terser
 * (compress + mangle, over esbuild's unminified bundle and map), and throw and call sites found
 * in the minified output must name their ENCLOSING function with its original name: in every
 * bundler, at whatever column of the statement a browser reports, and in a second build whose
 * mangled names differ.
 */
import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { minify } from 'terser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildScopeIndex,
  buildScopeIndexWithReason,
  createOffThreadParser,
  enclosingFunction,
  parseSourceMap,
  symbolicateFrame,
  type ParsedMap,
  type ScopeIndex,
} from '../../collector/src/symbolicate/index.js';

// ---- building the fixture app --------------------------------------------------------------

const entry = fileURLToPath(new URL('./fixtures/scopes/main.ts', import.meta.url));

interface Bundle {
  name: string;
  code: string;
  map: string;
}

/**
 * Build "b": an unrelated change in main.ts (another export using some functions more often),
 * which changes how often each top-level name is used, so the minifiers pick other names.
 */
const variantB: Plugin = {
  name: 'variant-b',
  setup(b) {
    b.onLoad({ filter: /fixtures[\\/]scopes[\\/]main\.ts$/ }, (args) => ({
      loader: 'ts',
      contents:
        readFileSync(args.path, 'utf8').replace("'build-a'", "'build-b'") +
        `
export const extra = (o: never[]) => [validateOrders(o), validateOrders(o), validateOrders(o), formatTotals(o), formatTotals(o), loadOrders(o[0], []), bootstrap('', [])];
Object.assign((globalThis as Record<string, unknown>).orderApp as object, { extra });
`,
    }));
  },
};

async function esbuildBundle(variant: 'a' | 'b', minifyOutput: boolean): Promise<{ code: string; map: string }> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    minify: minifyOutput,
    sourcemap: 'external',
    sourcesContent: true,
    format: 'iife',
    target: 'es2022',
    outfile: 'app.js',
    write: false,
    logLevel: 'silent',
    plugins: variant === 'b' ? [variantB] : [],
  });
  return {
    code: out.outputFiles.find((f) => f.path.endsWith('.js'))!.text,
    map: out.outputFiles.find((f) => f.path.endsWith('.map'))!.text,
  };
}

async function buildApp(variant: 'a' | 'b'): Promise<Bundle[]> {
  const esb = await esbuildBundle(variant, true);
  const plain = await esbuildBundle(variant, false);
  const ter = await minify(
    { 'app.js': plain.code },
    { compress: true, mangle: true, sourceMap: { content: plain.map, includeSources: true } },
  );
  return [
    { name: `esbuild-${variant}`, ...esb },
    { name: `terser-${variant}`, code: ter.code!, map: ter.map as string },
  ];
}

// ---- finding sites in the minified output --------------------------------------------------

interface Site {
  line0: number;
  /** Columns (0-based) of different tokens of the one statement: what different browsers report. */
  cols: number[];
}

/** A `throw new Error('<tag>…')`: columns of `throw`, `new` and `Error`. */
function throwSite(code: string, tag: string): Site {
  const lines = code.split('\n');
  const line0 = lines.findIndex((l) => l.includes(tag));
  expect(line0, `${tag} in the bundle`).toBeGreaterThanOrEqual(0);
  const text = lines[line0];
  expect(text.indexOf(tag)).toBe(text.lastIndexOf(tag));
  const throwCol = text.lastIndexOf('throw', text.indexOf(tag));
  const newCol = text.indexOf('new Error', throwCol);
  expect(throwCol).toBeGreaterThanOrEqual(0);
  return { line0, cols: [throwCol, newCol, newCol + 4] };
}

/** A unique call `x.<method>(…)`: columns of the receiver `x`, the method name, and the `(`. */
function callSite(code: string, method: string): Site {
  const lines = code.split('\n');
  const needle = `.${method}(`;
  const line0 = lines.findIndex((l) => l.includes(needle));
  expect(line0, `${needle} in the bundle`).toBeGreaterThanOrEqual(0);
  const text = lines[line0];
  expect(text.indexOf(needle)).toBe(text.lastIndexOf(needle));
  const dot = text.indexOf(needle);
  let receiver = dot;
  while (receiver > 0 && /[\w$]/.test(text[receiver - 1])) receiver--;
  return { line0, cols: [receiver, dot + 1, dot + 1 + method.length] };
}

/** Original enclosing-function name expected at each site; null = anonymous callback. */
const THROWS: [tag: string, expected: string | null][] = [
  ['E_CTOR', 'OrderService'], // constructor → its class
  ['E_FETCH', 'OrderService.fetch'], // class method, qualified by its class
  ['E_SIZE', 'OrderService.size'], // getter
  ['E_NESTED', 'formatLine'], // arrow inside an arrow (const formatTotals = … => { const formatLine = … })
  ['E_ASSIGNED', 'onSubmit'], // handlers.onSubmit = function () {…}
  ['E_OBJECT_METHOD', 'retry'], // { retry() {…} }
  ['E_OBJECT_PROPERTY', 'parse'], // { parse: function () {…} }
  ['E_CALLBACK', null], // orders.forEach((order) => { throw … }): the innermost function is anonymous
];
const CALLS: [method: string, expected: string][] = [
  ['fetch', 'loadOrders'], // service.fetch(id) in loadOrders: the token there is the CALLEE `fetch`
  ['create', 'bootstrap'], // OrderService.create(url) in the default-exported bootstrap()
  ['retry', 'bootstrap'],
];

function namesAt(map: ParsedMap, site: Site): (string | null)[] {
  return site.cols.map((c) => map.scopeName(site.line0, c));
}

// ---- the app, two bundlers, two builds -----------------------------------------------------

describe('enclosing function names on a bundled TypeScript app', () => {
  let bundles: Bundle[];
  const maps = new Map<string, ParsedMap>();
  beforeAll(async () => {
    bundles = [...(await buildApp('a')), ...(await buildApp('b'))];
    for (const b of bundles) maps.set(b.name, parseSourceMap(b.map, {}, b.code));
  });

  it('indexes every bundle', () => {
    for (const b of bundles) {
      const m = maps.get(b.name)!;
      expect(m.data.scopesSkipped, b.name).toBeUndefined();
      expect(m.data.scopes, b.name).toBeDefined();
    }
  });

  for (const name of ['esbuild-a', 'terser-a', 'esbuild-b', 'terser-b']) {
    it(`${name}: throw sites name the enclosing function, at every column of the statement`, () => {
      const b = bundles.find((x) => x.name === name)!;
      const m = maps.get(name)!;
      for (const [tag, expected] of THROWS) {
        const site = throwSite(b.code, tag);
        expect(namesAt(m, site), `${name} ${tag}`).toEqual(site.cols.map(() => expected));
      }
    });

    it(`${name}: call sites name the caller, not the callee`, () => {
      const b = bundles.find((x) => x.name === name)!;
      const m = maps.get(name)!;
      for (const [method, expected] of CALLS) {
        const site = callSite(b.code, method);
        expect(namesAt(m, site), `${name} .${method}(`).toEqual(site.cols.map(() => expected));
      }
    });
  }

  it('the two builds mangle differently, and name every site the same', () => {
    for (const bundler of ['esbuild', 'terser']) {
      const [a, b] = [`${bundler}-a`, `${bundler}-b`].map((n) => bundles.find((x) => x.name === n)!);
      const minifiedNames = (x: Bundle) =>
        [...THROWS.map(([tag]) => throwSite(x.code, tag)), ...CALLS.map(([m]) => callSite(x.code, m))].map((s) => {
          const f = enclosingFunction(maps.get(x.name)!.data.scopes!, s.line0, s.cols[0]);
          return `${f?.owner?.minifiedName ?? ''}.${f?.minifiedName ?? ''}`;
        });
      // The test means something only if the builds differ in their mangled names.
      expect(minifiedNames(a), bundler).not.toEqual(minifiedNames(b));
      const resolved = (x: Bundle) =>
        [...THROWS.map(([tag]) => throwSite(x.code, tag)), ...CALLS.map(([m]) => callSite(x.code, m))].map((s) =>
          maps.get(x.name)!.scopeName(s.line0, s.cols[0]),
        );
      expect(resolved(a), bundler).toEqual(resolved(b));
    }
  });

  it('symbolicateFrame: function from the enclosing scope, with scope = "enclosing"', () => {
    const b = bundles.find((x) => x.name === 'esbuild-a')!;
    const m = maps.get(b.name)!;
    const site = callSite(b.code, 'fetch');
    const frames = site.cols.map((c) => symbolicateFrame(m, { function: 'n', line: site.line0 + 1, column: c + 1 }));
    for (const f of frames) {
      expect(f).toMatchObject({ status: 'mapped', file: expect.stringContaining('orders.ts'), function: 'loadOrders', scope: 'enclosing' });
    }
    // Without the minified code: the token at the column (the callee, when the map names it) or
    // the minified name — which differ by column, i.e. by browser.
    const plain = parseSourceMap(b.map);
    expect(plain.data.scopes).toBeUndefined();
    const fallback = site.cols.map((c) => symbolicateFrame(plain, { function: 'n', line: site.line0 + 1, column: c + 1 }));
    for (const f of fallback) {
      if (f.status === 'mapped') expect(f.scope === 'token' || f.scope === 'minified').toBe(true);
      if (f.status === 'mapped') expect(f.function).not.toBe('loadOrders');
    }
  });

  it('an anonymous callback is not named after the function around it; the frame falls back', () => {
    const b = bundles.find((x) => x.name === 'terser-a')!;
    const m = maps.get(b.name)!;
    const site = throwSite(b.code, 'E_CALLBACK');
    const f = enclosingFunction(m.data.scopes!, site.line0, site.cols[0]);
    expect(f).toMatchObject({ minifiedName: null, nameLine0: -1, nameCol0: -1, name: null });
    const frame = symbolicateFrame(m, { function: 'validateOrders/<', line: site.line0 + 1, column: site.cols[0] + 1 });
    expect(frame.status).toBe('mapped');
    if (frame.status !== 'mapped') return;
    expect(frame.scope).not.toBe('enclosing');
  });

  it('top-level code has no enclosing function', () => {
    const m = parseSourceMap('{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}', {}, 'let a = 1;\nfunction f() { return a; }\n');
    expect(m.scopeName(0, 4)).toBeNull();
    expect(enclosingFunction(m.data.scopes!, 0, 4)).toBeNull();
    expect(enclosingFunction(m.data.scopes!, 1, 16)).toMatchObject({ minifiedName: 'f', nameLine0: 1, nameCol0: 9 });
  });

  describe('off-thread', () => {
    const parser = createOffThreadParser();
    afterAll(() => parser.close());

    it('builds the index in the worker (string or transferred bytes) with the same answers', async () => {
      const b = bundles.find((x) => x.name === 'terser-a')!;
      const inThread = maps.get(b.name)!;
      const fromString = await parser.parse(b.map, { minified: b.code });
      const mapBytes = new Uint8Array(Buffer.from(b.map));
      const codeBytes = new Uint8Array(Buffer.from(b.code));
      const fromBytes = await parser.parse(mapBytes, { minified: codeBytes, transfer: true });
      expect(codeBytes.byteLength).toBe(0); // transferred
      for (const m of [fromString, fromBytes]) {
        expect(m.data.scopes).toEqual(inThread.data.scopes);
        for (const [tag] of THROWS) {
          const s = throwSite(b.code, tag);
          expect(m.scopeName(s.line0, s.cols[1])).toBe(inThread.scopeName(s.line0, s.cols[1]));
        }
      }
      const plain = await parser.parse(b.map);
      expect(plain.data.scopes).toBeUndefined();
    });

    it('a parse error or an over-size source leaves the index out, not the map', async () => {
      const b = bundles.find((x) => x.name === 'esbuild-a')!;
      const bad = await parser.parse(b.map, { minified: `${b.code}\n)(` });
      expect(bad.data.scopes).toBeUndefined();
      expect(bad.data.scopesSkipped).toMatch(/does not parse/);
      const small = createOffThreadParser({ limits: { maxScopeSourceBytes: 100 } });
      try {
        const big = await small.parse(b.map, { minified: b.code });
        expect(big.data.scopes).toBeUndefined();
        expect(big.data.scopesSkipped).toMatch(/over the scope index limit of 100/);
        expect(big.data.segmentCount).toBeGreaterThan(0);
      } finally {
        await small.close();
      }
    });
  });

  it('in-thread: a parse error or an over-size source falls back to the token names without throwing', () => {
    const b = bundles.find((x) => x.name === 'esbuild-a')!;
    const site = callSite(b.code, 'fetch');
    const frame = { function: 'n', line: site.line0 + 1, column: site.cols[1] + 1 };
    const expected = symbolicateFrame(parseSourceMap(b.map), frame);
    for (const m of [
      parseSourceMap(b.map, {}, 'function ('),
      parseSourceMap(b.map, {}, new Uint8Array([0xff, 0xfe, 0x28])),
      parseSourceMap(b.map, { maxScopeSourceBytes: 1000 }, b.code),
    ]) {
      expect(m.data.scopes).toBeUndefined();
      expect(m.data.scopesSkipped).toEqual(expect.any(String));
      expect(m.scopeName(site.line0, site.cols[1])).toBeNull();
      expect(symbolicateFrame(m, frame)).toEqual(expected);
    }
  });
});

// ---- scopes.ts on hand-written code --------------------------------------------------------

/** Name of the innermost function at the first occurrence of `marker` (a comment in `code`). */
function nameAt(index: ScopeIndex, code: string, marker: string): string | null | undefined {
  const at = code.indexOf(marker);
  if (at < 0) throw new Error(`marker ${marker} not in code`);
  const before = code.slice(0, at).split(/\r\n|\r|\n|\u2028|\u2029/);
  const f = enclosingFunction(index, before.length - 1, before[before.length - 1].length);
  if (!f) return undefined; // top level
  return f.owner ? `${f.owner.minifiedName}.${f.minifiedName}` : f.minifiedName;
}

describe('buildScopeIndex', () => {
  it('names functions by id, declarator, key, class member and assignment target', () => {
    const code = `
      function decl() { /*decl*/ }
      const arrow = () => { /*arrow*/ };
      let expr = function own() { /*own*/ };
      var anonExpr = function () { /*anonExpr*/ };
      const obj = { prop: function () { /*prop*/ }, method() { /*method*/ }, get g() { /*getter*/ return 1 },
        set s(v) { /*setter*/ }, 'quoted key': () => { /*quoted*/ }, 7: () => { /*numeric*/ }, [Symbol.iterator]() { /*computed*/ },
        ['lit']() { /*computedLiteral*/ } };
      class Cls extends Object { constructor() { super(); /*ctor*/ } m() { /*cm*/ } static st() { /*static*/ }
        #priv() { /*private*/ } field = () => { /*field*/ }; get acc() { /*cget*/ return 0 } }
      const Named = class Inner { constructor() { /*ctorExpr*/ } run() { /*runExpr*/ } };
      const anonClass = class { constructor() { /*ctorAnon*/ } };
      a.b.c = function () { /*member*/ };
      a['d'] = () => { /*memberLiteral*/ };
      assigned = () => { /*assigned*/ };
      function withDefault(cb = () => { /*default*/ }) {}
      call(() => { /*callback*/ });
      export default function () { /*exportDefault*/ }
      async function* gen() { await x; /*generator*/ }
    `;
    const index = buildScopeIndex(code)!;
    expect(index).not.toBeNull();
    const expected: Record<string, string | null> = {
      decl: 'decl',
      arrow: 'arrow',
      own: 'own',
      anonExpr: 'anonExpr',
      prop: 'prop',
      method: 'method',
      getter: 'g',
      setter: 's',
      quoted: 'quoted key',
      numeric: '7',
      computed: null,
      computedLiteral: 'lit',
      ctor: 'Cls',
      cm: 'Cls.m',
      static: 'Cls.st',
      private: 'Cls.#priv',
      field: 'Cls.field',
      cget: 'Cls.acc',
      // A class expression is named by its declarator first (bundlers emit `var A = class _A`).
      ctorExpr: 'Named',
      runExpr: 'Named.run',
      ctorAnon: 'anonClass',
      member: 'c',
      memberLiteral: 'd',
      assigned: 'assigned',
      default: 'cb',
      callback: null,
      exportDefault: null,
      generator: 'gen',
    };
    for (const [marker, name] of Object.entries(expected)) expect(nameAt(index, code, `/*${marker}*/`), marker).toBe(name);
    expect(nameAt(index, code, 'const arrow')).toBeUndefined();
  });

  it('finds the innermost function; positions between inner functions belong to the outer one', () => {
    const code = 'function outer(){/*a*/const inner=()=>{/*b*/const deepest=x=>{/*c*/};/*d*/};/*e*/}/*f*/';
    const index = buildScopeIndex(code)!;
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((m) => nameAt(index, code, `/*${m}*/`))).toEqual([
      'outer',
      'inner',
      'deepest',
      'inner',
      'outer',
      undefined,
    ]);
  });

  it('counts lines like browsers (\\n, \\r\\n, \\r, U+2028, U+2029) and drops a leading BOM', () => {
    const code = '\uFEFFfunction a(){}\r\nfunction b(){/*b*/}\rfunction c(){/*c*/}\u2028function d(){/*d*/}\u2029function e(){/*e*/}\nfunction f(){/*f*/}';
    const index = buildScopeIndex(code)!;
    const noBom = code.slice(1);
    for (const m of ['b', 'c', 'd', 'e', 'f']) expect(nameAt(index, noBom, `/*${m}*/`), m).toBe(m);
    expect(enclosingFunction(index, 0, 14)).toBeNull(); // just past `function a(){}` (ends are exclusive)
    expect(enclosingFunction(index, 0, 12)).toMatchObject({ minifiedName: 'a', nameLine0: 0, nameCol0: 9 });
    // Bytes: UTF-8 decoded, BOM dropped too.
    expect(buildScopeIndex(Buffer.from(code))).toEqual(index);
  });

  it('parses scripts that are not modules, hashbangs, top-level return and await', () => {
    for (const code of [
      'with (o) { function f() { /*x*/ } }', // sloppy-mode only
      'var let = 1; function f() { /*x*/ }',
      '#!/usr/bin/env node\nfunction f() { /*x*/ }',
      'function f() { /*x*/ }\nreturn;',
      'await 1; function f() { /*x*/ }',
    ]) {
      const index = buildScopeIndex(code);
      expect(index, code).not.toBeNull();
      expect(nameAt(index!, code, '/*x*/'), code).toBe('f');
    }
  });

  it('returns null, never throws, on a parse error or over the size limit', () => {
    expect(buildScopeIndex('function (')).toBeNull();
    expect(buildScopeIndexWithReason('function (').reason).toMatch(/does not parse as a module .* nor as a script/);
    expect(buildScopeIndex('function f() {}', { maxBytes: 5 })).toBeNull();
    expect(buildScopeIndexWithReason('function f() {}', { maxBytes: 5 }).reason).toMatch(/over the scope index limit of 5/);
    expect(buildScopeIndex('')).toEqual(expect.objectContaining({ text: '' }));
  });

  it('is typed arrays plus one string: survives structuredClone', () => {
    const index = buildScopeIndex('const a = { b() {} }; class C { d() {} }')!;
    const clone = structuredClone(index, { transfer: [index.functions.buffer, index.tokens.buffer] });
    expect(clone.functions).toBeInstanceOf(Int32Array);
    expect(enclosingFunction(clone, 0, 16)).toMatchObject({ minifiedName: 'b' });
    expect(enclosingFunction(clone, 0, 36)).toMatchObject({ minifiedName: 'd', owner: { minifiedName: 'C' } });
  });
});
