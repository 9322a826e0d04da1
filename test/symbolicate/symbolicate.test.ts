import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  SourceMapError,
  createMapCache,
  parseMapData,
  parseSourceMap,
  symbolicateFrame,
  type ParsedMap,
} from '../../collector/src/symbolicate/index.js';

// ---- helpers -------------------------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v) digit |= 32;
    out += B64[digit];
  } while (v);
  return out;
}
/** Segments per generated line, absolute values: [genCol] | [genCol, src, line, col] | [..., name]. */
function encode(lines: number[][][]): string {
  let src = 0, line = 0, col = 0, name = 0;
  return lines
    .map((segs) => {
      let gen = 0;
      return segs
        .map((s) => {
          let out = vlq(s[0] - gen);
          gen = s[0];
          if (s.length >= 4) {
            out += vlq(s[1] - src) + vlq(s[2] - line) + vlq(s[3] - col);
            [src, line, col] = [s[1], s[2], s[3]];
          }
          if (s.length === 5) {
            out += vlq(s[4] - name);
            name = s[4];
          }
          return out;
        })
        .join(',');
    })
    .join(';');
}

const original = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
const simpleMap = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 3,
    sources: ['src/app.ts'],
    sourcesContent: [original],
    names: ['handleClick'],
    // generated line 1: col 0 → src line 10 col 2 named; col 10 → src line 12 col 4; line 2: col 5 → line 1
    mappings: encode([[[0, 0, 9, 2, 0], [10, 0, 11, 4]], [[5, 0, 0, 0]]]),
    ...extra,
  });

function rejection(input: string, limits = {}): SourceMapError {
  try {
    parseSourceMap(input, limits);
  } catch (err) {
    if (err instanceof SourceMapError) return err;
    throw err;
  }
  throw new Error('expected the map to be rejected');
}

// ---- symbolicateFrame -----------------------------------------------------------------------

