/**
 * A real collector on the embedded chDB engine: what goes in through the ingest route comes
 * back through the read API with the same field names, once.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorEvent, mixedBatch, navigationEvent, USER_AGENTS, vitalEvent } from '../support/events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

let collector: TestCollector;
const now = Date.now();

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector?.stop();
});

describe('ingest → spool → processor → ClickHouse → read API', () => {
  it('keeps the valid events of a partly bad batch and says why the others were rejected', async () => {
    const good = [{ ...errorEvent(1, now), viewport: '1280x720', connection: '4g' }, vitalEvent(2, now, 'LCP'), navigationEvent(3, now)] as const;
    const response = await collector.ingest(
      { sdk: { name: 'lookout', version: '0.1.0' }, events: [good[0], { kind: 'vital', event_id: 'x' }, good[1], good[2], 42] },
      { headers: { 'user-agent': USER_AGENTS[0] } },
    );
    expect(response.status).toBe(202);
    const body = await response.json();
    expect(body.accepted).toBe(3);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 4]);
    expect(body.rejected[0].reason).toMatch(/event_id|required/);
    expect(body.rejected[1].reason).toBe('event must be a JSON object');

    await collector.processor.drain();
    const { events } = await collector.api(`/api/1/events?since=${now - 3600_000}`);
    const byId = new Map(events.map((e: { event_id: string }) => [e.event_id, e]));
    for (const sent of good) expect(byId.has(sent.event_id)).toBe(true);

    const storedError = byId.get(good[0].event_id) as Record<string, any>;
    expect(storedError).toMatchObject({
      kind: 'error',
      timestamp: good[0].timestamp,
      url: good[0].url,
      release: good[0].release,
      environment: 'production',
      session_id: good[0].session_id,
      viewport: '1280x720',
      connection: '4g',
      type: 'TypeError',
      message: good[0].message,
      stack: good[0].stack,
      frames: good[0].frames!.map((f) => ({ ...f })),
      breadcrumbs: good[0].breadcrumbs,
      browser: { name: 'Chrome', version: '131' },
      os: { name: 'Windows' },
    });
    const storedVital = byId.get(good[1].event_id) as Record<string, any>;
    expect(storedVital).toMatchObject({ kind: 'vital', name: 'LCP', value: good[1].value, rating: 'good', route: good[1].route });
    const storedNav = byId.get(good[2].event_id) as Record<string, any>;
    expect(storedNav).toMatchObject({ kind: 'navigation', type: good[2].type, route: good[2].route, duration: good[2].duration });
  });

  it('accepts text/plain (sendBeacon), gzip and the key in the query string', async () => {
    const batch = mixedBatch(7, 5, now);
    const response = await fetch(`${collector.url}/api/1/ingest?key=${collector.ingestKey}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(batch)),
    });
    expect(response.status).toBe(202);
    expect((await response.json()).accepted).toBe(5);
    await collector.processor.drain();
    const { events } = await collector.api(`/api/1/events?since=${now - 3600_000}&limit=1000`);
    const ids = new Set(events.map((e: { event_id: string }) => e.event_id));
    for (const event of batch.events) expect(ids.has(event.event_id)).toBe(true);
  });

  it('never counts a re-sent batch twice', async () => {
    const batch = { sdk: { name: 'lookout', version: '0.1.0' }, events: [errorEvent(100, now), errorEvent(101, now)] };
    for (let i = 0; i < 3; i++) expect((await collector.ingest(batch)).status).toBe(202);
    await collector.processor.drain();
    const { events } = await collector.api(`/api/1/events?kind=error&since=${now - 3600_000}&limit=1000`);
    const matches = events.filter((e: { event_id: string }) => batch.events.some((b) => b.event_id === e.event_id));
    expect(matches).toHaveLength(2);
  });

  it('pages newest first with a cursor, without skipping or repeating', async () => {
    const base = now - 600_000;
    const events = Array.from({ length: 25 }, (_, i) => ({ ...navigationEvent(i, base), timestamp: base + Math.floor(i / 3) }));
    expect((await collector.ingest({ sdk: { name: 'lookout', version: '1' }, events })).status).toBe(202);
    await collector.processor.drain();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { events: { event_id: string; timestamp: number }[]; next_cursor: string | null } = await collector.api(
        `/api/1/events?kind=navigation&since=${base}&until=${base + 100}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const stamps = page.events.map((e) => e.timestamp);
      expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
      seen.push(...page.events.map((e) => e.event_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(new Set(seen)).toEqual(new Set(events.map((e) => e.event_id)));
  });

  it('computes vitals percentiles and good / needs-improvement / poor shares per route', async () => {
    const base = now - 7200_000;
    const values = [1000, 2000, 2500, 3000, 4000, 5000, 6000, 7000]; // 3 good, 2 needs improvement, 3 poor
    const events = values.map((value, i) => ({ ...vitalEvent(i, base, 'LCP'), timestamp: base + i, route: '/perf/:id', value, rating: 'poor' as const }));
    expect((await collector.ingest({ sdk: { name: 'lookout', version: '1' }, events }, { headers: { 'user-agent': USER_AGENTS[2] } })).status).toBe(202);
    await collector.processor.drain();
    const result = await collector.api(`/api/1/vitals?metric=LCP&groupBy=route&since=${base}&until=${base + 100}`);
    expect(result.groups).toHaveLength(1);
    const [group] = result.groups;
    expect(group).toMatchObject({ route: '/perf/:id', count: 8 });
    expect(group.good).toBeCloseTo(3 / 8);
    expect(group.needs_improvement).toBeCloseTo(2 / 8);
    expect(group.poor).toBeCloseTo(3 / 8);
    expect(group.p50).toBeCloseTo(3500);
    expect(group.p75).toBeGreaterThanOrEqual(5000);
    expect(group.p75).toBeLessThanOrEqual(6000);
    const byBrowser = await collector.api(`/api/1/vitals?metric=LCP&groupBy=browser&since=${base}&until=${base + 100}`);
    expect(byBrowser.groups).toEqual([expect.objectContaining({ browser: 'Firefox', count: 8 })]);
  });

  it('splits navigation timing into page loads and route changes per route', async () => {
    const base = now - 10_800_000;
    const durations = { load: [100, 200, 300, 400], route: [10, 20, 30] };
    const events = [
      ...durations.load.map((duration, i) => ({ ...navigationEvent(i, base), timestamp: base + i, type: 'load' as const, route: '/nav', duration })),
      ...durations.route.map((duration, i) => ({ ...navigationEvent(i, base), timestamp: base + i, type: 'route' as const, route: '/nav', duration })),
    ];
    expect((await collector.ingest({ sdk: { name: 'lookout', version: '1' }, events })).status).toBe(202);
    await collector.processor.drain();
    const result = await collector.api(`/api/1/navigations?groupBy=route&since=${base}&until=${base + 100}`);
    expect(result.groups).toEqual([
      {
        route: '/nav',
        page_load: expect.objectContaining({ count: 4, p50: 250 }),
        route_change: expect.objectContaining({ count: 3, p50: 20 }),
      },
    ]);
  });

  it('clamps timestamps from the future and truncates long strings with a marker', async () => {
    const event = { ...errorEvent(5, now), timestamp: now + 3600_000, message: 'x'.repeat(20_000) };
    const before = Date.now();
    expect((await collector.ingest({ sdk: { name: 'lookout', version: '1' }, events: [event] })).status).toBe(202);
    await collector.processor.drain();
    const { events } = await collector.api(`/api/1/events?kind=error&since=${before - 1000}`);
    const stored = events.find((e: { event_id: string }) => e.event_id === event.event_id);
    expect(stored.timestamp).toBeGreaterThanOrEqual(before);
    expect(stored.timestamp).toBeLessThanOrEqual(Date.now());
    expect(stored.message).toMatch(/^x{8192}…\[truncated 11808 chars\]$/);
  });
  it('scrubs secrets from URLs a sender left in, including URLs quoted inside messages', async () => {
    const event = {
      ...errorEvent(6, now),
      url: 'https://shop.example.com/checkout?session=abc123&step=2',
      type: 'HttpErrorResponse',
      message: 'Http failure response for https://api.example.com/orders?token=s3cr3t&page=2: 500 Internal Server Error',
    };
    expect((await collector.ingest({ sdk: { name: 'lookout', version: '1' }, events: [event] })).status).toBe(202);
    await collector.processor.drain();
    const { events } = await collector.api(`/api/1/events?kind=error&since=${now - 3600_000}&limit=1000`);
    const stored = events.find((e: { event_id: string }) => e.event_id === event.event_id);
    expect(stored.url).toBe('https://shop.example.com/checkout?session=[redacted]&step=2');
    expect(stored.message).toBe('Http failure response for https://api.example.com/orders?token=[redacted]&page=2: 500 Internal Server Error');
  });
});

describe('projects, auth and CORS', () => {
  it('creates a project with its own key and allowed origins, and lists it', async () => {
    const response = await fetch(`${collector.url}/api/projects`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'shop', allowed_origins: ['https://shop.example.com'] }),
    });
    expect(response.status).toBe(201);
    const created = await response.json();
    expect(created).toMatchObject({ id: 2, name: 'shop', allowed_origins: ['https://shop.example.com'] });
    expect(created.ingest_key).toMatch(/^[0-9a-f]{32}$/);
    expect(created.token).toMatch(/^lkp_/);

    const { projects } = await collector.api('/api/projects');
    expect(projects.map((p: { name: string }) => p.name)).toEqual(['default', 'shop']);

    // The project token reads its own project and nothing else.
    const own = await fetch(`${collector.url}/api/2/events`, { headers: { authorization: `Bearer ${created.token}` } });
    expect(own.status).toBe(200);
    const other = await fetch(`${collector.url}/api/1/events`, { headers: { authorization: `Bearer ${created.token}` } });
    expect(other.status).toBe(403);
    // It lists only its own project, and cannot create any.
    const listed = await fetch(`${collector.url}/api/projects`, { headers: { authorization: `Bearer ${created.token}` } });
    expect((await listed.json()).projects.map((project: { id: number }) => project.id)).toEqual([2]);
    const create = await fetch(`${collector.url}/api/projects`, { method: 'POST', headers: { authorization: `Bearer ${created.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    expect(create.status).toBe(403);

    // CORS: the allowed origin gets a preflight answer and CORS headers; another gets 403 and none.
    const preflight = await fetch(`${collector.url}/api/2/ingest`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-lookout-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-lookout-key');
    const denied = await fetch(`${collector.url}/api/2/ingest`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.net' } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();

    const post = (origin: string) =>
      fetch(`${collector.url}/api/2/ingest`, {
        method: 'POST',
        headers: { origin, 'content-type': 'text/plain', 'x-lookout-key': created.ingest_key },
        body: JSON.stringify(mixedBatch(3, 2, now)),
      });
    const allowed = await post('https://shop.example.com');
    expect(allowed.status).toBe(202);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    const forbidden = await post('https://evil.example.net');
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('access-control-allow-origin')).toBeNull();
    // The default project's key does not open project 2.
    const wrongKey = await collector.ingest(mixedBatch(4, 1, now), { projectId: 2 });
    expect(wrongKey.status).toBe(401);
  });

  it('answers read routes only with a valid bearer token', async () => {
    for (const path of ['/api/1/events', '/api/1/vitals', '/api/1/navigations', '/api/projects']) {
      expect((await fetch(`${collector.url}${path}`)).status).toBe(401);
      const wrong = await fetch(`${collector.url}${path}`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      expect((await wrong.json()).message).toMatch(/token/);
    }
  });
});

describe('operations', () => {
  it('reports health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${collector.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', problems: [] });
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^lookout_events_accepted_total\{kind="error"\} \d+/m);
    expect(metrics).toMatch(/^lookout_events_rejected_total\{reason="invalid_event"\} [1-9]/m);
    expect(metrics).toMatch(/^lookout_spool_pending_records \d+/m);
    expect(metrics).toMatch(/^lookout_flush_duration_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^lookout_store_errors_total\{operation="insert"\} 0/m);
  });
});
