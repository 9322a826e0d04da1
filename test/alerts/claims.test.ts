/**
 * Two collectors (real child processes) on one ClickHouse engine (the test-only HTTP front onto
 * chDB), the same rule in both configs, and each new bug thrown at both at the same moment: both
 * open the issue and both want to alert — the claim in ClickHouse lets exactly one send.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ingestInto, spawnCollector, waitForEmptySpool, type ChildCollector } from '../support/child-collector.js';
import { bugEvent } from '../support/events.js';
import { startClickHouseHttpFront, type ClickHouseHttpFront } from '../support/clickhouse-http-front.js';
import { until } from '../support/stored-events.js';
import { startReceiver, type Receiver } from './receiver.js';

let dir: string;
let front: ClickHouseHttpFront | undefined;
let slack: Receiver | undefined;
const collectors: ChildCollector[] = [];
afterAll(async () => {
  for (const collector of collectors) await collector.stop();
  await front?.close();
  await slack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('sends each new-issue alert once across two collectors on one ClickHouse', async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookout-claims-'));
  front = await startClickHouseHttpFront({ dataDir: join(dir, 'clickhouse') });
  slack = await startReceiver('/services/T/B/X');
  const config = join(dir, 'lookout.config.json');
  await writeFile(
    config,
    JSON.stringify({ alerts: { rules: [{ project: 1, name: 'New issues', type: 'issue.new', destinations: [{ type: 'slack', webhook_url: slack.url }] }] } }),
  );
  const env = { LOOKOUT_ADMIN_TOKEN: 'claims-admin', LOOKOUT_RATE_LIMIT_PROJECT: '0', LOOKOUT_RATE_LIMIT_IP: '0' };
  collectors.push(await spawnCollector(['--data', join(dir, 'a'), '--clickhouse-url', front.url, '--config', config], env));
  collectors.push(await spawnCollector(['--data', join(dir, 'b'), '--clickhouse-url', front.url, '--config', config], env));
  const [a, b] = collectors;
  expect(b.ingestKey).toBe(a.ingestKey);

  const bugs = ['AlphaError', 'BetaError', 'GammaError', 'DeltaError', 'EpsilonError'];
  for (const type of bugs) {
    await Promise.all([a, b].map((collector) => ingestInto(collector, [bugEvent(type)]).then((response) => expect(response.status).toBe(202))));
  }
  await Promise.all([a, b].map((collector) => waitForEmptySpool(collector.url)));

  const titles = () => slack!.requests.map((request) => /New issue: (\w+Error)/.exec(request.body)?.[1]);
  await until(() => new Set(titles()).size === bugs.length, 'an alert for every bug', 30_000, () => ({
    titles: titles(),
    output: collectors.map((collector) => collector.output().slice(-2000)),
  }));
  // Both collectors had their chance: each alert's claim was decided within a fraction of a second.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(titles().sort()).toEqual([...bugs].sort());
});
