/**
 * Bad input gets a clear 4xx with a reason, and nothing else is lost: after the whole table
 * the collector still answers and still stores a good batch.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorEvent, mixedBatch, navigationEvent, vitalEvent } from '../support/events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

let collector: TestCollector;
let restricted: { id: number; ingest_key: string };

beforeAll(async () => {
  collector = await startTestCollector((config) => {
    // Each case comes from its own address, so the rate-limit case cannot spill into the others;
    // a small per-address bucket makes the flood case independent of how fast the machine is.
    config.trustProxy = true;
    config.rateLimits.ipRequestsPerSecond = 5;
    config.rateLimits.ipRequestsBurst = 20;
    config.rateLimits.projectEventsPerSecond = 500;
    config.rateLimits.projectEventsBurst = 6000;
  });
  const response = await fetch(`${collector.url}/api/projects`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'restricted', allowed_origins: ['https://app.example.com'] }),
  });
  restricted = await response.json();
});
afterAll(async () => {
  await collector?.stop();
});

const sdk = { name: 'lookout', version: '0.1.0' };
const json = (value: unknown) => JSON.stringify(value);
const batchOf = (...events: unknown[]) => json({ sdk, events });

interface Case {
  name: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
  path?: string;
  status: number;
  message: RegExp;
  /** For a batch whose every event was refused: the reason given for event 0. */
  reason?: RegExp;
}

