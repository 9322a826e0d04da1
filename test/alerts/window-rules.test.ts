/**
 * Window rules on a real collector, over real ingested events: error rate, a Web Vital's p75 per
 * route, route-change p75 per route, and silence — each fires once when its condition starts and
 * sends a resolved message when it clears. A "minute" of rule settings is 1 s here.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = 'window-rules-test-secret';
let collector: TestCollector;
let hook: Receiver;
let quiet: { id: number; ingestKey: string };

beforeAll(async () => {
  hook = await startReceiver('/hook');
  collector = await startTestCollector((config) => {
    config.alerts = { tickMs: 200, minuteMs: 1000, claimSettleMs: 50 };
  });
  const created = await collector.projects.create({ name: 'quiet', allowedOrigins: ['*'] });
  quiet = { id: created.project.id, ingestKey: created.project.ingestKey };
});
afterAll(async () => {
  await collector?.stop();
  await hook?.close();
});

async function rule(projectId: number, body: object): Promise<void> {
  const response = await fetch(`${collector.url}/api/${projectId}/alerts/rules`, {
    method: 'POST',
    headers: { authorization: `Bearer ${collector.config.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, destinations: [{ type: 'webhook', url: hook.url, secret: SECRET }] }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

const common = (route: string) => ({ event_id: randomUUID(), timestamp: Date.now(), url: `https://shop.example.com${route}`, route });
const navigation = (route: string, duration = 100, type: 'load' | 'route' = 'route') => ({ kind: 'navigation', ...common(route), type, duration });
const error = (route: string) => ({ kind: 'error', ...common(route), type: 'TypeError', message: `broken on ${route}`, frames: [{ function: 'f', file: 'https://shop.example.com/app.js', line: 1, column: 1 }] });
const lcp = (route: string, value: number) => ({ kind: 'vital', ...common(route), name: 'LCP', value, rating: 'good' });

async function send(events: unknown[], project = { id: 1, key: '' }): Promise<void> {
  const response = await fetch(`${collector.url}/api/${project.id}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-lookout-key': project.key || collector.ingestKey },
    body: JSON.stringify({ sdk: { name: 'test', version: '1' }, events }),
  });
  expect(response.status).toBe(202);
  await collector.processor.drain();
}

const messages = (ruleName: string, kind?: string) =>
  hook.requests.map((request) => JSON.parse(request.body)).filter((body) => body.rule.name === ruleName && (!kind || body.kind === kind));

describe('window rules', () => {
  it('error.rate fires above the rate with enough page views, and resolves when it drops', async () => {
    await rule(1, { name: 'Error rate', type: 'error.rate', threshold: { rate: 0.2, min_page_views: 10, window_minutes: 30 } });
    await send([...Array.from({ length: 20 }, () => navigation('/cart')), ...Array.from({ length: 10 }, () => error('/cart'))]);
    const [firing] = await until(() => messages('Error rate', 'threshold.firing').length && messages('Error rate', 'threshold.firing'), 'error rate firing');
    expect(firing.metric).toMatchObject({ name: 'errors per page view', value: 0.5, threshold: 0.2, window_minutes: 30 });
    expect(firing.title).toMatch(/errors per page view 50\.0 % > 20\.0 %/);
    await send(Array.from({ length: 100 }, () => navigation('/cart')));
    const [resolved] = await until(() => messages('Error rate', 'threshold.resolved').length && messages('Error rate', 'threshold.resolved'), 'error rate resolved');
    expect(resolved.title).toMatch(/^Resolved/);
    expect(messages('Error rate', 'threshold.firing')).toHaveLength(1);
  });

  it('vital.threshold fires per route: only the slow route', async () => {
    await rule(1, { name: 'Slow LCP', type: 'vital.threshold', vital: 'LCP', threshold: { value: 2500, min_samples: 5, window_minutes: 30 } });
    await send([...Array.from({ length: 8 }, () => lcp('/checkout', 4000)), ...Array.from({ length: 8 }, () => lcp('/home', 900))]);
    const [firing] = await until(() => messages('Slow LCP', 'threshold.firing').length && messages('Slow LCP', 'threshold.firing'), 'LCP firing');
    expect(firing.title).toBe('LCP p75 4000 ms > 2500 ms on /checkout over 30 min');
    expect(firing.link).toMatch(/\/performance\?route=%2Fcheckout$/);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(messages('Slow LCP')).toHaveLength(1);
  });

  it('route.duration fires on a slow route change p75, not on page loads', async () => {
    await rule(1, { name: 'Slow routes', type: 'route.duration', threshold: { value: 1000, min_samples: 5, window_minutes: 30 } });
    await send([...Array.from({ length: 10 }, () => navigation('/reports', 3000, 'load')), ...Array.from({ length: 6 }, () => navigation('/search', 2500))]);
    const [firing] = await until(() => messages('Slow routes', 'threshold.firing').length && messages('Slow routes', 'threshold.firing'), 'route firing');
    expect(firing.title).toContain('on /search');
    expect(messages('Slow routes').every((body) => !body.title.includes('/reports'))).toBe(true);
  });

  it('ingest.silence fires when a project sends nothing for the window, and resolves when events come', async () => {
    await rule(quiet.id, { name: 'Silence', type: 'ingest.silence', threshold: { window_minutes: 2 } });
    const [firing] = await until(() => messages('Silence', 'threshold.firing').length && messages('Silence', 'threshold.firing'), 'silence firing', 20_000);
    expect(firing.title).toBe(`No events from project ${quiet.id} for 2 min`);
    await send([navigation('/')], { id: quiet.id, key: quiet.ingestKey });
    const [resolved] = await until(() => messages('Silence', 'threshold.resolved').length && messages('Silence', 'threshold.resolved'), 'silence resolved', 20_000);
    expect(resolved.title).toMatch(/arrive again/);
  });
});
