import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceMapError, createOffThreadParser, parseSourceMap, symbolicateFrame } from '../../collector/src/symbolicate/index.js';
import { buildAngularBundle, randomPositions, type BuiltBundle } from './angular-map.js';

describe('parse off-thread (worker_threads)', () => {
  const parser = createOffThreadParser({ workers: 2 });
  let bundle: BuiltBundle;
  beforeAll(async () => {
    bundle = await buildAngularBundle();
  });
  afterAll(() => parser.close());

  it('returns the same lookups as the in-thread parse on a real multi-MB map', async () => {
    expect(bundle.map.length).toBeGreaterThan(2_000_000);
    const inThread = parseSourceMap(bundle.map);
    const offThread = await parser.parse(bundle.map);
    expect(offThread.data.segmentCount).toBe(inThread.data.segmentCount);
    expect(offThread.data.sources).toEqual(inThread.data.sources);
    let mapped = 0;
    for (const p of randomPositions(bundle.code, 5000)) {
      const frame = { line: p.line + 1, column: p.column + 1, function: 'x' };
      const a = symbolicateFrame(inThread, frame);
      expect(symbolicateFrame(offThread, frame)).toEqual(a);
      if (a.status === 'mapped') mapped++;
    }
    expect(mapped).toBeGreaterThan(1000);
  });

  it('accepts bytes, transferred', async () => {
    const bytes = new Uint8Array(Buffer.from(bundle.map));
    const m = await parser.parse(bytes, { transfer: true });
    expect(bytes.byteLength).toBe(0); // detached: the worker owns it now
    expect(m.data.segmentCount).toBe(parseSourceMap(bundle.map).data.segmentCount);
  });

  it('rejects bad maps with the same SourceMapError status and reason', async () => {
    const bad = '{"version":3,"sources":[],"names":[],"mappings":"A$"}';
    const err = await parser.parse(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceMapError);
    expect((err as SourceMapError).status).toBe('map_invalid');
    expect((err as SourceMapError).message).toMatch(/invalid VLQ/);
    const tiny = createOffThreadParser({ limits: { maxBytes: 10 } });
    try {
      await expect(tiny.parse(bundle.map)).rejects.toMatchObject({ status: 'map_too_large' });
    } finally {
      await tiny.close();
    }
  });

  it('a worker that dies fails its pending parses with a clear error', async () => {
    const p = createOffThreadParser();
    try {
      const pending = p.parse(bundle.map);
      await p.close(); // terminates the worker mid-parse
      await expect(pending).rejects.toThrow(/worker exited/);
    } finally {
      await p.close();
    }
    const q = createOffThreadParser();
    try {
      await q.parse('{"version":3,"sources":["a"],"names":[],"mappings":"AAAA"}');
    } finally {
      await q.close();
    }
  });

  it('does not hold the event loop while a big map parses', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await parser.parse(bundle.map);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
