/**
 * bench/storage-cost.ts — ClickHouse storage cost per event, measured on the embedded engine (chDB).
 *
 * Starts a collector in this process (embedded store, rate limits off), POSTs BENCH_EVENTS
 * realistic events through the real ingest route (test/support/events.ts `mixedBatch`: 20 events
 * per batch — 4 errors with stacks and breadcrumbs, 8 vitals, 8 navigations), waits until the
 * spool is empty (everything stored, rollups filled by their materialised views), runs
 * `OPTIMIZE TABLE … FINAL` on every table, then reads the active parts of `system.parts` and prints,
 * per table: rows, compressed / uncompressed / on-disk bytes, bytes per row, and bytes per million
 * events ingested (all kinds together). Same engine and DDL as a ClickHouse server without a cluster.
 *
 * Run: node --import tsx bench/storage-cost.ts
 * Env: BENCH_EVENTS (default 1000000; a multiple of 20), BENCH_CONCURRENCY (default 32 requests in flight),
 * BENCH_VARIED=1: the same batches made less compressible — a session and user per batch
 * (5,000 users), 500 issues (distinct function names in the stacks), a random order id in each
 * message, URL and breadcrumb — an upper bound next to mixedBatch's repetitive defaults
 * (1 issue, 7 messages, 17 sessions).
 */
import { cpus } from 'node:os';
import { startTestCollector } from '../test/support/test-collector.js';
import { mixedBatch } from '../test/support/events.js';

const EVENTS_PER_BATCH = 20;
const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const batches = Math.ceil(events / EVENTS_PER_BATCH);
const total = batches * EVENTS_PER_BATCH;
/** Event kinds in one mixedBatch: which table each of the 20 lands in. */
const PER_KIND = { errors: 4 / 20, vitals: 8 / 20, navigations: 8 / 20 };
const varied = process.env.BENCH_VARIED === '1';

/** BENCH_VARIED: per-batch sessions and users, 500 issues, random ids in messages and URLs. */
function vary(batch: ReturnType<typeof mixedBatch>, seed: number): ReturnType<typeof mixedBatch> {
  const issue = seed % 500;
  for (const event of batch.events as any[]) {
    const order = Math.floor(Math.random() * 1e9);
    event.session_id = `s-${seed}-${Math.floor(Math.random() * 1e6)}`;
    event.user_id = `user-${seed % 5000}`;
    event.page_view_id = `pv-${seed}`;
    event.url = `${event.url.split('?')[0]}?order=${order}&utm_campaign=c${seed % 97}`;
    if (event.kind === 'error') {
      event.message = `Cannot read properties of undefined (reading 'id') in order ${order}`;
      event.stack = event.stack.replace('renderUser', `renderView${issue}`);
      event.frames[0].function = `renderView${issue}`;
      event.frames[0].column = 40211 + issue;
      event.breadcrumbs[1].message = `button#save-${order}`;
    }
  }
  return batch;
}

interface PartRow {
  table: string;
  parts: number;
  rows: number;
  compressed: number;
  uncompressed: number;
  on_disk: number;
}

