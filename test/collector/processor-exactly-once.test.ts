/**
 * The processor on a real spool and the real chDB engine, with the two failures that could
 * double-store: a write whose answer is lost, and a crash between the write and the checkpoint.
 * Counts are taken on raw rows (no FINAL).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../collector/src/log.js';
import { createMetrics } from '../../collector/src/ops/metrics.js';
import type { ProcessedEvent } from '../../collector/src/process/pipeline.js';
import { startProcessor } from '../../collector/src/process/processor.js';
import { createGroupingStage } from '../../collector/src/issues/grouping-stage.js';
import { createIssueStore } from '../../collector/src/issues/issue-store.js';
import { encodeBatch } from '../../collector/src/process/spooled-batch.js';
import { openSpool } from '../../collector/src/spool/open-spool.js';
import { openStore } from '../../collector/src/store/index.js';
import { StoreError, type Store } from '../../collector/src/store/types.js';
import { mixedBatch, USER_AGENTS } from '../support/events.js';
import { storedCopies } from '../support/stored-copies.js';

const silent = new Proxy({}, { get: (_t, name) => (name === 'child' ? () => silent : () => {}) }) as Logger;

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookout-processor-'));
  store = await openStore({ dataDir: dir });
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function appendBatches(spoolDir: string, count: number, seed: number): Promise<string[]> {
  const spool = await openSpool({ dir: spoolDir });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const batch = mixedBatch(seed + i, 10);
    ids.push(...batch.events.map((e) => e.event_id));
    await spool.append(encodeBatch({ p: 1, t: Date.now(), ua: USER_AGENTS[i % USER_AGENTS.length], sdk: batch.sdk, events: batch.events }));
  }
  await spool.close();
  return ids;
}

function processorOn(spool: Awaited<ReturnType<typeof openSpool>>, target: Store, deadLettered: { events: ProcessedEvent[]; reason: string }[] = []) {
  const metrics = createMetrics(() => spool.stats());
  return startProcessor({
    // Grouping writes issues and fills issue_counts through the materialised view: replays must not double those either.
    stages: [createGroupingStage({ issues: createIssueStore(store), metrics })],
    deadLetter: async (events, reason) => {
      deadLettered.push({ events: [...events], reason });
    },
    spool,
    store: target,
    metrics,
    log: silent,
    retentionDays: 30,
    batchRows: 1000,
    flushIntervalMs: 50,
    errorFlushIntervalMs: 50,
    maxBackoffMs: 200,
  });
}

/** Raw error rows (no FINAL) vs what the issue counts say: equal when nothing was counted twice. */
async function issueCountsMatchErrors(): Promise<void> {
  const [{ rows }] = await store.query<{ rows: string }>("SELECT toString(sum(count)) AS rows FROM errors WHERE issue_id != ''");
  const [{ counted }] = await store.query<{ counted: string }>('SELECT toString(sum(events)) AS counted FROM issue_counts');
  expect(Number(rows)).toBeGreaterThan(0);
  expect(counted).toBe(rows);
}

describe('processor exactly-once', () => {
  it('retries a write whose answer was lost under the same dedup token: stored once', async () => {
    const spoolDir = join(dir, 'spool-lost-answer');
    const ids = await appendBatches(spoolDir, 20, 1000);
    let failures = 0;
    const losesFirstAnswers: Store = {
      ...store,
      async insert(table, rows, options) {
        await store.insert(table, rows, options);
        if (failures++ < 3) throw new StoreError('connection reset after the write', true);
      },
    };
    const spool = await openSpool({ dir: spoolDir });
    const processor = await processorOn(spool, losesFirstAnswers);
    await processor.drain();
    await processor.stop();
    await spool.close();
    expect(failures).toBeGreaterThan(3);
    const copies = await storedCopies(store, ids);
    expect(ids.filter((id) => copies.get(id) !== 1)).toEqual([]);
    await issueCountsMatchErrors();
  });

  it('re-sends the in-flight range after a crash between the write and the checkpoint: stored once', async () => {
    const spoolDir = join(dir, 'spool-crash');
    const ids = await appendBatches(spoolDir, 30, 5000);
    let written!: () => void;
    const firstWriteDone = new Promise<void>((resolve) => (written = resolve));
    const hangsAfterWriting: Store = {
      ...store,
      async insert(table, rows, options) {
        await store.insert(table, rows, options);
        written();
        await new Promise(() => {}); // the process "dies" here: no answer, no checkpoint
      },
    };
    const crashed = await openSpool({ dir: spoolDir });
    void processorOn(crashed, hangsAfterWriting);
    await firstWriteDone;
    expect((await crashed.loadCheckpoint()).inflight, 'the range must be recorded before the write').toBeDefined();
    await crashed.close();

    const spool = await openSpool({ dir: spoolDir });
    const processor = await processorOn(spool, store);
    await processor.drain();
    await processor.stop();
    expect((await spool.loadCheckpoint()).inflight).toBeUndefined();
    expect(spool.stats().pendingRecords).toBe(0);
    await spool.close();
    const copies = await storedCopies(store, ids);
    expect(ids.filter((id) => copies.get(id) !== 1)).toEqual([]);
    await issueCountsMatchErrors();
  });

  it('isolates an event the store refuses as invalid: it goes to the dead letter, the rest is stored once', async () => {
    const spoolDir = join(dir, 'spool-poison');
    const ids = await appendBatches(spoolDir, 25, 9000);
    const poison = ids[77];
    const refusesPoison: Store = {
      ...store,
      async insert(table, rows, options) {
        if ((rows as unknown[][]).some((row) => row.includes(poison))) throw new StoreError('Cannot parse input: the poison event', false);
        await store.insert(table, rows, options);
      },
    };
    const deadLettered: { events: ProcessedEvent[]; reason: string }[] = [];
    const spool = await openSpool({ dir: spoolDir });
    const processor = await processorOn(spool, refusesPoison, deadLettered);
    await processor.drain();
    await processor.stop();
    expect(spool.stats().pendingRecords).toBe(0);
    await spool.close();
    expect(deadLettered.map((d) => d.events.map((e) => e.event.event_id))).toEqual([[poison]]);
    expect(deadLettered[0].reason).toMatch(/poison/);
    const copies = await storedCopies(store, ids);
    expect(ids.filter((id) => id !== poison && copies.get(id) !== 1)).toEqual([]);
    expect(copies.has(poison)).toBe(false);
  });
});
