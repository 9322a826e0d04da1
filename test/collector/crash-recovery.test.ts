/**
 * `kill -9` under load: every event the collector acknowledged is stored exactly once after it
 * restarts — checked on the raw table rows (no FINAL), so the spool replay and the insert dedup
 * tokens are what is proven, not a query-time merge.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../collector/src/store/embedded.js';
import { spawnCollector, waitForEmptySpool } from '../support/child-collector.js';
import { runLoad } from '../support/load.js';
import { expectEachStoredOnce } from '../support/stored-copies.js';

let dataDir: string;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('loses nothing it acknowledged and stores nothing twice when killed with SIGKILL under load', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lookout-crash-'));
  const env = { LOOKOUT_ADMIN_TOKEN: 'crash-admin', LOOKOUT_RATE_LIMIT_PROJECT: '0', LOOKOUT_RATE_LIMIT_IP: '0' };
  const first = await spawnCollector(['--data', dataDir], env);

  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    first.process.kill('SIGKILL');
  }, 3000);
  const load = await runLoad({ url: first.url, key: first.ingestKey, durationMs: 6000, senders: 6, stop: () => killed });
  clearTimeout(killer);
  expect(await first.exited).toBe('SIGKILL');
  expect(load.acknowledged.size, 'the load must have been acknowledged for a while before the kill').toBeGreaterThan(500);

  const second = await spawnCollector(['--data', dataDir], env);
  await waitForEmptySpool(second.url);
  // The read API sees the data the restarted collector replayed.
  const page = await fetch(`${second.url}/api/1/events?limit=5&since=0`, { headers: { authorization: 'Bearer crash-admin' } });
  expect((await page.json()).events).toHaveLength(5);
  expect(await second.stop('SIGTERM')).toBe(0);

  await expectEachStoredOnce(await openEmbeddedStore({ dataDir, database: 'lookout' }), load.acknowledged);
}, 180_000);
