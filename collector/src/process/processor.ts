/**
 * Moves acknowledged batches from the spool into ClickHouse, in order, exactly once:
 * - the range about to be written is checkpointed as `inflight` first, and every table
 *   insert carries a dedup token derived from that range, so a crash or a retry re-sends
 *   the same rows under the same token and ClickHouse drops the copy;
 * - `committed` advances only after every table accepted the rows.
 * A batch the store keeps refusing as invalid (not as unreachable) is split in halves until the
 * refused events are isolated; those go to the dead-letter file and everything else is stored.
 */
import type { Logger } from '../log.js';
import type { CollectorMetrics } from '../ops/metrics.js';
import type { Spool, SpoolPosition, SpoolEntry } from '../spool/types.js';
import { StoreError, type Store } from '../store/types.js';
import type { ProcessedEvent, ProcessorStage, StoredListener } from './pipeline.js';
import { rowsByTable, TABLE_OF_KIND } from './rows.js';
import { decodeBatch, type SpooledBatch } from './spooled-batch.js';
import { createUserAgentParser } from './user-agent.js';

export interface ProcessorOptions {
  spool: Spool;
  store: Store;
  metrics: CollectorMetrics;
  log: Logger;
  retentionDays: number;
  /** Flush once this many events are waiting… */
  batchRows: number;
  /** …or once the oldest waiting event has waited this long. */
  flushIntervalMs: number;
  /** …or once the oldest waiting error has waited this long (alerts on new issues wait for it). */
  errorFlushIntervalMs: number;
  /** Ceiling of the exponential backoff while the store refuses writes. */
  maxBackoffMs: number;
  stages?: ProcessorStage[];
  /** Keeps events the store refuses outright (see deadLetter.ts); the processor then moves on. */
  deadLetter: (events: readonly ProcessedEvent[], reason: string) => Promise<void>;
}

/** Refusals of one batch as invalid before it is split to find the events the store rejects. */
const REFUSALS_BEFORE_SPLIT = 3;

export interface Processor {
  /** Listeners see each batch after the store accepted it. */
  onStored(listener: StoredListener): () => void;
  /** Resolves when everything appended so far has been stored (tests, graceful shutdown). */
  drain(): Promise<void>;
  /** True while the last write attempt failed and the processor is backing off. */
  readonly storeFailing: boolean;
  stop(): Promise<void>;
}

const READ_BYTES = 2 * 1024 * 1024;
/**
 * Spool records handled between two turns of the event loop. Decoding and row building are
 * synchronous; done for 20,000 events at once they would hold up acknowledgements for ~100 ms.
 */
const RECORDS_PER_TURN = 64;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const comparePositions = (a: SpoolPosition, b: SpoolPosition) => a.segment - b.segment || a.offset - b.offset;

