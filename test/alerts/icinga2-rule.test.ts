/**
 * A rule with an Icinga2 destination, end to end: a real collector process (bin/lookout.js with a
 * config file) and a real Icinga2 daemon. The passive service is OK while nothing is wrong (the
 * collector keeps it fresh), CRITICAL when the error rate goes over, OK again when it clears, and
 * UNKNOWN once the collector is stopped and the ttl runs out.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnCollector, waitForEmptySpool, type ChildCollector } from '../support/child-collector.js';
import { startIcinga2, type Icinga2 } from '../support/icinga2.js';
import { until } from '../support/stored-events.js';

let dir: string;
let icinga: Icinga2;
let collector: ChildCollector | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookout-icinga-rule-'));
  icinga = await startIcinga2();
}, 120_000);
afterAll(async () => {
  await collector?.stop();
  await icinga?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const common = () => ({ event_id: randomUUID(), timestamp: Date.now(), url: 'https://shop.example.com/cart', route: '/cart' });
const navigation = () => ({ kind: 'navigation', ...common(), type: 'route', duration: 100 });
const error = () => ({ kind: 'error', ...common(), type: 'TypeError', message: 'broken', frames: [{ function: 'f', file: 'https://shop.example.com/app.js', line: 1, column: 1 }] });

async function send(events: unknown[]): Promise<void> {
  const response = await fetch(`${collector!.url}/api/1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-lookout-key': collector!.ingestKey },
    body: JSON.stringify({ sdk: { name: 'test', version: '1' }, events }),
  });
  expect(response.status).toBe(202);
  await waitForEmptySpool(collector!.url);
}

const state = async () => (await icinga.serviceState('shop', 'lookout-errors')).lastCheckResult;

it('OK, CRITICAL on the alert, OK when it clears, UNKNOWN after the ttl with the collector stopped', async () => {
  const config = join(dir, 'lookout.config.json');
  await writeFile(
    config,
    JSON.stringify({
      alerts: {
        rules: [
          {
            project: 1,
            name: 'Error rate',
            type: 'error.rate',
            threshold: { rate: 0.2, min_page_views: 10, window_minutes: 30 },
            destinations: [
              {
                type: 'icinga2',
                url: icinga.url,
                username: icinga.users.lookout.username,
                password: icinga.users.lookout.password,
                ca_file: icinga.caFile,
                host: 'shop',
                service: 'lookout-errors',
                ttl_seconds: 8,
              },
            ],
          },
        ],
      },
    }),
  );
  collector = await spawnCollector(['--data', join(dir, 'data'), '--config', config], { LOOKOUT_ADMIN_TOKEN: 'icinga-admin' });

  // Kept fresh while nothing is wrong.
  const ok = await until(async () => (await state())?.state === 0 && (await state()), 'the first OK', 30_000);
  expect(ok!.output).toMatch(/OK/);

  await send([...Array.from({ length: 20 }, navigation), ...Array.from({ length: 10 }, error)]);
  const critical = await until(async () => (await state())?.state === 2 && (await state()), 'CRITICAL', 30_000);
  expect(critical!.output).toMatch(/errors per page view 50\.0 % > 20\.0 %/);
  expect(critical!.check_source).toMatch(/^lookout@/);

  await send(Array.from({ length: 100 }, navigation));
  await until(async () => (await state())?.state === 0, 'OK after it clears', 30_000);

  await collector.stop();
  collector = undefined;
  await until(async () => (await state())?.state === 3, 'UNKNOWN after the ttl', 90_000);
});
