/**
 * npm run bench:ingest-stages — CPU cost of each ingest and processor stage per event, measured
 * in one process on the same realistic batches as bench:ingest, so bench/README.md can say where
 * the time goes. The chDB insert is measured into the real (ReplacingMergeTree) tables and into
 * Null-engine copies (parsing only).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import secureJson from 'secure-json-parse';
import { DEFAULT_LIMITS } from '../collector/src/config/config.js';
import { normalizeEvent } from '../collector/src/ingest/normalize-event.js';
import { createEventValidator } from '../collector/src/ingest/validate-event.js';
import { rowsByTable, type TableRows } from '../collector/src/process/rows.js';
import { decodeBatch, encodeBatch } from '../collector/src/process/spooled-batch.js';
import { openStore } from '../collector/src/store/index.js';
import { mixedBatch } from '../test/support/events.js';

const BATCHES = 5000;
const EVENTS = 20;
const client = { browser_name: 'Chrome', browser_version: '131', os_name: 'Windows', os_version: '10', device_type: 'desktop' };
const bodies = Array.from({ length: BATCHES }, (_, i) => JSON.stringify(mixedBatch(i, EVENTS)));
const validate = createEventValidator();
const totals: Record<string, number> = {};
const time = <T>(stage: string, work: () => T): T => {
  const started = performance.now();
  const result = work();
  totals[stage] = (totals[stage] ?? 0) + performance.now() - started;
  return result;
};

const flushes: TableRows[][] = [];
let pending: ReturnType<typeof decodeBatch>[] = [];
for (const body of bodies) {
  const parsed = time('parse (JSON + prototype check)', () => secureJson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' }));
  const valid = time('validate (ajv, per event)', () => parsed.events.map(validate).filter((v: { ok: boolean }) => v.ok).map((v: { event: unknown }) => v.event));
  const now = Date.now();
  time('normalize (truncate, clamp)', () => valid.forEach((event: never) => normalizeEvent(event, DEFAULT_LIMITS, now)));
  const record = time('spool record encode', () => encodeBatch({ p: 1, t: now, ua: '', sdk: parsed.sdk, events: valid }));
  pending.push(time('processor: decode record', () => decodeBatch(record)));
  if (pending.length === 1000) {
    const batches = pending;
    pending = [];
    flushes.push(time('processor: rows', () => rowsByTable(batches.flatMap((b) => b.events.map((event) => ({ projectId: 1, receivedAt: now, sdk: b.sdk, client, event }))), 30)));
  }
}
const encoded = flushes.map((tables) =>
  time('processor: JSONCompactEachRow encode', () => tables.map((t) => ({ ...t, payload: t.rows.map((r) => JSON.stringify(r)).join('\n') }))),
);

const dir = await mkdtemp(join(tmpdir(), 'lookout-stages-'));
const store = await openStore({ dataDir: dir });
for (const table of ['errors', 'vitals', 'navigations']) await store.exec(`CREATE TABLE ${table}_parse_only AS ${table} ENGINE = Null`);
for (const [i, tables] of flushes.entries()) {
  for (const { table, columns, rows } of tables) {
    const cpu = process.cpuUsage();
    await store.insert(table, rows, { columns, dedupToken: `stages-${i}-${table}` });
    const used = process.cpuUsage(cpu);
    totals['chDB insert (all threads)'] = (totals['chDB insert (all threads)'] ?? 0) + (used.user + used.system) / 1000;
    const cpuNull = process.cpuUsage();
    await store.insert(`${table}_parse_only`, rows, { columns });
    const usedNull = process.cpuUsage(cpuNull);
    totals['same rows into a Null table (parsing only)'] = (totals['same rows into a Null table (parsing only)'] ?? 0) + (usedNull.user + usedNull.system) / 1000;
  }
}
void encoded;
await store.close();
await rm(dir, { recursive: true, force: true });

const events = BATCHES * EVENTS;
console.log(`bench:ingest-stages — ${events} events in ${BATCHES} batches, node ${process.version}`);
for (const [stage, ms] of Object.entries(totals)) console.log(`${stage.padEnd(44)} ${((ms * 1000) / events).toFixed(2).padStart(6)} µs/event`);