export async function startProcessor(options: ProcessorOptions): Promise<Processor> {
  const { spool, store, metrics, log } = options;
  const stages = options.stages ?? [];
  const listeners = new Set<StoredListener>();
  const parseUserAgent = createUserAgentParser();
  let stopped = false;
  let storeFailing = false;
  let wake: (() => void) | undefined;
  const unsubscribe = spool.onAppend(() => wake?.());

  const checkpoint = await spool.loadCheckpoint();
  let readPosition = checkpoint.committed;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const toProcessed = (entries: DecodedEntry[]): ProcessedEvent[] =>
    entries.flatMap(({ batch }) => {
      const client = parseUserAgent(batch.ua);
      return batch.events.map((event) => ({ projectId: batch.p, receivedAt: batch.t, sdk: batch.sdk, client, event }));
    });

  /** Writes one spool range; retries until it succeeds or the processor stops. */
  async function writeRange(entries: DecodedEntry[]): Promise<boolean> {
    const from = entries[0].entry.position;
    const to = entries[entries.length - 1].entry.next;
    await spool.saveCheckpoint({ committed: from, inflight: { from, to, records: entries.length } }, 0);
    const events: ProcessedEvent[] = [];
    for (let i = 0; i < entries.length; i += RECORDS_PER_TURN) {
      events.push(...toProcessed(entries.slice(i, i + RECORDS_PER_TURN)));
      await nextTurn();
    }
    // The spool's id: another collector's spool has ranges at the same positions.
    const token = `spool:${spool.id}:${from.segment}:${from.offset}-${to.segment}:${to.offset}`;

    let backoff = 100;
    let refusals = 0;
    let staged = false;
    const refused = new Set<ProcessedEvent>();
    for (;;) {
      const started = performance.now();
      try {
        // Stages read ClickHouse too (artifacts, issues): while it is down they fail like the
        // write does, and the batch waits in the spool until both work.
        if (!staged) {
          for (const stage of stages) await runStage(stage, events);
          staged = true;
        }
        if (refusals < REFUSALS_BEFORE_SPLIT) await insertEvents(events, token);
        else await insertIsolatingRefused(events, token, refused);
        metrics.flushSeconds.observe((performance.now() - started) / 1000);
        metrics.flushRows.observe(events.length);
        countStored(events, refused);
        if (storeFailing) log.info({ backlogRecords: spool.stats().pendingRecords }, 'store accepts writes again');
        storeFailing = false;
        break;
      } catch (error) {
        metrics.storeErrors.inc({ operation: staged ? 'insert' : 'stage' });
        if (error instanceof StoreError && !error.retryable) refusals++;
        if (!storeFailing) log.error({ err: error }, 'store write failed; retrying with backoff, ingest keeps accepting into the spool');
        storeFailing = true;
        if (stopped) return false;
        await sleep(backoff * (0.5 + Math.random()));
        backoff = Math.min(backoff * 2, options.maxBackoffMs);
      }
    }
    await spool.saveCheckpoint({ committed: to }, entries.length);
    readPosition = to;
    for (const listener of listeners) {
      try {
        listener(events);
      } catch (error) {
        log.error({ err: error }, 'a stored-batch listener failed');
      }
    }
    return true;
  }

  async function runStage(stage: ProcessorStage, events: ProcessedEvent[]): Promise<void> {
    try {
      await stage.run(events);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      // A bug in a stage must not hold the pipeline: the events are stored without what it adds.
      log.error({ err: error, stage: stage.name }, 'a processor stage failed; the batch is stored without it');
      metrics.stageErrors.inc({ stage: stage.name });
    }
  }

  function countStored(events: readonly ProcessedEvent[], refused: Set<ProcessedEvent>): void {
    const perTable = new Map<string, number>();
    for (const processed of events) {
      if (refused.has(processed)) continue;
      const table = TABLE_OF_KIND[processed.event.kind];
      perTable.set(table, (perTable.get(table) ?? 0) + 1);
    }
    for (const [table, count] of perTable) metrics.eventsStored.inc({ table }, count);
  }

  async function insertEvents(events: readonly ProcessedEvent[], token: string): Promise<void> {
    for (const { table, columns, rows } of rowsByTable(events, options.retentionDays)) {
      await store.insert(table, rows, { columns, dedupToken: `${token}:${table}` });
    }
  }

  /**
   * Table by table: a table the store accepts whole is written under the same token as in the
   * normal path (so what an earlier attempt stored is deduplicated); a refused table is halved
   * until the refused events stand alone, each part under a token of its place in the range.
   */
  async function insertIsolatingRefused(events: readonly ProcessedEvent[], token: string, refused: Set<ProcessedEvent>): Promise<void> {
    for (const kind of new Set(events.map((processed) => processed.event.kind))) {
      await insertTablePart(events.filter((processed) => processed.event.kind === kind), token, refused, 0, true);
    }
  }

  async function insertTablePart(events: readonly ProcessedEvent[], token: string, refused: Set<ProcessedEvent>, first: number, whole: boolean): Promise<void> {
    const [{ table, columns, rows }] = rowsByTable(events, options.retentionDays);
    try {
      await store.insert(table, rows, { columns, dedupToken: whole ? `${token}:${table}` : `${token}:part:${first}+${events.length}:${table}` });
    } catch (error) {
      if (!(error instanceof StoreError) || error.retryable) throw error;
      if (events.length === 1) {
        if (refused.has(events[0])) return;
        log.error({ err: error, eventId: events[0].event.event_id }, 'the store refuses this event; it goes to the dead-letter file');
        metrics.eventsDeadLettered.inc();
        await options.deadLetter(events, error.message);
        refused.add(events[0]);
        return;
      }
      const half = Math.ceil(events.length / 2);
      await insertTablePart(events.slice(0, half), token, refused, first, false);
      await insertTablePart(events.slice(half), token, refused, first + half, false);
    }
  }

  /** Re-sends the range a crash interrupted, exactly as it was, before anything new. */
  async function resumeInflight(): Promise<void> {
    const inflight = checkpoint.inflight;
    if (!inflight) return;
    const entries: DecodedEntry[] = [];
    let at = inflight.from;
    while (entries.length < inflight.records) {
      const chunk = await spool.readFrom(at, READ_BYTES);
      if (chunk.length === 0) break;
      for (const entry of chunk) {
        if (comparePositions(entry.position, inflight.to) >= 0) break;
        entries.push(decode(entry));
      }
      at = chunk[chunk.length - 1].next;
      if (comparePositions(at, inflight.to) >= 0) break;
    }
    if (entries.length > 0) {
      log.info({ records: entries.length }, 'replaying the spool range that was being written at the last stop');
      await writeRange(entries);
    }
  }

  let drainWaiters: Array<() => void> = [];
  const loop = (async () => {
    await resumeInflight();
    let pending: DecodedEntry[] = [];
    let pendingEvents = 0;
    let oldestAt = 0;
    /** When the oldest waiting error arrived here (0: none waiting): errors may open issues, whose alerts wait for this flush. */
    let oldestErrorAt = 0;
    while (!stopped) {
      const tail = pending.length ? pending[pending.length - 1].entry.next : readPosition;
      const chunk = await spool.readFrom(tail, READ_BYTES);
      if (chunk.length && !pending.length) oldestAt = performance.now();
      for (let i = 0; i < chunk.length; i++) {
        const decoded = decode(chunk[i]);
        pending.push(decoded);
        pendingEvents += decoded.batch.events.length;
        if (!oldestErrorAt && decoded.batch.events.some((event) => event.kind === 'error')) oldestErrorAt = performance.now();
        if (i % RECORDS_PER_TURN === RECORDS_PER_TURN - 1) await nextTurn();
      }
      const wait = oldestErrorAt ? Math.min(options.flushIntervalMs, options.errorFlushIntervalMs) : options.flushIntervalMs;
      const since = oldestErrorAt && options.errorFlushIntervalMs < options.flushIntervalMs ? oldestErrorAt : oldestAt;
      const due = pending.length && (pendingEvents >= options.batchRows || performance.now() - since >= wait);
      if (due) {
        const entries = pending;
        pending = [];
        pendingEvents = 0;
        oldestErrorAt = 0;
        if (!(await writeRange(entries))) break;
        continue;
      }
      if (chunk.length) continue;
      if (!pending.length) {
        for (const resolve of drainWaiters) resolve();
        drainWaiters = [];
      }
      await sleep(pending.length ? Math.max(1, wait - (performance.now() - since)) : options.flushIntervalMs);
    }
  })().catch((error) => {
    log.fatal({ err: error }, 'processor stopped unexpectedly; acknowledged events stay in the spool and are replayed at restart');
  });

  return {
    onStored(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    drain() {
      return new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        wake?.();
      });
    },
    get storeFailing() {
      return storeFailing;
    },
    async stop() {
      stopped = true;
      unsubscribe();
      wake?.();
      await loop;
    },
  };
}

interface DecodedEntry {
  entry: SpoolEntry;
  batch: SpooledBatch;
}

const decode = (entry: SpoolEntry): DecodedEntry => ({ entry, batch: decodeBatch(entry.payload) });
