/** Structured JSON logs with the production configuration: secrets never reach a line. */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mixedBatch } from '../support/events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

let collector: TestCollector;
let output = '';

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk) => (output += chunk));
  collector = await startTestCollector((config) => {
    config.logLevel = 'debug'; // every request logged, headers included
    config.adminToken = 'admin-secret-do-not-log';
  }, { logStream: stream });
});
afterAll(async () => {
  await collector?.stop();
});

it('logs requests as JSON without ingest keys, tokens or cookies', async () => {
  const key = collector.ingestKey;
  await fetch(`${collector.url}/api/1/ingest?key=${key}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(mixedBatch(1, 2)) });
  await collector.ingest(mixedBatch(2, 2), { headers: { cookie: 'session=cookie-secret' } });
  await fetch(`${collector.url}/api/1/events`, { headers: { authorization: 'Bearer admin-secret-do-not-log' } });
  await fetch(`${collector.url}/api/1/events?token=admin-secret-do-not-log`);
  await collector.ingest('not json');
  await new Promise((resolve) => setTimeout(resolve, 100));

  const lines = output.trim().split('\n').map((line) => JSON.parse(line));
  expect(lines.some((line) => line.msg === 'incoming request' && /\/api\/1\/ingest\?key=\[redacted\]/.test(line.req?.url))).toBe(true);
  expect(lines.filter((line) => line.msg === 'incoming request').length).toBeGreaterThanOrEqual(5);
  expect(output).not.toContain(key);
  expect(output).not.toContain('admin-secret-do-not-log');
  expect(output).not.toContain('cookie-secret');
});