describe('symbolicateFrame', () => {
  const map = parseSourceMap(simpleMap());

  it('maps a 1-based browser frame to a 1-based original position with ±5 lines of context', () => {
    const r = symbolicateFrame(map, { function: 'a', file: 'https://x/app.min.js', line: 1, column: 1 });
    expect(r).toMatchObject({ status: 'mapped', file: 'src/app.ts', line: 10, column: 3, function: 'handleClick', scope: 'token' });
    if (r.status !== 'mapped') throw new Error();
    expect(r.context).toEqual({
      pre: ['line 5', 'line 6', 'line 7', 'line 8', 'line 9'],
      line: 'line 10',
      post: ['line 11', 'line 12', 'line 13', 'line 14', 'line 15'],
    });
    expect(r.minified).toEqual({ function: 'a', file: 'https://x/app.min.js', line: 1, column: 1 });
  });

  it('uses the greatest lower bound on the line, and the minified name when the map has none', () => {
    const r = symbolicateFrame(map, { function: 'b', line: 1, column: 15 });
    expect(r).toMatchObject({ status: 'mapped', line: 12, column: 5, function: 'b', scope: 'minified' });
    // No name anywhere: null, and so is its source.
    expect(symbolicateFrame(map, { line: 1, column: 15 })).toMatchObject({ function: null, scope: null });
  });

  it('clips context at the start of the file', () => {
    const r = symbolicateFrame(map, { line: 2, column: 6 });
    if (r.status !== 'mapped') throw new Error(r.status);
    expect(r.line).toBe(1);
    expect(r.context.pre).toEqual([]);
    expect(r.context.post).toHaveLength(5);
  });

  it('cuts context lines over 300 characters, keeping a window around the column', () => {
    const long = 'x'.repeat(1000) + 'HERE' + 'y'.repeat(1000);
    const m = parseSourceMap(
      JSON.stringify({ version: 3, sources: ['a.js'], sourcesContent: [`short\n${long}\n${'z'.repeat(400)}`], names: [], mappings: encode([[[0, 0, 1, 1000]]]) }),
    );
    const r = symbolicateFrame(m, { line: 1, column: 1 });
    if (r.status !== 'mapped') throw new Error(r.status);
    expect(r.context.line).toContain('HERE');
    expect(r.context.line.length).toBeLessThanOrEqual(302);
    expect(r.context.line.startsWith('…') && r.context.line.endsWith('…')).toBe(true);
    expect(r.context.post[0]).toBe('z'.repeat(300) + '…');
    expect(r.context.pre).toEqual(['short']);
  });

  it('no_mapping_at_position: before the first segment, past the last line, or no line', () => {
    expect(symbolicateFrame(map, { line: 2, column: 3 }).status).toBe('no_mapping_at_position');
    expect(symbolicateFrame(map, { line: 50, column: 1 }).status).toBe('no_mapping_at_position');
    expect(symbolicateFrame(map, { function: 'f' }).status).toBe('no_mapping_at_position');
  });

  it('no_mapping_at_position for a 1-field segment (generated code with no original)', () => {
    const m = parseSourceMap(JSON.stringify({ version: 3, sources: ['a.js'], names: [], mappings: encode([[[0, 0, 0, 0], [5]]]) }));
    expect(symbolicateFrame(m, { line: 1, column: 7 }).status).toBe('no_mapping_at_position');
    expect(symbolicateFrame(m, { line: 1, column: 2 }).status).toBe('source_missing');
  });

  it('source_missing: mapped position without sourcesContent', () => {
    const m = parseSourceMap(simpleMap({ sourcesContent: undefined }));
    const r = symbolicateFrame(m, { line: 1, column: 11 });
    expect(r).toMatchObject({ status: 'source_missing', file: 'src/app.ts', line: 12, column: 5, reason: expect.stringMatching(/no sourcesContent for src\/app.ts/) });
    expect(r).not.toHaveProperty('context');
  });

  it('applies sourceRoot and reports ignoreList sources', () => {
    const m = parseSourceMap(simpleMap({ sourceRoot: 'webpack://app', ignoreList: [0] }));
    expect(symbolicateFrame(m, { line: 1, column: 1 })).toMatchObject({ file: 'webpack://app/src/app.ts', ignored: true });
  });

  it('maps an esbuild-minified TypeScript bundle back to the TypeScript line, with context', async () => {
    const ts = [
      'export class Cart {',
      '  private items: string[] = [];',
      '  add(item: string): void {',
      '    if (!item) {',
      "      throw new Error('empty item');",
      '    }',
      '    this.items.push(item);',
      '  }',
      '}',
      "new Cart().add('');",
    ].join('\n');
    const out = await build({
      stdin: { contents: ts, sourcefile: 'cart.ts', loader: 'ts' },
      bundle: true,
      minify: true,
      sourcemap: 'external',
      outfile: 'cart.js',
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const m = parseSourceMap(out.outputFiles.find((f) => f.path.endsWith('.map'))!.text);
    const lines = code.split('\n');
    const line = lines.findIndex((l) => l.includes('throw new Error'));
    const column = lines[line].indexOf('throw new Error') + 1;
    const r = symbolicateFrame(m, { function: 'add', line: line + 1, column });
    expect(r).toMatchObject({ status: 'mapped', file: 'cart.ts', line: 5, column: 7 });
    if (r.status !== 'mapped') throw new Error();
    expect(r.context.line).toBe("      throw new Error('empty item');");
    expect(r.context.pre).toHaveLength(4);
  });
});

// ---- index maps ----------------------------------------------------------------------------

describe('index maps (sections)', () => {
  const section = (source: string, content: string, mappings: string) => ({
    version: 3,
    sources: [source],
    sourcesContent: [content],
    names: ['fromB'],
    mappings,
  });
  const indexMap = JSON.stringify({
    version: 3,
    file: 'bundle.js',
    sections: [
      { offset: { line: 0, column: 0 }, map: section('a.ts', 'a0\na1\na2', encode([[[0, 0, 0, 0]], [[0, 0, 2, 0]]])) },
      { offset: { line: 1, column: 20 }, map: section('b.ts', 'b0\nb1', encode([[[0, 0, 1, 0, 0]], [[3, 0, 0, 0]]])) },
    ],
  });
  const map = parseSourceMap(indexMap);

  it('looks up each section with its offset, sources and names', () => {
    expect(symbolicateFrame(map, { line: 1, column: 1 })).toMatchObject({ file: 'a.ts', line: 1 });
    expect(symbolicateFrame(map, { line: 2, column: 5 })).toMatchObject({ file: 'a.ts', line: 3 });
    // Section 2 starts at generated line 2 (1-based), column 21 (1-based).
    expect(symbolicateFrame(map, { line: 2, column: 21 })).toMatchObject({ file: 'b.ts', line: 2, function: 'fromB' });
    expect(symbolicateFrame(map, { line: 3, column: 4 })).toMatchObject({ file: 'b.ts', line: 1, status: 'mapped' });
    expect(map.data.sources).toEqual(['a.ts', 'b.ts']);
  });

  it('rejects overlapping or unordered sections, and mappings next to sections', () => {
    const bad = (sections: unknown[], extra = {}) => rejection(JSON.stringify({ version: 3, sections, ...extra }));
    const s = section('a.ts', '', 'AAAA');
    expect(bad([{ offset: { line: 1, column: 0 }, map: s }, { offset: { line: 0, column: 5 }, map: s }]).message).toMatch(/overlaps or precedes/);
    expect(bad([{ offset: { line: 0, column: 0 }, map: s }], { mappings: 'AAAA' }).message).toMatch(/must not have "mappings"/);
    expect(bad([{ offset: { line: 0 }, map: s }]).message).toMatch(/offset.column/);
  });
});

// ---- rejections ----------------------------------------------------------------------------

describe('map_invalid and map_too_large', () => {
  it('invalid VLQ → map_invalid naming the offset and the digit', () => {
    const err = rejection(simpleMap({ mappings: 'AAAA,SA$A' }));
    expect(err.status).toBe('map_invalid');
    expect(err.message).toMatch(/invalid mappings at offset 7: invalid VLQ: '\$' is not a base64 digit/);
    expect(rejection(simpleMap({ mappings: 'AAAAg' })).message).toMatch(/missing continuation digits/);
  });

  it('out-of-range indexes, bad field counts and non-JSON → map_invalid', () => {
    expect(rejection(simpleMap({ mappings: 'ACAA' })).message).toMatch(/source index 1 out of bounds/);
    expect(rejection(simpleMap({ mappings: 'AAAAC' })).message).toMatch(/name index 1 out of bounds/);
    expect(rejection(simpleMap({ mappings: 'AA' })).message).toMatch(/2 fields/);
    expect(rejection('{"version":3,').status).toBe('map_invalid');
    expect(rejection('[]').message).toMatch(/JSON object/);
    expect(rejection(simpleMap({ version: 2 })).message).toMatch(/"version" must be the number 3/);
  });

  it('a map claiming huge `sources` → map_too_large, before looking at the entries', () => {
    const sources = new Array(100_000).fill('x.js');
    const err = rejection(JSON.stringify({ version: 3, sources, names: [], mappings: '' }));
    expect(err.status).toBe('map_too_large');
    expect(err.message).toMatch(/100000 sources, over the limit of 50000 \(raise maxSources/);
    // Limits add up across sections.
    const sec = { version: 3, sources: ['a', 'b', 'c'], names: [], mappings: '' };
    const idx = JSON.stringify({
      version: 3,
      sections: [
        { offset: { line: 0, column: 0 }, map: sec },
        { offset: { line: 1, column: 0 }, map: sec },
      ],
    });
    expect(rejection(idx, { maxSources: 5 }).status).toBe('map_too_large');
  });

  it('maxBytes and maxMappingsLength → map_too_large', () => {
    expect(rejection(simpleMap(), { maxBytes: 100 }).message).toMatch(/over the limit of 100 \(raise maxBytes/);
    expect(rejection(simpleMap(), { maxMappingsLength: 3 }).message).toMatch(/maxMappingsLength/);
    expect(() => parseMapData(Buffer.from(simpleMap()), { maxBytes: 10 })).toThrow(/maxBytes/);
  });
});

// ---- cache ---------------------------------------------------------------------------------

describe('map cache (bounded in bytes)', () => {
  const mapOfWeight = (n: number): ParsedMap => {
    const m = parseSourceMap(simpleMap());
    (m.data as { inputLength: number }).inputLength = n;
    return m;
  };

  it('evicts least recently used maps when the byte budget is exceeded', () => {
    const cache = createMapCache({ maxBytes: 1000 });
    cache.set('a', mapOfWeight(400));
    cache.set('b', mapOfWeight(400));
    expect(cache.bytes).toBe(800);
    cache.get('a'); // a is now more recent than b
    cache.set('c', mapOfWeight(400));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.bytes).toBe(800);
    cache.set('huge', mapOfWeight(5000)); // heavier than the whole cache: not kept, nothing evicted
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('weighs a map by its JSON length', () => {
    const text = simpleMap();
    const cache = createMapCache();
    cache.set('k', parseSourceMap(text));
    expect(cache.bytes).toBe(text.length);
  });

  it('getOrLoad shares one load between concurrent callers and does not cache failures', async () => {
    const cache = createMapCache({ maxBytes: 10_000 });
    let loads = 0;
    const load = async () => (loads++, parseSourceMap(simpleMap()));
    const [x, y] = await Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)]);
    expect(x).toBe(y);
    expect(loads).toBe(1);
    await expect(cache.getOrLoad('bad', async () => parseSourceMap('nope'))).rejects.toBeInstanceOf(SourceMapError);
    expect(cache.get('bad')).toBeUndefined();
  });

  it('rejects a nonsensical budget with a clear error', () => {
    expect(() => createMapCache({ maxBytes: 0 })).toThrow(/positive number of bytes/);
  });
});
