/**
 * Source maps through a real collector: a real TypeScript app bundled and minified by esbuild in
 * the test, its bundle and map uploaded over the artifacts API, errors at real positions of the
 * bundle ingested — and each frame's status read back: mapped (with the original TypeScript
 * line and its context) or exactly why not. Hostile uploads are refused or bounded with a reason
 * while the collector stays up and other projects are unaffected.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEvent, Frame } from '../../protocol/wire.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

const ORDERS_TS = `export interface Order { id: number; lines: { price: number; qty: number }[] }

export function orderTotal(order: Order): number {
  let total = 0;
  for (const line of order.lines) total += line.price * line.qty;
  if (total > 1000) {
    throw new Error('boom-orders: total over limit');
  }
  return total;
}
`;
const MAIN_TS = `import { orderTotal } from './orders';

export function checkout(): number {
  return orderTotal({ id: 1, lines: [{ price: 600, qty: 2 }] });
}
(globalThis as any).checkout = checkout;
`;
/** 1-based line of the throw in orders.ts. */
const THROW_LINE = ORDERS_TS.split('\n').findIndex((line) => line.includes('throw new Error')) + 1;

let collector: TestCollector;
let workDir: string;
let bundle: string;
let map: string;
/** Where the browser would report the throw: 1-based line and column in the bundle. */
let throwAt: { line: number; column: number };
/** The project token of a second project. */
let otherToken: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'lookout-artifacts-'));
  await writeFile(join(workDir, 'orders.ts'), ORDERS_TS);
  await writeFile(join(workDir, 'main.ts'), MAIN_TS);
  await build({ entryPoints: [join(workDir, 'main.ts')], bundle: true, minify: true, sourcemap: true, sourcesContent: true, outfile: join(workDir, 'out/bundle.js'), format: 'iife', logLevel: 'silent' });
  bundle = await readFile(join(workDir, 'out/bundle.js'), 'utf8');
  map = await readFile(join(workDir, 'out/bundle.js.map'), 'utf8');
  const lines = bundle.split('\n');
  const line = lines.findIndex((text) => text.includes('throw new Error("boom-orders'));
  throwAt = { line: line + 1, column: lines[line].indexOf('throw new Error("boom-orders') + 1 };

  collector = await startTestCollector();
  otherToken = (await collector.projects.create({ name: 'other', allowedOrigins: ['*'] })).token;
}, 120_000);

