/** Artifact names (url-prefix rules, URL encoding) and how files are packed into requests. */
import { describe, expect, it } from 'vitest';
import { artifactName, normalizeUrlPrefix } from '../../sourcemaps/src/artifact-name.js';
import { packBatches, type LocalArtifact } from '../../sourcemaps/src/batches.js';
import { sourceMappingUrl } from '../../sourcemaps/src/scan.js';

describe('url prefix', () => {
  it('is ~/ plus a path, or a full http(s) URL, always ending in /', () => {
    expect(normalizeUrlPrefix('~/')).toBe('~/');
    expect(normalizeUrlPrefix('~')).toBe('~/');
    expect(normalizeUrlPrefix('~/static/js')).toBe('~/static/js/');
    expect(normalizeUrlPrefix('https://cdn.example.com/assets')).toBe('https://cdn.example.com/assets/');
    expect(normalizeUrlPrefix('https://cdn.example.com')).toBe('https://cdn.example.com/');
    for (const wrong of ['/static/', 'static/', 'ftp://cdn.example.com/', 'https://cdn.example.com/a/?v=1']) {
      expect(() => normalizeUrlPrefix(wrong), wrong).toThrow(/must be ~\/ plus a path \(~\/static\/js\/\) or a full URL/);
    }
  });

  it('names a file by the URL a browser loads it from, encoded as browsers encode it', () => {
    expect(artifactName('~/', 'static/js/app.js')).toBe('~/static/js/app.js');
    expect(artifactName('https://cdn.example.com/assets/', 'app.js.map')).toBe('https://cdn.example.com/assets/app.js.map');
    expect(artifactName('~/', 'my app.js')).toBe('~/my%20app.js');
    expect(artifactName('~/', 'chunk-[id]@2.js')).toBe('~/chunk-[id]@2.js');
    expect(artifactName('~/', 'a#b?c%d.js')).toBe('~/a%23b%3Fc%25d.js');
    expect(artifactName('~/', 'ünï.js')).toBe('~/%C3%BCn%C3%AF.js');
  });
});

describe('requests', () => {
  const file = (name: string, size = 10): LocalArtifact => ({ path: name, name, size, kind: name.endsWith('.map') ? 'sourcemap' : 'source' });

  it('keeps each bundle with its map, starting a new request when a pair does not fit', () => {
    const pairs = ['a', 'b', 'c'].map((n) => [file(`${n}.js.map`), file(`${n}.js`)]);
    expect(packBatches(pairs, { files: 5, bytes: 1000 }).map((b) => b.map((f) => f.name))).toEqual([
      ['a.js.map', 'a.js', 'b.js.map', 'b.js'],
      ['c.js.map', 'c.js'],
    ]);
  });

  it('splits a pair too large for one request, map first', () => {
    const big = [file('big.js.map', 800), file('big.js', 300)];
    expect(packBatches([[file('x.js', 100)], big], { files: 20, bytes: 1000 }).map((b) => b.map((f) => f.name))).toEqual([
      ['x.js', 'big.js.map'],
      ['big.js'],
    ]);
  });
});

describe('sourceMappingURL', () => {
  it('counts only the trailing comment, on its own line or after code', () => {
    expect(sourceMappingUrl('a()\n//# sourceMappingURL=a.js.map\n')).toEqual({ url: 'a.js.map', index: 4 });
    expect(sourceMappingUrl('a()//# sourceMappingURL=a.js.map')).toEqual({ url: 'a.js.map', index: 3 });
    expect(sourceMappingUrl('a()\n//@ sourceMappingURL=old.map\n//# debugId=85314830-023f-4cf1-a267-535f4e37bb17\n')?.url).toBe('old.map');
    // A library's leftover comment mid-bundle names no map of this bundle.
    expect(sourceMappingUrl('//# sourceMappingURL=lib.js.map\nmore()\n')).toBeUndefined();
    expect(sourceMappingUrl('x = "//# sourceMappingURL=fake.map";\n')).toBeUndefined();
  });
});
