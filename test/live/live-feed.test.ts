/**
 * The live feed (`GET /api/:projectId/live`, WebSocket) on a real collector: events of the
 * project as they are stored, with their issue; filters at connect and by message; tokens; an
 * error thrown in the real demo app in Chromium arrives; a client that stops reading is dropped
 * from, told how many it missed, and never holds up storage.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ErrorEvent, VitalEvent } from '../../protocol/wire.js';
import { launchChromium } from '../support/browsers.js';
import { until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

let collector: TestCollector;
let otherToken: string;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  collector = await startTestCollector();
  otherToken = (await collector.projects.create({ name: 'other', allowedOrigins: ['*'] })).token;
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await collector?.stop();
});

interface Feed {
  socket: WebSocket;
  messages: any[];
}

function connect(query = '', headers: Record<string, string> = { authorization: `Bearer ${collector.config.adminToken}` }, projectId = 1): Promise<Feed> {
  const socket = new WebSocket(`${collector.url.replace('http', 'ws')}/api/${projectId}/live${query}`, { headers });
  sockets.push(socket);
  const messages: any[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages }));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

const error = (overrides: Partial<ErrorEvent> = {}): ErrorEvent => ({
  kind: 'error',
  event_id: randomUUID(),
  timestamp: Date.now(),
  url: 'https://shop.example.com/cart',
  route: '/cart',
  type: 'TypeError',
  message: "Cannot read properties of undefined (reading 'items')",
  frames: [{ function: 'renderCart', file: 'https://shop.example.com/static/js/cart.js', line: 1, column: 10 }],
  ...overrides,
});
const vital = (): VitalEvent => ({ kind: 'vital', event_id: randomUUID(), timestamp: Date.now(), url: 'https://shop.example.com/', route: '/', name: 'LCP', value: 1200, rating: 'good' });

async function send(events: unknown[]): Promise<void> {
  const response = await collector.ingest({ sdk: { name: 'test', version: '1' }, events });
  expect(response.status).toBe(202);
}

const eventsOf = (feed: Feed) => feed.messages.filter((m) => m.type === 'event').map((m) => m.event);

describe('live feed', () => {
  it('streams stored events with their issue, filtered by kind at connect', async () => {
    const all = await connect();
    const errorsOnly = await connect('?kind=error');
    expect(errorsOnly.messages[0]).toMatchObject({ type: 'hello', project_id: 1, kind: ['error'], issue: null });
    const thrown = error();
    await send([thrown, vital()]);
    await until(() => eventsOf(all).length >= 2, 'both events on the unfiltered feed');
    const [seen] = eventsOf(errorsOnly);
    expect(eventsOf(errorsOnly)).toHaveLength(1);
    expect(seen).toMatchObject({ kind: 'error', event_id: thrown.event_id, type: 'TypeError', route: '/cart', issue: { new: true, status: 'unresolved' } });
    expect(seen.issue.id).toMatch(/^[0-9a-f]{16}$/);
    expect(seen.top_frame).toMatchObject({ function: 'renderCart', status: 'no_artifact' });
    expect(eventsOf(all).map((e) => e.kind).sort()).toEqual(['error', 'vital']);
  });

  it('changes filters by message, and says what it could not read', async () => {
    const feed = await connect();
    feed.socket.send(JSON.stringify({ type: 'filter', kind: ['error'], route: '/checkout' }));
    feed.socket.send('not json');
    feed.socket.send(JSON.stringify({ type: 'filter', kind: ['crash'] }));
    await until(() => feed.messages.filter((m) => m.type === 'filters' || m.type === 'error').length >= 3, 'three answers');
    expect(feed.messages.slice(1)).toEqual([
      { type: 'filters', kind: ['error'], issue: null, route: '/checkout' },
      { type: 'error', message: 'messages must be JSON' },
      { type: 'error', message: expect.stringContaining('kind must be among error, vital, navigation') },
    ]);
    const wanted = error({ route: '/checkout' });
    await send([error({ route: '/cart' }), vital(), wanted]);
    // One socket keeps order, and the wanted event was sent last: anything unwanted would come first.
    await until(() => eventsOf(feed).length >= 1, 'the /checkout error');
    expect(eventsOf(feed).map((e) => e.event_id)).toEqual([wanted.event_id]);
  });

  it('filters by issue', async () => {
    const first = error({ type: 'RangeError', message: 'bad range' });
    const probe = await connect('?kind=error');
    await send([first]);
    const issueId = (await until(() => eventsOf(probe).find((e) => e.event_id === first.event_id), 'the RangeError')).issue.id;
    const feed = await connect(`?issue=${issueId}`);
    const again = error({ type: 'RangeError', message: 'bad range' });
    await send([error(), again]);
    await until(() => eventsOf(feed).length >= 1, 'the issue\'s next event');
    expect(eventsOf(feed).map((e) => e.event_id)).toEqual([again.event_id]);
  });

  it('needs a token of the project (header or ?token=), and valid filters', async () => {
    await expect(connect('', {})).rejects.toThrow('HTTP 401');
    await expect(connect('', { authorization: `Bearer ${otherToken}` })).rejects.toThrow('HTTP 403');
    await expect(connect('?kind=crash')).rejects.toThrow('HTTP 400');
    const other = collector.projects.list().find((p) => p.name === 'other')!;
    const viaQuery = await connect(`?token=${otherToken}`, {}, other.id);
    expect(viaQuery.messages[0]).toMatchObject({ type: 'hello', project_id: other.id });
  });

  it('delivers an error thrown in the real demo app in Chromium', async () => {
    const feed = await connect('?kind=error');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${collector.url}/demo/angularjs/`);
      await page.click('#throw-controller');
      await page.evaluate('Lookout.flush()');
      const event = await until(() => eventsOf(feed).find((e) => e.mechanism === 'angularjs'), 'the AngularJS error on the feed', 30_000);
      expect(event).toMatchObject({ type: 'TypeError', browser: { name: expect.stringMatching(/Chrome/) }, issue: { id: expect.any(String) } });
    } finally {
      await browser.close();
    }
  });

  it('drops events for a client that stops reading, tells it how many, and stores everything', async () => {
    const stalled = await connect('?kind=error');
    // The client stops reading: the server's socket buffer fills up.
    (stalled.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const before = Number((await collector.store.query<{ n: string }>('SELECT count() AS n FROM errors FINAL'))[0].n);
    const big = 'x'.repeat(4000);
    const batches = 40;
    for (let i = 0; i < batches; i++) await send(Array.from({ length: 100 }, () => error({ message: `${big} ${i}` })));
    await collector.processor.drain();
    const after = Number((await collector.store.query<{ n: string }>('SELECT count() AS n FROM errors FINAL'))[0].n);
    expect(after - before).toBe(batches * 100);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(Number(/^lookout_live_dropped_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);

    (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const missed = await until(() => stalled.messages.find((m) => m.type === 'missed'), 'the missed notice', 30_000);
    expect(missed.count).toBeGreaterThan(0);
    expect(missed.message).toMatch(/too slow/);
    // Everything is accounted for: delivered + missed = sent.
    await until(() => eventsOf(stalled).length + stalled.messages.filter((m) => m.type === 'missed').reduce((n, m) => n + m.count, 0) >= batches * 100, 'delivered + missed = sent', 30_000);
  });
});
