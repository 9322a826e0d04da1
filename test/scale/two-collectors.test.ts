/**
 * Two collectors, one store: one real ClickHouse engine (chDB behind the test-only HTTP front,
 * in this process) and two collector processes A and B pointed at it with `--clickhouse-url`, the
 * same admin token and each its own data folder (its own spool). Proven, in order:
 *   1. events ingested through either are readable through both (events API, issues list);
 *   2. an `issue.new` rule created through A: the same new bug thrown at A and B at the same
 *      moment gives exactly one Slack message (and no title is ever sent twice in the whole run);
 *   3. an issue resolved through A is seen resolved through B (within B's issue-cache window);
 *   4. `kill -9` A under load through both, keep loading B, restart A on its data folder: every
 *      event acknowledged by either is stored exactly once (raw rows, no FINAL);
 *   5. a certificate target (a local TLS server), 3-second rounds: each round is checked once in
 *      total across A and B (cert_checks rows per round; the TLS server's connections agree).
 * The "minute" is shortened through test/scale/serve-child.ts (LOOKOUT_TEST_MINUTE_MS).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { roundOffset } from '../../collector/src/certs/monitor.js';
import { openServerStore } from '../../collector/src/store/server.js';
import type { Store } from '../../collector/src/store/types.js';
import { startReceiver, type Receiver } from '../alerts/receiver.js';
import { createPki, type Pki } from '../certs/pki.js';
import { serveTls, type Endpoint } from '../certs/tls-servers.js';
import { ingestInto, waitForEmptySpool } from '../support/child-collector.js';
import { bugEvent } from '../support/events.js';
import { startClickHouseHttpFront, type ClickHouseHttpFront } from '../support/clickhouse-http-front.js';
import { runLoad } from '../support/load.js';
import { expectEachStoredOnce } from '../support/stored-copies.js';
import { until } from '../support/stored-events.js';
import { spawnReplica, type Replica } from './replicas.js';

const ADMIN = 'scale-admin';
const MINUTE_MS = 3000; // one certificate round (--certs-interval-minutes 1) = 3 s
const ENV = {
  LOOKOUT_ADMIN_TOKEN: ADMIN,
  LOOKOUT_RATE_LIMIT_PROJECT: '0',
  LOOKOUT_RATE_LIMIT_IP: '0',
  LOOKOUT_TEST_MINUTE_MS: String(MINUTE_MS),
  LOOKOUT_CERTS_INTERVAL_MINUTES: '1',
};

let dir: string;
let front: ClickHouseHttpFront | undefined;
let slack: Receiver | undefined;
let pki: Pki | undefined;
let tls: Endpoint | undefined;
let store: Store | undefined;
const replicas: Replica[] = [];
afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await store?.close().catch(() => {});
  await front?.close();
  await slack?.close();
  await tls?.close();
  await pki?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => console.log(`[two-collectors +${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}`);
let t0 = Date.now();

async function api(replica: Replica, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${replica.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${replica.name} ${method} ${path} → ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}


async function ingest(replica: Replica, events: unknown[]): Promise<void> {
  expect((await ingestInto(replica, events)).status, `${replica.name} ingest`).toBe(202);
}

it('shares one ClickHouse between two collector processes', async () => {
  t0 = Date.now();
  dir = await mkdtemp(join(tmpdir(), 'lookout-scale-'));
  front = await startClickHouseHttpFront({ dataDir: join(dir, 'clickhouse') });
  slack = await startReceiver('/services/T/B/X');
  pki = await createPki();
  const leaf = await pki.leaf({ name: 'replicas', sans: ['127.0.0.1'], days: 90 });
  tls = await serveTls({ key: leaf.key, cert: leaf.cert });
  const connections: number[] = [];
  (tls as Endpoint & { server: import('node:tls').Server }).server.on('connection', () => connections.push(Date.now()));

  // Started one after the other: the first creates the schema and the default project.
  const args = ['--clickhouse-url', front.url];
  let a = await spawnReplica('A', join(dir, 'a'), args, ENV);
  const b = await spawnReplica('B', join(dir, 'b'), args, ENV);
  replicas.push(a, b);
  expect(b.ingestKey, 'one project registry').toBe(a.ingestKey);
  log(`A ${a.url} and B ${b.url} up`);

  // The certificate target goes in first, so its rounds run through everything below.
  const { target } = await api(a, 'POST', '/api/1/certs/targets', { host: '127.0.0.1', port: tls.port });
  const targetCreatedAt = Date.now();
  await until(async () => (await api(b, 'GET', '/api/1/certs/targets')).targets.some((t: { id: string }) => t.id === target.id), 'B to know the certificate target', 15_000);
  const targetKnownByBothAt = Date.now();
  log(`certificate target ${target.id} on 127.0.0.1:${tls.port}; B knew it after ${targetKnownByBothAt - targetCreatedAt} ms`);

  // 1. Through either, readable through both. Both spools are fresh and the two batches are the
  // same size, so both collectors write the same spool range (segment, offsets): their inserts
  // must still both be stored.
  const viaA = Array.from({ length: 10 }, () => bugEvent('ReplicaAError'));
  const viaB = Array.from({ length: 10 }, () => bugEvent('ReplicaBError'));
  await Promise.all([ingest(a, viaA), ingest(b, viaB)]);
  await Promise.all([a, b].map((replica) => waitForEmptySpool(replica.url)));
  const written = [...viaA, ...viaB].map((event) => event.event_id).sort();
  for (const replica of [a, b]) {
    const page = await api(replica, 'GET', '/api/1/events?since=0&kind=error&limit=1000');
    const ids = page.events.map((event: { event_id: string }) => event.event_id);
    // (Fails while the processor's insert dedup token is only the spool range — the same on every
    // fresh replica — so ClickHouse drops the second collector's insert as a duplicate.)
    expect(written.filter((id) => !ids.includes(id)), `acknowledged events missing through ${replica.name}`).toEqual([]);
    const list = await api(replica, 'GET', '/api/1/issues?since=0');
    const titles = list.issues.map((issue: { title: string }) => issue.title).join('\n');
    expect(titles, `issues through ${replica.name}`).toContain('ReplicaAError');
    expect(titles, `issues through ${replica.name}`).toContain('ReplicaBError');
  }
  log('1. 20 events (10 through A, 10 through B) read back through both; both issues listed by both');

  // 2. A rule created through A; B picks it up at its next rule-store refresh.
  const ruleCreatedAt = Date.now();
  const { rule } = await api(a, 'POST', '/api/1/alerts/rules', { name: 'New issues', type: 'issue.new', destinations: [{ type: 'slack', webhook_url: slack.url }] });
  await until(async () => (await api(b, 'GET', '/api/1/alerts/rules')).rules.some((r: { id: string }) => r.id === rule.id), 'B to load the rule', 15_000);
  log(`2. rule created through A; B had it after ${Date.now() - ruleCreatedAt} ms (rule store refresh: 10 s)`);
  const titles = () => slack!.requests.map((request) => /New issue: (\w+)/.exec(request.body)?.[1]).filter(Boolean) as string[];
  await Promise.all([ingest(a, [bugEvent('ReplicaGammaError')]), ingest(b, [bugEvent('ReplicaGammaError')])]);
  const sentAt = Date.now();
  await until(() => titles().includes('ReplicaGammaError'), 'the Slack message', 30_000, () => ({ titles: titles(), a: a.output().slice(-2000), b: b.output().slice(-2000) }));
  log(`   first Slack message after ${Date.now() - sentAt} ms`);
  await sleep(3000); // both collectors had their chance to send
  expect(titles().filter((title) => title === 'ReplicaGammaError')).toHaveLength(1);

  // 3. Resolved through A, seen through B. B has the issue cached (it grouped an event of it and reads it now).
  const [gamma] = (await api(a, 'GET', '/api/1/issues?since=0&q=ReplicaGammaError')).issues;
  expect((await api(b, 'GET', `/api/1/issues/${gamma.id}`)).issue.status).toBe('unresolved');
  const resolvedAt = Date.now();
  expect((await api(a, 'PATCH', `/api/1/issues/${gamma.id}`, { status: 'resolved' })).issue.status).toBe('resolved');
  const listedAfter = await until(async () => {
    const list = await api(b, 'GET', `/api/1/issues?since=0&status=resolved`);
    return list.issues.some((issue: { id: string }) => issue.id === gamma.id) && Date.now() - resolvedAt + 1;
  }, 'B to list the issue as resolved', 15_000);
  const detailAfter = await until(async () => (await api(b, 'GET', `/api/1/issues/${gamma.id}`)).issue.status === 'resolved' && Date.now() - resolvedAt + 1, 'B to show the issue resolved', 15_000);
  expect(detailAfter).toBeLessThanOrEqual(11_000); // the issue store's cache: 10 s
  log(`3. resolved through A; B's issues list showed it after ${listedAfter - 1} ms, B's issue page after ${detailAfter - 1} ms (issue cache 10 s)`);

  // 4. kill -9 A under load through both; B keeps taking events; A restarts on its own data folder.
  let aKilled = false;
  let bStop = false;
  const loadA = runLoad({ url: a.url, key: a.ingestKey, durationMs: 30_000, senders: 3, stop: () => aKilled });
  const loadB = runLoad({ url: b.url, key: b.ingestKey, durationMs: 40_000, senders: 3, stop: () => bStop });
  await sleep(3000);
  aKilled = true;
  a.process.kill('SIGKILL');
  expect(await a.exited).toBe('SIGKILL');
  const killedAt = Date.now();
  log('4. A killed (SIGKILL) under load');
  const restarted = await spawnReplica('A', a.dataDir, args, ENV);
  replicas[0] = a = restarted;
  log(`   A restarted on its data folder after ${Date.now() - killedAt} ms; B took load all along`);
  const loadA2 = runLoad({ url: a.url, key: a.ingestKey, durationMs: 1500, senders: 2 });
  await sleep(1500);
  bStop = true;
  const loads = await Promise.all([loadA, loadB, loadA2]);
  const acknowledged = new Set(loads.flatMap((load) => [...load.acknowledged]));
  log(`   acknowledged: A before kill ${loads[0].acknowledged.size}, B ${loads[1].acknowledged.size}, A after restart ${loads[2].acknowledged.size}; network errors on A ${loads[0].networkErrors}`);
  expect(loads[0].acknowledged.size).toBeGreaterThan(100);
  expect(loads[1].acknowledged.size).toBeGreaterThan(100);
  await Promise.all([a, b].map((replica) => waitForEmptySpool(replica.url)));
  store = await openServerStore({ url: front.url, database: 'lookout' });
  const checking = store;
  store = undefined;
  await expectEachStoredOnce(checking, acknowledged); // closes it
  log(`   all ${acknowledged.size} acknowledged events stored exactly once`);

  // 5. Certificate rounds: a few quiet rounds with both up, then count per round.
  await sleep(3 * MINUTE_MS + 500);
  store = await openServerStore({ url: front.url, database: 'lookout' });
  const checks = await store.query<{ ms: string; collector_id: string; check_id: string }>(
    `SELECT toUnixTimestamp64Milli(checked_at) AS ms, collector_id, check_id FROM cert_checks WHERE target_id = {id:String} ORDER BY ms`,
    { id: target.id },
  );
  const offset = roundOffset(`1:${target.id}`, MINUTE_MS);
  const roundOf = (ms: number) => Math.floor((ms - offset) / MINUTE_MS);
  const perRound = new Map<number, { checks: number; by: Set<string> }>();
  // Rounds wholly after B knew the target (the first check, "check now" at creation, is not a round's).
  const firstRound = roundOf(targetKnownByBothAt) + 1;
  const lastRound = roundOf(Date.now()) - 1;
  for (const check of checks) {
    const round = roundOf(Number(check.ms));
    if (round < firstRound || round > lastRound) continue;
    const entry = perRound.get(round) ?? { checks: 0, by: new Set() };
    entry.checks++;
    entry.by.add(check.collector_id);
    perRound.set(round, entry);
  }
  const rounds = Array.from({ length: lastRound - firstRound + 1 }, (_, i) => firstRound + i);
  const twice = rounds.filter((round) => (perRound.get(round)?.checks ?? 0) > 1);
  const missed = rounds.filter((round) => !perRound.has(round));
  const quiet = rounds.filter((round) => (round + 1) * MINUTE_MS + offset <= Date.now() && round * MINUTE_MS + offset >= Date.now() - 3 * MINUTE_MS - 500);
  const connectionsInRound = (round: number) => connections.filter((ms) => roundOf(ms) === round).length;
  const collectors = new Set(checks.map((check) => check.collector_id));
  log(`5. ${rounds.length} certificate rounds of ${MINUTE_MS} ms: ${checks.length} checks in all by ${collectors.size} collector id(s); rounds checked twice: [${twice}], rounds missed: [${missed}] (kill/restart rounds included); quiet rounds [${quiet}] → connections ${quiet.map(connectionsInRound)}`);
  expect(twice, 'rounds checked more than once').toEqual([]);
  for (const round of quiet) {
    expect(perRound.get(round)?.checks, `checks in quiet round ${round}`).toBe(1);
    expect(connectionsInRound(round), `TLS connections in quiet round ${round} (one check)`).toBeGreaterThanOrEqual(1);
  }
  // A check's connections (main + TLS 1.0/1.1 probes) are all of one check: never two checks' worth.
  const perCheck = Math.max(...quiet.map(connectionsInRound));
  for (const round of rounds) expect(connectionsInRound(round), `TLS connections in round ${round}`).toBeLessThanOrEqual(perCheck);

  // No Slack title twice in the whole run (new issues from the load included).
  const all = titles();
  expect(all.filter((title, i) => all.indexOf(title) !== i), 'titles sent twice').toEqual([]);
  log(`done: ${all.length} Slack messages, none twice`);
}, 150_000);