function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const CASES: Case[] = [
  { name: 'not JSON', body: '{"sdk": {', status: 400, message: /not valid JSON/ },
  { name: 'empty body', body: '', status: 400, message: /empty/ },
  { name: 'whitespace body', body: '   \n ', status: 400, message: /empty/ },
  { name: 'top-level array', body: '[1,2]', status: 400, message: /body must be object/ },
  { name: 'top-level string', body: '"events"', status: 400, message: /body must be object/ },
  { name: 'missing sdk', body: json({ events: [errorEvent()] }), status: 400, message: /sdk/ },
  { name: 'missing events', body: json({ sdk }), status: 400, message: /events/ },
  { name: 'events is an object', body: json({ sdk, events: { 0: errorEvent() } }), status: 400, message: /events must be array/ },
  { name: 'sdk is a string', body: json({ sdk: 'lookout', events: [errorEvent()] }), status: 400, message: /sdk must be object/ },
  { name: 'sdk without version', body: json({ sdk: { name: 'x' }, events: [errorEvent()] }), status: 400, message: /version/ },
  { name: 'no events', body: batchOf(), status: 400, message: /no events/ },
  { name: 'event is null', body: batchOf(null), status: 400, message: /no valid event/, reason: /JSON object/ },
  { name: 'event is a number', body: batchOf(7), status: 400, message: /no valid event/, reason: /JSON object/ },
  { name: 'unknown kind', body: batchOf({ ...errorEvent(), kind: 'crash' }), status: 400, message: /no valid event/, reason: /kind must be one of error, vital, navigation/ },
  { name: 'missing kind', body: batchOf({ ...errorEvent(), kind: undefined }), status: 400, message: /no valid event/, reason: /kind must be one of/ },
  { name: 'missing event_id', body: batchOf({ ...errorEvent(), event_id: undefined }), status: 400, message: /no valid event/, reason: /missing required field "event_id"/ },
  { name: 'event_id not a UUID', body: batchOf({ ...errorEvent(), event_id: '1234' }), status: 400, message: /no valid event/, reason: /event_id must match format "uuid"/ },
  { name: 'timestamp is a string', body: batchOf({ ...errorEvent(), timestamp: '2026-01-01' }), status: 400, message: /no valid event/, reason: /timestamp must be number/ },
  { name: 'negative timestamp', body: batchOf({ ...errorEvent(), timestamp: -5 }), status: 400, message: /no valid event/, reason: /timestamp must be >= 0/ },
  { name: 'message is a number', body: batchOf({ ...errorEvent(), message: 42 }), status: 400, message: /no valid event/, reason: /message must be string/ },
  { name: 'url missing', body: batchOf({ ...errorEvent(), url: undefined }), status: 400, message: /no valid event/, reason: /missing required field "url"/ },
  { name: 'frames not an array', body: batchOf({ ...errorEvent(), frames: 'at foo' }), status: 400, message: /no valid event/, reason: /frames must be array/ },
  { name: 'frame line is text', body: batchOf({ ...errorEvent(), frames: [{ function: 'f', line: 'ten' }] }), status: 400, message: /no valid event/, reason: /frames\.0\.line must be integer/ },
  { name: 'unknown vital', body: batchOf({ ...vitalEvent(), name: 'FID' }), status: 400, message: /no valid event/, reason: /name must be one of LCP, INP, CLS, FCP, TTFB/ },
  { name: 'negative vital value', body: batchOf({ ...vitalEvent(), value: -1 }), status: 400, message: /no valid event/, reason: /value must be >= 0/ },
  { name: 'bad rating', body: batchOf({ ...vitalEvent(), rating: 'great' }), status: 400, message: /no valid event/, reason: /rating must be one of/ },
  { name: 'bad navigation type', body: batchOf({ ...navigationEvent(), type: 'reload' }), status: 400, message: /no valid event/, reason: /type must be one of load, route/ },
  { name: 'tags nested deeply', body: batchOf({ ...errorEvent(), tags: { a: JSON.parse(`{"b":`.repeat(500) + '1' + '}'.repeat(500)) } }), status: 400, message: /no valid event/, reason: /tags\.a must be string/ },
  { name: 'events nested 100k deep', body: `{"sdk":${json(sdk)},"events":${deepArray(100_000)}}`, status: 400, message: /no valid event/, reason: /JSON object/ },
  { name: '__proto__ key', body: `{"sdk":${json(sdk)},"events":[],"__proto__":{"admin":true}}`, status: 400, message: /forbidden prototype property/ },
  { name: 'constructor.prototype key', body: `{"sdk":${json(sdk)},"events":[{"constructor":{"prototype":{"x":1}}}]}`, status: 400, message: /forbidden prototype property/ },
  { name: 'invalid UTF-8', body: Buffer.concat([Buffer.from('{"sdk":{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from(`","version":"1"},"events":[]}`)]), status: 400, message: /not valid UTF-8/ },
  { name: 'body over 1 MiB', body: batchOf({ ...errorEvent(), message: 'm'.repeat(1100 * 1024) }), status: 413, message: /too large/i },
  { name: 'more than 200 events', body: json(mixedBatch(0, 201)), status: 413, message: /201 events; send at most 200/ },
  { name: 'gzip bomb (100 MB of zeros)', body: gzipSync(Buffer.alloc(100 * 1024 * 1024)), headers: { 'content-encoding': 'gzip' }, status: 413, message: /too large/i },
  { name: 'corrupt gzip', body: Buffer.from('this is not gzip at all'), headers: { 'content-encoding': 'gzip' }, status: 400, message: /not valid gzip/ },
  { name: 'unsupported content encoding', body: batchOf(errorEvent()), headers: { 'content-encoding': 'br' }, status: 415, message: /Content-Encoding "br" is not supported/ },
  { name: 'XML content type', body: '<events/>', headers: { 'content-type': 'application/xml' }, status: 415, message: /Unsupported Media Type/i },
  { name: 'form content type', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, message: /Unsupported Media Type/i },
  { name: 'wrong key', body: batchOf(errorEvent()), headers: { 'x-lookout-key': 'f'.repeat(32) }, status: 401, message: /ingest key is not valid for project 1/ },
  { name: 'missing key', body: batchOf(errorEvent()), headers: { 'x-lookout-key': '' }, status: 401, message: /missing ingest key/ },
  { name: 'unknown project', body: batchOf(errorEvent()), path: '/api/999/ingest', status: 404, message: /no project with id 999/ },
  { name: 'project id not a number', body: batchOf(errorEvent()), path: '/api/abc/ingest', status: 404, message: /no project with id abc/ },
];

describe('bad input table', () => {
  it('has at least 30 kinds of bad input', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  CASES.forEach((testCase, index) => {
    it(`${testCase.name} → ${testCase.status}`, async () => {
      const response = await fetch(`${collector.url}${testCase.path ?? '/api/1/ingest'}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-lookout-key': collector.ingestKey,
          'x-forwarded-for': `10.0.${Math.floor(index / 250)}.${index % 250}`,
          ...testCase.headers,
        },
        body: testCase.body as BodyInit,
      });
      const body = await response.json();
      expect(response.status).toBe(testCase.status);
      expect(body.message).toMatch(testCase.message);
      if (testCase.reason) expect(body.rejected[0]).toEqual({ index: 0, reason: expect.stringMatching(testCase.reason) });
    });
  });

  it('wrong origin for a restricted project → 403 without CORS headers', async () => {
    const response = await fetch(`${collector.url}/api/${restricted.id}/ingest`, {
      method: 'POST',
      headers: { origin: 'https://attacker.example', 'content-type': 'text/plain', 'x-lookout-key': restricted.ingest_key },
      body: batchOf(errorEvent()),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect((await response.json()).message).toMatch(/origin https:\/\/attacker.example is not allowed/);
  });

  it("another project's key → 401", async () => {
    const response = await collector.ingest(batchOf(errorEvent()), { projectId: restricted.id });
    expect(response.status).toBe(401);
  });

  it('one client address flooding → 429 with Retry-After, other addresses unaffected', async () => {
    const from = (ip: string) => collector.ingest(json(mixedBatch(1, 1)), { headers: { 'x-forwarded-for': ip } });
    const statuses = await Promise.all(Array.from({ length: 130 }, () => from('203.0.113.9')));
    expect(statuses.filter((r) => r.status === 202).length).toBeGreaterThanOrEqual(20);
    const limited = statuses.find((r) => r.status === 429);
    expect(limited, 'a flood over the burst of 20 must be limited').toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await limited!.json()).message).toMatch(/too many requests/);
    expect((await from('203.0.113.10')).status).toBe(202);
  });

  it('a project over its event rate → 429 with Retry-After, counted in events', async () => {
    // A burst of 6,000 events refilled at 500/s: waves of 10 batches of 200 outrun the refill.
    const body = json(mixedBatch(7, 200));
    const statuses: number[] = [];
    let refusal: Response | undefined;
    for (let wave = 0; wave < 40 && !refusal; wave++) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => collector.ingest(body, { headers: { 'x-forwarded-for': `192.0.${wave}.${i}` } })),
      );
      for (const response of responses) {
        statuses.push(response.status);
        if (response.status === 429) refusal ??= response;
        else await response.arrayBuffer();
      }
    }
    expect(statuses.filter((status) => status === 202).length).toBeGreaterThanOrEqual(20);
    expect(refusal, 'the 6,000-event burst must run out').toBeDefined();
    expect(Number(refusal!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await refusal!.json()).message).toMatch(/project 1 is over its event rate limit/);
  });

  it('stays up and still stores a good batch afterwards, and counts what it refused', async () => {
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the previous case emptied the project's bucket (500 events/s)
    const batch = mixedBatch(42, 10);
    const response = await collector.ingest(json(batch), { headers: { 'x-forwarded-for': '198.51.100.1' } });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 10, rejected: [] });
    await collector.processor.drain();
    const { events } = await collector.api('/api/1/events?limit=1000');
    const ids = new Set(events.map((e: { event_id: string }) => e.event_id));
    expect(batch.events.every((e) => ids.has(e.event_id))).toBe(true);

    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    for (const reason of ['invalid_event', 'malformed_body', 'too_large', 'unsupported_media_type', 'unauthorized', 'forbidden_origin', 'rate_limited', 'not_found']) {
      expect(metrics, reason).toMatch(new RegExp(`^lookout_events_rejected_total\\{reason="${reason}"\\} [1-9]`, 'm'));
    }
  });
});