async function main() {
  const collector = await startTestCollector((config) => {
    config.rateLimits = { projectEventsPerSecond: 0, projectEventsBurst: 0, ipRequestsPerSecond: 0, ipRequestsBurst: 0 };
    config.processor.flushIntervalMs = 1000;
  });
  try {
    console.log(`bench:storage-cost — ${varied ? 'varied' : 'mixedBatch'} events, ${total} events in ${batches} batches of ${EVENTS_PER_BATCH}, ${concurrency} in flight, node ${process.version}, ${cpus().length} cores`);
    const started = Date.now();
    let next = 0;
    let rejected = 0;
    const now = Date.now();
    const worker = async () => {
      for (;;) {
        const seed = next++;
        if (seed >= batches) return;
        // Timestamps spread over the last 24 hours, like a steady day's traffic (hourly rollup rows).
        for (;;) {
          const batch = mixedBatch(seed, EVENTS_PER_BATCH, now - ((seed * 1_728) % 86_400_000));
          const response = await collector.ingest(varied ? vary(batch, seed) : batch);
          await response.arrayBuffer();
          if (response.status === 202 || response.status === 200) break;
          rejected++;
          await new Promise((resolve) => setTimeout(resolve, 200)); // 503 while the spool is full: retry
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const acknowledged = (Date.now() - started) / 1000;
    for (;;) {
      const ready = await fetch(`${collector.url}/readyz`).then((r) => r.json()).catch(() => undefined);
      if (ready?.spool?.pending_records === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const stored = (Date.now() - started) / 1000;
    console.log(`acknowledged in ${acknowledged.toFixed(1)} s (${Math.round(total / acknowledged)} events/s, ${rejected} retried 503s), stored in ${stored.toFixed(1)} s (${Math.round(total / stored)} events/s, in-process client and collector on the same cores)`);

    const { store } = collector;
    const db = store.database;
    const tables = await store.query<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree' ORDER BY name`,
      { db },
    );
    const optimizeStarted = Date.now();
    for (const { name } of tables) await store.exec(`OPTIMIZE TABLE ${db}.${name} FINAL`);
    console.log(`OPTIMIZE … FINAL on ${tables.length} tables: ${((Date.now() - optimizeStarted) / 1000).toFixed(1)} s`);

    const parts = await store.query<PartRow>(
      `SELECT table, count() AS parts, sum(rows) AS rows, sum(data_compressed_bytes) AS compressed,
              sum(data_uncompressed_bytes) AS uncompressed, sum(bytes_on_disk) AS on_disk
       FROM system.parts WHERE database = {db:String} AND active GROUP BY table ORDER BY on_disk DESC`,
      { db },
    );
    const issues = await store.query<{ issues: number }>(`SELECT uniqExact(issue_id) AS issues FROM ${db}.errors`);
    console.log(`distinct issues: ${issues[0]?.issues}`);
    console.log('');
    const header = ['table', 'rows', 'compressed', 'uncompressed', 'ratio', 'on disk', 'B/row (disk)', 'MB per 1 M events'];
    const lines: string[][] = [];
    let sum = 0;
    for (const row of parts) {
      const rows = Number(row.rows);
      const onDisk = Number(row.on_disk);
      const compressed = Number(row.compressed);
      const uncompressed = Number(row.uncompressed);
      sum += onDisk;
      lines.push([
        row.table,
        String(rows),
        String(compressed),
        String(uncompressed),
        compressed ? (uncompressed / compressed).toFixed(1) : '–',
        String(onDisk),
        rows ? (onDisk / rows).toFixed(1) : '–',
        ((onDisk / total) * 1e6 / 1e6).toFixed(2),
      ]);
    }
    lines.push(['TOTAL', '', '', '', '', String(sum), '', ((sum / total) * 1e6 / 1e6).toFixed(2)]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const print = (cells: string[]) => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
    print(header);
    for (const line of lines) print(line);

    console.log('');
    const byTable = new Map(parts.map((row) => [row.table, Number(row.on_disk)]));
    for (const [kind, share] of Object.entries(PER_KIND)) {
      const bytes = byTable.get(kind) ?? 0;
      console.log(`${kind.padEnd(12)} ${(bytes / (total * share)).toFixed(1)} B per ${kind.replace(/s$/, '')} event stored (on disk)`);
    }
    const rollups = ['issue_counts', 'issue_daily', 'issue_days', 'issue_events', 'issue_breakdowns', 'release_counts'];
    const rollupBytes = rollups.reduce((acc, name) => acc + (byTable.get(name) ?? 0), 0);
    console.log(`rollups      ${(rollupBytes / (total * PER_KIND.errors)).toFixed(1)} B per error event (${rollups.join(', ')})`);
    console.log(`all tables   ${(sum / total).toFixed(1)} B per event (mixed 4:8:8), ${((sum / total) * 1e6 / 1e6).toFixed(1)} MB per million events`);
  } finally {
    await collector.stop();
  }
}

await main();
