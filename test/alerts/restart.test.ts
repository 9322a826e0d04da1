/**
 * A restart in the middle of a window neither loses it nor fires again: the collector as users
 * run it (a child process of bin/lookout.js with a config file), killed with SIGKILL after a
 * frequency rule fired, restarted on the same data folder, then more events of the same burst.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { spawnCollector, waitForEmptySpool, type ChildCollector } from '../support/child-collector.js';
import { until } from '../support/stored-events.js';
import { startReceiver, type Receiver } from './receiver.js';

let dir: string;
let hook: Receiver;
let collector: ChildCollector | undefined;
afterAll(async () => {
  await collector?.stop();
  await hook?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const burst = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'error',
    event_id: randomUUID(),
    timestamp: Date.now(),
    url: 'https://shop.example.com/api',
    user_id: `u-${i}`,
    type: 'SyntaxError',
    message: 'Unexpected token <',
    frames: [{ function: 'parseReply', file: 'https://shop.example.com/static/js/api.js', line: 3, column: 7 }],
  }));

/** Another bug, tagged so only the "Slow burst" rule counts it. */
const slowBurst = (count: number) =>
  Array.from({ length: count }, () => ({
    kind: 'error',
    event_id: randomUUID(),
    timestamp: Date.now(),
    url: 'https://shop.example.com/report',
    type: 'RangeError',
    message: 'Invalid array length',
    tags: { burst: 'slow' },
    frames: [{ function: 'buildReport', file: 'https://shop.example.com/static/js/report.js', line: 9, column: 4 }],
  }));

const views = (count: number) =>
  Array.from({ length: count }, () => ({ kind: 'navigation', event_id: randomUUID(), timestamp: Date.now(), url: 'https://shop.example.com/', route: '/', type: 'route', duration: 100 }));

async function send(target: ChildCollector, events: unknown[]): Promise<void> {
  const response = await fetch(`${target.url}/api/1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-lookout-key': target.ingestKey },
    body: JSON.stringify({ sdk: { name: 'test', version: '1' }, events }),
  });
  expect(response.status).toBe(202);
  await waitForEmptySpool(target.url);
}

async function history(target: ChildCollector): Promise<{ kind: string }[]> {
  const response = await fetch(`${target.url}/api/1/alerts/history`, { headers: { authorization: 'Bearer restart-admin' } });
  return ((await response.json()) as { history: { kind: string }[] }).history;
}

const firings = () => hook.requests.filter((request) => JSON.parse(request.body).kind === 'threshold.firing');

it('neither loses a window nor fires again after a restart mid-window (issue frequency and error rate)', async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookout-alert-restart-'));
  hook = await startReceiver('/hook');
  const config = join(dir, 'lookout.config.json');
  await writeFile(
    config,
    JSON.stringify({
      alerts: {
        rules: [
          {
            project: 1,
            name: 'Bursts',
            type: 'issue.frequency',
            threshold: { events: 50, window_minutes: 30 },
            destinations: [{ type: 'webhook', url: hook.url, secret: 'restart-test-secret-123' }],
          },
          {
            project: 1,
            name: 'Slow burst',
            type: 'issue.frequency',
            threshold: { events: 50, window_minutes: 30 },
            filters: { tags: { burst: 'slow' } },
            destinations: [{ type: 'webhook', url: hook.url, secret: 'restart-test-secret-123' }],
          },
          {
            project: 1,
            name: 'Error rate',
            type: 'error.rate',
            threshold: { rate: 0.2, min_page_views: 10, window_minutes: 30 },
            destinations: [{ type: 'webhook', url: hook.url, secret: 'restart-test-secret-123' }],
          },
        ],
      },
    }),
  );
  const args = ['--data', join(dir, 'data'), '--config', config];
  const env = { LOOKOUT_ADMIN_TOKEN: 'restart-admin', LOOKOUT_RATE_LIMIT_PROJECT: '0', LOOKOUT_RATE_LIMIT_IP: '0' };

  collector = await spawnCollector(args, env);
  await send(collector, [...burst(60), ...views(20), ...slowBurst(30)]);
  await until(() => firings().length >= 2, 'both rules firing', 30_000);
  // Killed once the delivery is recorded: what a restart must not repeat is a completed alert.
  await until(async () => (await history(collector!)).length >= 2, 'the history of the first run');
  collector.process.kill('SIGKILL');
  await collector.exited;

  collector = await spawnCollector(args, env);
  // Over both thresholds on their own: only the rebuilt windows (already firing) and the claims keep them quiet.
  await send(collector, [...burst(60), ...views(10), ...slowBurst(30)]);
  // 30 + 30 of the slow burst: over 50 only if the window before the restart was kept.
  await until(() => firings().some((request) => JSON.parse(request.body).rule.name === 'Slow burst'), 'the slow burst firing after the restart', 30_000, () => collector?.output().slice(-3000));
  // Give a re-fire every chance to happen: the engine ticks every 5 s.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  // Each (rule, issue) fired once: the unfiltered "Bursts" also counts the slow burst's issue, which
  // reached 50 only after the restart — like "Slow burst", thanks to the kept window.
  const fired = firings().map((request) => {
    const body = JSON.parse(request.body);
    return `${body.rule.name} / ${body.issue?.type ?? 'all'}`;
  });
  expect(fired.sort()).toEqual(['Bursts / RangeError', 'Bursts / SyntaxError', 'Error rate / all', 'Slow burst / RangeError']);
  expect((await history(collector)).filter((entry) => entry.kind === 'threshold.firing')).toHaveLength(4);
});
