/**
 * npm run bench:ingest — the full ingest pipeline (validate → spool with fsync → processor →
 * embedded ClickHouse) against a no-op fastify route parsing the same payloads, in one run,
 * over loopback, with realistic 20-event batches and real User-Agent strings.
 *
 * Prints events/s and p50/p99 acknowledgement latency for both, the ratio, the collector's
 * peak RSS, and how long the backlog took to be stored after the load stopped.
 * Env: BENCH_SECONDS (default 60), BENCH_CONNECTIONS (default 64). Needs wrk (apt-get install wrk).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../collector/src/paths.js';
import { spawnCollector, waitForEmptySpool } from '../test/support/child-collector.js';
import { mixedBatch } from '../test/support/events.js';
import { cpuSeconds, drive as driveWrk, rssBytes } from './support-wrk.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const EVENTS_PER_BATCH = 20;

const bodiesFile = join(tmpdir(), `lookout-bench-bodies-${process.pid}.ndjson`);
writeFileSync(bodiesFile, Array.from({ length: 5000 }, (_, i) => JSON.stringify(mixedBatch(i, EVENTS_PER_BATCH))).join('\n'));

const drive = (url: string, key: string, label: string) =>
  driveWrk({ url, key, label, seconds, connections, bodiesFile, eventsPerBatch: EVENTS_PER_BATCH });

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'lookout-bench-'));
  const noop = spawn(process.execPath, ['--import', 'tsx', resolve(packageRoot, 'bench/noop-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const noopUrl = await new Promise<string>((done) => noop.stdout!.once('data', (chunk) => done(JSON.parse(String(chunk)).url)));
  const collector = await spawnCollector(['--data', dataDir, '--rate-limit-project', '0', '--rate-limit-ip', '0', '--log-level', 'warn']);

  try {
    console.log(`bench:ingest — ${seconds} s per target, ${connections} connections, ${EVENTS_PER_BATCH} events per batch, node ${process.version}`);
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(collector.process.pid!))), 500);
    const cpuBefore = cpuSeconds(collector.process.pid!);
    const pipeline = await drive(collector.url, collector.ingestKey, 'lookout full pipeline');
    clearInterval(sampler);
    const drainStarted = Date.now();
    await waitForEmptySpool(collector.url, 600_000);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    const collectorCpu = cpuSeconds(collector.process.pid!) - cpuBefore;
    // The baseline runs after the pipeline's backlog is stored, so neither steals the other's CPU.
    const baseline = await drive(noopUrl, 'none', 'no-op fastify route (parse only)');

    for (const figures of [baseline, pipeline]) {
      console.log(
        `${figures.label.padEnd(36)} ${String(figures.eventsPerSecond).padStart(8)} events/s   ack p50 ${figures.p50ms} ms   p99 ${figures.p99ms} ms   (${figures.acknowledged} batches acknowledged, ${figures.non2xx} non-2xx, ${figures.errors} errors)`,
      );
    }
    console.log(`ratio pipeline / no-op: ${(pipeline.eventsPerSecond / baseline.eventsPerSecond).toFixed(2)}  (goal ≥ 0.60)`);
    console.log(`pipeline events/s: ${pipeline.eventsPerSecond}  (goal ≥ 50,000)`);
    console.log(`collector peak RSS during the run: ${(peakRss / 1024 / 1024).toFixed(0)} MB  (goal < 1024 MB)`);
    console.log(`collector CPU: ${((collectorCpu / (pipeline.acknowledged * EVENTS_PER_BATCH)) * 1e6).toFixed(1)} µs per event stored (all threads, until the backlog was stored)`);
    console.log(`backlog stored ${drainSeconds.toFixed(1)} s after the load stopped`);
  } finally {
    await collector.stop();
    noop.kill();
    await rm(dataDir, { recursive: true, force: true });
    await rm(bodiesFile, { force: true });
  }
}

await main();