afterAll(async () => {
  await collector?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface UploadFile {
  name: string;
  content: string | Uint8Array;
}

async function upload(release: string, files: UploadFile[], projectId = 1, token = collector.config.adminToken) {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([file.content as BlobPart]), file.name);
  const response = await fetch(`${collector.url}/api/${projectId}/releases/${encodeURIComponent(release)}/artifacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: response.status, json: (await response.json()) as any };
}

const frame = (file: string, at = throwAt): Frame => ({ function: 'n', file, line: at.line, column: at.column });

/** Ingests one error and returns its symbolicated frames as stored. */
async function symbolicated(overrides: Partial<ErrorEvent>): Promise<any[]> {
  const event: ErrorEvent = {
    kind: 'error',
    event_id: randomUUID(),
    timestamp: Date.now(),
    url: 'https://shop.example.com/checkout',
    type: 'Error',
    message: 'boom-orders: total over limit',
    frames: [frame('https://cdn.example.com/static/js/bundle.js?v=3')],
    ...overrides,
  };
  const response = await collector.ingest({ sdk: { name: 'test', version: '1' }, events: [event] });
  expect(response.status).toBe(202);
  await collector.processor.drain();
  const { events } = await collector.api(`/api/1/events?kind=error&since=0&limit=1000`);
  const stored = events.find((e: any) => e.event_id === event.event_id);
  expect(stored, 'stored event').toBeDefined();
  return stored.symbolicated_frames;
}

const withDebugId = (text: string, id: string, kind: 'js' | 'map') =>
  kind === 'js' ? `${text}\n//# debugId=${id}\n` : JSON.stringify({ ...JSON.parse(text), debugId: id });

describe('upload', () => {
  it('stores a bundle and its map, and says which map each bundle will use', async () => {
    const { status, json } = await upload('web@1.0.0', [
      { name: '~/static/js/bundle.js', content: bundle },
      { name: '~/static/js/bundle.js.map', content: map },
    ]);
    expect(status, JSON.stringify(json)).toBe(201);
    expect(json.rejected).toEqual([]);
    const byName = Object.fromEntries(json.artifacts.map((a: any) => [a.name, a]));
    expect(byName['~/static/js/bundle.js']).toMatchObject({ kind: 'source', map: '~/static/js/bundle.js.map', source_map_url: 'bundle.js.map' });
    expect(byName['~/static/js/bundle.js.map']).toMatchObject({ kind: 'sourcemap', sources: 2, sources_content: true, debug_id: null });
    expect(byName['~/static/js/bundle.js.map'].sha256).toMatch(/^[0-9a-f]{64}$/);

    const listed = await collector.api('/api/1/releases/web@1.0.0/artifacts');
    expect(listed.artifacts.map((a: any) => a.name)).toEqual(['~/static/js/bundle.js', '~/static/js/bundle.js.map']);
  });

  it('refuses what is not an upload, and other projects\' tokens', async () => {
    const notMultipart = await fetch(`${collector.url}/api/1/releases/x/artifacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector.config.adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart.status).toBe(415);
    expect((await notMultipart.json()).message).toMatch(/multipart\/form-data/);
    const denied = await upload('web@1.0.0', [{ name: '~/a.js', content: 'x' }], 1, otherToken);
    expect(denied.status).toBe(403);
    expect(denied.json.message).toMatch(/does not give access to project 1/);
    const wrong = await upload('web@1.0.0', [{ name: '~/a.js', content: 'x' }], 1, 'not-a-token');
    expect(wrong.status).toBe(401);
  });
});

describe('frame statuses', () => {
  it('mapped: the original TypeScript file and line, the enclosing function, ±5 lines of context, the minified frame kept', async () => {
    const [top] = await symbolicated({ release: 'web@1.0.0' });
    expect(top).toMatchObject({ status: 'mapped', line: THROW_LINE, in_app: true, function: 'orderTotal', function_source: 'enclosing' });
    expect(top.file).toMatch(/orders\.ts$/);
    expect(top.context.line).toContain("throw new Error('boom-orders");
    expect(top.context.pre).toHaveLength(5);
    expect(top.context.pre.at(-1)).toContain('if (total > 1000)');
    expect(top.context.post[0]).toContain('}');
    expect(top.minified).toEqual(frame('https://cdn.example.com/static/js/bundle.js?v=3'));
  });

  it('stores a context once, however many events show it', async () => {
    const contexts = async () => Number((await collector.store.query<{ n: string }>('SELECT count() AS n FROM source_contexts FINAL'))[0].n);
    const before = await contexts();
    expect(before).toBeGreaterThan(0);
    const [again] = await symbolicated({ release: 'web@1.0.0' });
    expect(again.context.line).toContain("throw new Error('boom-orders");
    expect(again).not.toHaveProperty('context_id');
    expect(await contexts()).toBe(before);
    const raw = await collector.store.query<{ ids: string[] }>("SELECT frame_context_ids AS ids FROM errors WHERE frame_context_ids[1] != '' LIMIT 1");
    expect(raw[0].ids[0]).toMatch(/^[0-9a-f]{24}$/);
  });

  it('no_artifact: nothing uploaded for the event\'s release', async () => {
    const [top] = await symbolicated({ release: 'web@9.9.9' });
    expect(top).toMatchObject({ status: 'no_artifact', file: 'https://cdn.example.com/static/js/bundle.js?v=3', line: throwAt.line });
    expect(top.reason).toMatch(/no source maps were uploaded for release web@9\.9\.9/);
  });

  it('url_not_matched: the release has artifacts, none under the frame\'s URL', async () => {
    const [top] = await symbolicated({ release: 'web@1.0.0', frames: [frame('https://cdn.example.com/assets/bundle.js')] });
    expect(top.status).toBe('url_not_matched');
    expect(top.reason).toContain('~/assets/bundle.js');
    expect(top.reason).toContain('~/static/js/bundle.js');
    expect(top.reason).toMatch(/--url-prefix/);
  });

  it('no_mapping_at_position: a position the map does not cover', async () => {
    const [top] = await symbolicated({ release: 'web@1.0.0', frames: [frame('https://cdn.example.com/static/js/bundle.js', { line: 400, column: 1 })] });
    expect(top.status).toBe('no_mapping_at_position');
  });

  it('a debug ID matches its map whatever the URL and release; a stale one is no_debug_id_match', async () => {
    const id = randomUUID();
    const uploaded = await upload('web@2.0.0', [
      { name: '~/elsewhere/main.js', content: withDebugId(bundle, id, 'js') },
      { name: '~/elsewhere/main.js.map', content: withDebugId(map, id, 'map') },
    ]);
    expect(uploaded.status).toBe(201);
    expect(uploaded.json.artifacts.every((a: any) => a.debug_id === id)).toBe(true);
    const file = 'https://other-cdn.example.net/x/y/chunk.js?cache=1';
    const [mapped] = await symbolicated({ release: 'unrelated', frames: [frame(file)], debug_ids: { [file]: id } });
    expect(mapped).toMatchObject({ status: 'mapped', line: THROW_LINE });

    // A refused copy of the same build's map, uploaded later elsewhere, does not hide the usable one.
    const refused = await upload('web@2.0.1', [{ name: '~/elsewhere/main.js.map', content: JSON.stringify({ ...JSON.parse(map), debugId: id, mappings: 'AAAA,!!!!' }) }]);
    expect(refused.status).toBe(400);
    const [still] = await symbolicated({ release: 'unrelated', frames: [frame(file)], debug_ids: { [file]: id } });
    expect(still).toMatchObject({ status: 'mapped', line: THROW_LINE });

    const stale = randomUUID();
    const [missing] = await symbolicated({ release: 'web@2.0.0', frames: [frame(file)], debug_ids: { [file]: stale } });
    expect(missing.status).toBe('no_debug_id_match');
    expect(missing.reason).toContain(stale);
  });

  it('source_missing: mapped, but the map has no sourcesContent', async () => {
    const bare = JSON.stringify({ ...JSON.parse(map), sourcesContent: undefined });
    expect((await upload('web@3.0.0', [{ name: '~/static/js/bundle.js.map', content: bare }])).status).toBe(201);
    const [top] = await symbolicated({ release: 'web@3.0.0' });
    expect(top).toMatchObject({ status: 'source_missing', line: THROW_LINE });
    expect(top.reason).toMatch(/sourcesContent/);
  });

  it('map_invalid: a corrupt map is refused at upload with the reason, and frames that needed it say so', async () => {
    const corrupt = JSON.stringify({ ...JSON.parse(map), mappings: 'AAAA,!!!!' });
    const { status, json } = await upload('web@4.0.0', [
      { name: '~/static/js/bundle.js', content: bundle },
      { name: '~/static/js/bundle.js.map', content: corrupt },
    ]);
    expect(status).toBe(400);
    expect(json.rejected).toHaveLength(1);
    expect(json.rejected[0].name).toBe('~/static/js/bundle.js.map');
    expect(json.rejected[0].reason).toMatch(/mappings|VLQ|base64/i);
    // The bundle itself was stored.
    expect(json.artifacts.map((a: any) => a.name)).toEqual(['~/static/js/bundle.js']);
    const [top] = await symbolicated({ release: 'web@4.0.0' });
    expect(top.status).toBe('map_invalid');
    expect(top.reason).toMatch(/refused at upload/);
  });

  it('map_too_large: a map that claims more sources than the limit', async () => {
    const huge = JSON.stringify({ version: 3, sources: Array.from({ length: 60_000 }, (_, i) => `s${i}.ts`), names: [], mappings: 'AAAA' });
    const { status, json } = await upload('web@5.0.0', [{ name: '~/static/js/bundle.js.map', content: huge }]);
    expect(status).toBe(400);
    expect(json.rejected[0].reason).toMatch(/60000 sources, over the limit/);
    const [top] = await symbolicated({ release: 'web@5.0.0' });
    expect(top.status).toBe('map_too_large');
  });

  it('counts frames by status in /metrics', async () => {
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    for (const status of ['mapped', 'no_artifact', 'url_not_matched', 'no_debug_id_match', 'no_mapping_at_position', 'source_missing', 'map_invalid', 'map_too_large']) {
      expect(metrics).toMatch(new RegExp(`lookout_frames_symbolicated_total\\{status="${status}"\\} [1-9]`));
    }
  });

  it('deleting the artifacts of a release takes effect at once', async () => {
    const { deleted } = await (await fetch(`${collector.url}/api/1/releases/web@1.0.0/artifacts`, { method: 'DELETE', headers: { authorization: `Bearer ${collector.config.adminToken}` } })).json();
    expect(deleted).toBe(2);
    expect((await collector.api('/api/1/releases/web@1.0.0/artifacts')).artifacts).toEqual([]);
    const [top] = await symbolicated({ release: 'web@1.0.0' });
    expect(top.status).toBe('no_artifact');
  });
});

describe('hostile artifacts', () => {
  it('refuses names that walk out of their folder or carry control characters, and stores the rest', async () => {
    const { status, json } = await upload('web@6.0.0', [
      { name: '~/../../etc/passwd', content: 'x' },
      { name: '~/static/%2e%2e/%2e%2e/secret.js', content: 'x' },
      { name: 'https://cdn.example.com/a/../../b.js', content: 'x' },
      { name: '~/ok\u0001.js', content: 'x' },
      { name: '~/static/js/fine.js', content: 'console.log(1)' },
    ]);
    expect(status).toBe(400);
    expect(json.rejected.map((r: any) => r.reason)).toEqual([
      expect.stringMatching(/walks out of its folder/),
      expect.stringMatching(/walks out of its folder/),
      expect.stringMatching(/walks out of its folder/),
      expect.stringMatching(/control characters/),
    ]);
    expect(json.artifacts.map((a: any) => a.name)).toEqual(['~/static/js/fine.js']);
  });

  it('bounds a 200 MB upload at the per-file limit with a clear reason; the collector stays up for everyone', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x41);
    let sent = 0;
    const boundary = 'lookout-boundary-' + randomUUID();
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="~/static/js/huge.js.map"\r\nContent-Type: application/json\r\n\r\n`,
    );
    const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
      },
      pull(controller) {
        if (sent >= 200) {
          controller.enqueue(tail);
          controller.close();
          return;
        }
        sent++;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${collector.url}/api/1/releases/web@7.0.0/artifacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector.config.adminToken}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(400);
    const json = (await response.json()) as any;
    expect(json.rejected).toEqual([{ name: '~/static/js/huge.js.map', reason: expect.stringMatching(/larger than the 100 MB per-file limit/) }]);

    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    const other = collector.projects.list().find((p) => p.name === 'other')!;
    const ingest = await fetch(`${collector.url}/api/${other.id}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lookout-key': other.ingestKey },
      body: JSON.stringify({ sdk: { name: 't', version: '1' }, events: [{ kind: 'error', event_id: randomUUID(), timestamp: Date.now(), url: 'https://o.example', type: 'Error', message: 'still up' }] }),
    });
    expect(ingest.status).toBe(202);
    // Frames that needed the refused map say why.
    const [top] = await symbolicated({ release: 'web@7.0.0', frames: [frame('https://cdn.example.com/static/js/huge.js')] });
    expect(top.status).toBe('map_too_large');
    expect(top.reason).toMatch(/per-file limit/);
  });
});
