/**
 * Alert rules end to end on a real collector: rules through the API and the config file, issue
 * rules firing into a local HTTP receiver standing in for Slack and a signed webhook, noise control
 * (a burst of 1,000 events of one issue → one alert and one digest), frequency rules that fire
 * and resolve, history and test sends. A "minute" of rule settings is shortened to 1 s here
 * (config.alerts.minuteMs) so digests come due within the test.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEvent } from '../../protocol/wire.js';
import { verifySignature } from '../../collector/src/alerts/destinations/webhook.js';
import { until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = 'a-webhook-secret-of-some-length';
let collector: TestCollector;
let slack: Receiver;
let hook: Receiver;
let configDir: string;

beforeAll(async () => {
  slack = await startReceiver('/services/T000/B000/XXXX');
  hook = await startReceiver('/lookout');
  configDir = await mkdtemp(join(tmpdir(), 'lookout-alert-config-'));
  const configFile = join(configDir, 'lookout.config.yaml');
  await writeFile(
    configFile,
    [
      'alerts:',
      '  rules:',
      '    - project: 1',
      '      name: New issues in production',
      '      type: issue.new',
      '      filters: { environment: [production] }',
      '      digest_minutes: 2',
      '      destinations:',
      `        - { type: slack, webhook_url: "${slack.url}" }`,
    ].join('\n'),
  );
  collector = await startTestCollector((config) => {
    config.configFile = configFile;
    config.alerts = { tickMs: 200, minuteMs: 1000, claimSettleMs: 50 };
  });
});
afterAll(async () => {
  await collector?.stop();
  await slack?.close();
  await hook?.close();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

const error = (overrides: Partial<ErrorEvent> = {}): ErrorEvent => ({
  kind: 'error',
  event_id: randomUUID(),
  timestamp: Date.now(),
  url: 'https://shop.example.com/cart',
  route: '/cart',
  environment: 'production',
  release: 'shop@1.0.0',
  user_id: 'u-1',
  type: 'TypeError',
  message: "Cannot read properties of undefined (reading 'items') <script>alert(1)</script>",
  frames: [{ function: 'renderCart', file: 'https://shop.example.com/static/js/cart.js', line: 1, column: 10 }],
  ...overrides,
});

async function send(events: unknown[]): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    const response = await collector.ingest({ sdk: { name: 'test', version: '1' }, events: events.slice(i, i + 200) });
    expect(response.status).toBe(202);
  }
  await collector.processor.drain();
}

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${collector.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${collector.config.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, json: response.status === 204 ? null : ((await response.json()) as any) };
}

const slackTexts = () => slack.requests.map((request) => JSON.parse(request.body));

describe('rules', () => {
  it('lists the config file\'s rules, redacted and read-only', async () => {
    const { json } = await call('GET', '/api/1/alerts/rules');
    expect(json.rules).toEqual([
      expect.objectContaining({ id: 'config-new-issues-in-production', type: 'issue.new', source: 'config', digest_minutes: 2, destinations: [{ type: 'slack', name: null, webhook_url: 'http://127.0.0.1:' + slack.port + '/…' }] }),
    ]);
    expect((await call('DELETE', '/api/1/alerts/rules/config-new-issues-in-production')).status).toBe(409);
  });

  it('creates, reads, replaces and deletes rules through the API, refusing bad ones with the reason', async () => {
    const bad = await call('POST', '/api/1/alerts/rules', { name: 'x', type: 'issue.frequency', destinations: [{ type: 'webhook', url: hook.url, secret: SECRET }] });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/threshold/);
    const unknown = await call('POST', '/api/1/alerts/rules', { name: 'x', type: 'issue.new', destinations: [{ type: 'pager', url: 'x' }] });
    expect(unknown.status).toBe(400);
    const created = await call('POST', '/api/1/alerts/rules', {
      name: 'Bursts',
      type: 'issue.frequency',
      threshold: { events: 50, window_minutes: 3 },
      digest_minutes: 60,
      destinations: [{ type: 'webhook', url: hook.url, secret: SECRET }],
    });
    expect(created.status).toBe(201);
    expect(created.json.rule).toMatchObject({ type: 'issue.frequency', source: 'api', destinations: [{ type: 'webhook', secret: '***' }] });
    const id = created.json.rule.id;
    expect((await call('GET', `/api/1/alerts/rules/${id}`)).json.rule.name).toBe('Bursts');
    const temp = await call('POST', '/api/1/alerts/rules', { name: 'Temp', type: 'issue.regression', destinations: [{ type: 'webhook', url: hook.url, secret: SECRET }] });
    expect((await call('PUT', `/api/1/alerts/rules/${temp.json.rule.id}`, { name: 'Temp 2', type: 'issue.regression', destinations: [{ type: 'webhook', url: hook.url, secret: SECRET }] })).json.rule.name).toBe('Temp 2');
    expect((await call('DELETE', `/api/1/alerts/rules/${temp.json.rule.id}`)).status).toBe(204);
    expect((await call('GET', `/api/1/alerts/rules/${temp.json.rule.id}`)).status).toBe(404);
  });
});

describe('issue alerts', () => {
  it('a new issue → one Slack message with the issue, escaped, linking to it; other environments do not match', async () => {
    await send([error({ environment: 'staging', type: 'RangeError', message: 'only in staging' })]);
    await send([error()]);
    const [first] = await until(() => slack.requests.length >= 1 && slackTexts(), 'the Slack message');
    const text = JSON.stringify(first);
    expect(text).toContain('New issue: TypeError');
    expect(first.text).toMatch(/^New issue: TypeError/);
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).not.toContain('<script>');
    expect(text).toMatch(new RegExp(`${collector.url}/issues/[0-9a-f]{16}`));
    expect(text).not.toContain('only in staging');
  });

  it('a burst of 1,000 events of that issue → no more alerts, then one digest with the counts', async () => {
    const before = slack.requests.length;
    await send(Array.from({ length: 1000 }, (_, i) => error({ user_id: `u-${i % 40}` })));
    // digest_minutes 2 = 2 s here: one digest, then nothing while no new events come.
    const digest = await until(() => slack.requests.length > before && slackTexts()[before], 'the digest', 20_000);
    expect(JSON.stringify(digest)).toMatch(/1000 more events/);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(slack.requests.length).toBe(before + 1);
  });

  it('records each delivery in the history', async () => {
    const { json } = await call('GET', '/api/1/alerts/history?rule=config-new-issues-in-production');
    expect(json.history.map((entry: any) => entry.kind)).toEqual(['issue.digest', 'issue.new']);
    expect(json.history[1]).toMatchObject({ delivered: true, status: 200, attempts: 1, destination: 'slack:127.0.0.1:' + slack.port });
  });

  it('a frequency rule fires once when an issue reaches N events in the window, signed, and resolves when it clears', async () => {
    const burst = () => error({ type: 'SyntaxError', message: 'Unexpected token <', frames: [{ function: 'parseReply', file: 'https://shop.example.com/static/js/api.js', line: 3, column: 7 }] });
    await send(Array.from({ length: 60 }, burst));
    const firing = await until(() => hook.requests.find((request) => JSON.parse(request.body).kind === 'threshold.firing'), 'the firing webhook', 20_000);
    const body = JSON.parse(firing.body);
    expect(body).toMatchObject({ kind: 'threshold.firing', metric: { name: 'events', threshold: 50, window_minutes: 3 } });
    expect(body.metric.value).toBeGreaterThanOrEqual(50);
    expect(verifySignature(firing.body, String(firing.headers['x-lookout-timestamp']), String(firing.headers['x-lookout-signature']), SECRET)).toBe(true);
    // The window is 3 "minutes" (3 s here): with no more events it clears.
    const resolved = await until(() => hook.requests.find((request) => JSON.parse(request.body).kind === 'threshold.resolved'), 'the resolved webhook', 30_000);
    expect(JSON.parse(resolved.body).title).toMatch(/^Resolved/);
    expect(hook.requests.filter((request) => JSON.parse(request.body).kind === 'threshold.firing')).toHaveLength(1);
  });

  it('sends a test message to every destination of a rule and says how it went', async () => {
    const { json } = await call('POST', '/api/1/alerts/rules/config-new-issues-in-production/test');
    expect(json.results).toEqual([expect.objectContaining({ destination: 'slack:127.0.0.1:' + slack.port, ok: true, status: 200, attempts: 1 })]);
    expect(JSON.stringify(slackTexts().at(-1))).toContain('Test from rule New issues in production');
  });
});
