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

it('does not fire again after a restart mid-window (issue frequency and error rate)', async () => {
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
  await send(collector, [...burst(60), ...views(20)]);
  await until(() => firings().length >= 2, 'both rules firing', 30_000);
  // Killed once the delivery is recorded: what a restart must not repeat is a completed alert.
  await until(async () => (await history(collector!)).length >= 2, 'the history of the first run');
  collector.process.kill('SIGKILL');
  await collector.exited;

  collector = await spawnCollector(args, env);
  // Over both thresholds on their own: only the rebuilt windows (already firing) and the claims keep them quiet.
  await send(collector, [...burst(60), ...views(10)]);
  // Give a re-fire every chance to happen: the engine ticks every 5 s.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  expect(firings().map((request) => JSON.parse(request.body).rule.name).sort()).toEqual(['Bursts', 'Error rate']);
  expect((await history(collector)).map((entry) => entry.kind)).toEqual(['threshold.firing', 'threshold.firing']);
});
