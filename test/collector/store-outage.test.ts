/**
 * ClickHouse (a real engine behind the test-only HTTP front) fails for several seconds under
 * steady load — first answering 503, then refusing connections. The collector (a real child
 * process on the server backend) keeps acknowledging into its spool, answers 503 + Retry-After
 * once the spool quota is reached, and afterwards every acknowledged event is stored once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openServerStore } from '../../collector/src/store/server.js';
import { spawnCollector, waitForEmptySpool, type ChildCollector } from '../support/child-collector.js';
import { startClickHouseHttpFront, type ClickHouseHttpFront } from '../support/clickhouse-http-front.js';
import { runLoad } from '../support/load.js';
import { expectEachStoredOnce } from '../support/stored-copies.js';

let dir: string;
let front: ClickHouseHttpFront | undefined;
let collector: ChildCollector | undefined;
afterAll(async () => {
  await collector?.stop();
  await front?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('keeps every acknowledged event through a storage outage, exactly once', async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookout-outage-'));
  front = await startClickHouseHttpFront({ dataDir: join(dir, 'clickhouse') });
  collector = await spawnCollector(['--data', join(dir, 'collector'), '--clickhouse-url', front.url, '--spool-quota-mb', '2'], {
    LOOKOUT_ADMIN_TOKEN: 'outage-admin',
    LOOKOUT_RATE_LIMIT_PROJECT: '0',
    LOOKOUT_RATE_LIMIT_IP: '0',
  });

  const observed = { notReady: false };
  const outage = (async () => {
    await sleep(1500);
    await front!.setDown(true, 'http-503');
    await sleep(3000);
    await front!.setDown(true, 'refuse');
    const ready = await fetch(`${collector!.url}/readyz`);
    observed.notReady = ready.status === 503 && /store unreachable/.test(JSON.stringify(await ready.json()));
    await sleep(3000);
    await front!.setDown(false);
  })();
  const load = await runLoad({ url: collector.url, key: collector.ingestKey, durationMs: 10_000, senders: 4, pauseMs: 5 });
  await outage;

  expect(observed.notReady, '/readyz must report the store as unreachable during the outage').toBe(true);
  expect(load.statuses.get(503) ?? 0, 'a 2 MB spool must fill during a 6 s outage').toBeGreaterThan(0);
  expect(load.refusals.every((refusal) => Number(refusal.retryAfter) >= 1), 'every 503 carries Retry-After').toBe(true);
  expect(load.acknowledged.size).toBeGreaterThan(500);

  await waitForEmptySpool(collector.url, 120_000);
  const metrics = await (await fetch(`${collector.url}/metrics`)).text();
  // The outage hits the processor's stages (issue and artifact reads) or its inserts, whichever runs then.
  const storeErrors = [...metrics.matchAll(/^lookout_store_errors_total\{operation="(?:insert|stage)"\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  expect(storeErrors).toBeGreaterThan(0);
  expect(metrics).toMatch(/^lookout_events_rejected_total\{reason="spool_full"\} [1-9]/m);
  expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);

  await expectEachStoredOnce(await openServerStore({ url: front.url, database: 'lookout' }), load.acknowledged);
}, 180_000);
