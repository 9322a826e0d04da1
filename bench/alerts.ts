/**
 * npm run bench:alerts — how long an `issue.new` alert takes to reach its destination while the
 * collector is under steady ingest load, and whether a stalled live-feed client reduces ingest.
 *
 * One real child collector (`bin/lookout.js serve --config FILE`, embedded chDB, rate limits off).
 * A local HTTP receiver stands in for Slack (answers 200 "ok", records arrival times). The config
 * has N `issue.new` rules for project 1, each with its own Slack webhook path on the receiver and
 * a tag filter (`bench_sample: sK`) so that rule K fires only for sample K: Slack destinations are
 * paced at one message per second per webhook by design, and one webhook per sample measures the
 * engine rather than that pacing.
 *
 * Five phases of BENCH_SECONDS each; in each, every ~250 ms, one error with a new fingerprint
 * POSTed with fetch (unique type and function name, tag sK): latency = the receiver's arrival of
 * its Slack message − the arrival of its 202. The background load is wrk with bench:ingest's
 * 20-event batches (errors of KNOWN issues — opened in a warm-up —, vitals and navigations).
 *   0. no load: the engine's floor;
 *   1. paced load: wrk with a `delay()` per request, BENCH_RATE events/s (default 10,000, below
 *      what the embedded store keeps up with on 2 cores);
 *   (0 and 1: a reading live client filtered to the samples' route records when each sample was
 *   stored, splitting the latency into acknowledgement → stored and stored → receiver)
 *   2. saturating load (as bench:ingest: 64 connections, no delay), no live client;
 *   3. the same with a live-feed WebSocket client (`/api/1/live?token=`, all kinds) that stops
 *      reading (its socket paused);
 *   4. the same as 2 again. 3 vs the mean of 2 and 4: acknowledged and stored events/s, collector
 *      CPU per event; `lookout_live_dropped_total` shows the client was really stalled.
 * The spool is drained between phases so each starts without a backlog.
 * Env: BENCH_SECONDS (30), BENCH_ALERTS (60 samples per phase), BENCH_RATE (10000 events/s,
 * phase 1), BENCH_CONNECTIONS (64, phases 2 and 3). Needs wrk (apt-get install wrk).
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import type { ErrorEvent } from '../protocol/wire.js';
import { packageRoot } from '../collector/src/paths.js';
import { spawnCollector, waitForEmptySpool, type ChildCollector } from '../test/support/child-collector.js';
import { mixedBatch } from '../test/support/events.js';
import { startReceiver, type Receiver } from '../test/alerts/receiver.js';
import { cpuSeconds, type DriveFigures } from './support-wrk.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const samples = Number(process.env.BENCH_ALERTS ?? 60);
const pacedRate = Number(process.env.BENCH_RATE ?? 10_000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const PACED_CONNECTIONS = 16;
const EVENTS_PER_BATCH = 20;
const ADMIN_TOKEN = 'bench-alerts-admin-token-0123456789abcdef';
const GOAL_P99_MS = 1000;
const runId = randomUUID().slice(0, 8);

const work = await mkdtemp(join(tmpdir(), 'lookout-bench-alerts-'));
const bodiesFile = join(work, 'bodies.ndjson');
writeFileSync(bodiesFile, Array.from({ length: 5000 }, (_, i) => JSON.stringify(mixedBatch(i, EVENTS_PER_BATCH))).join('\n'));
const wrkScript = readFileSync(resolve(packageRoot, 'bench/wrk-batches.lua'), 'utf8');
const saturatingScript = resolve(packageRoot, 'bench/wrk-batches.lua');
const pacedScript = join(work, 'wrk-paced.lua');
// wrk waits delay() ms before each request of a connection: C connections ≈ C × 1000 / delay requests/s.
const pacedDelayMs = Math.max(1, Math.round((PACED_CONNECTIONS * 1000 * EVENTS_PER_BATCH) / Math.max(1, pacedRate)));
writeFileSync(pacedScript, `${wrkScript}\nfunction delay()\n  return ${pacedDelayMs}\nend\n`);

type WrkFigures = Omit<DriveFigures, 'label'>;

function runWrk(url: string, key: string, script: string, conns: number): Promise<WrkFigures> {
  return new Promise((done, fail) => {
    const wrk = spawn('wrk', ['-t1', `-c${conns}`, `-d${seconds}s`, '--latency', '-s', script, `${url}/api/1/ingest`], {
      env: { ...process.env, BENCH_BODIES: bodiesFile, BENCH_KEY: key },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    wrk.stdout!.on('data', (chunk) => (text += chunk));
    wrk.on('error', () => fail(new Error('wrk is needed: apt-get install wrk')));
    wrk.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`wrk exited ${code}: ${text}`));
      const f = JSON.parse(text.trim().split('\n').pop()!) as { requests: number; non2xx: number; socketErrors: number; seconds: number; p50us: number; p99us: number };
      const acknowledged = f.requests - f.non2xx;
      done({ acknowledged, non2xx: f.non2xx, errors: f.socketErrors, seconds: f.seconds, eventsPerSecond: Math.round((acknowledged * EVENTS_PER_BATCH) / f.seconds), p50ms: f.p50us / 1000, p99ms: f.p99us / 1000 });
    });
  });
}

/** Sum of a metric's series (all labels, or those matching `labels`) from /metrics. */
async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const sampleTag = (k: number) => `s${k}`;
const hookPath = (k: number) => `/hooks/${sampleTag(k)}`;

function newIssueError(phase: number, k: number): ErrorEvent & { tags: Record<string, string> } {
  const type = `BenchAlert_${runId}_p${phase}_${k}`;
  const fn = `benchAlert_${runId}_p${phase}_${k}`;
  const file = 'https://shop.example.com/static/app.4f1c2.js';
  return {
    kind: 'error',
    event_id: randomUUID(),
    timestamp: Date.now(),
    url: 'https://shop.example.com/checkout',
    route: '/checkout',
    release: 'web@1.4.0',
    environment: 'production',
    session_id: `bench-${k}`,
    page_view_id: `bench-pv-${k}`,
    tags: { bench_sample: sampleTag(k) },
    type,
    message: `bench alert sample ${k} of phase ${phase}`,
    stack: `${type}: bench alert sample ${k}\n    at ${fn} (${file}:1:${100 + k})`,
    frames: [{ function: fn, file, line: 1, column: 100 + k }],
    mechanism: 'onerror',
    handled: false,
  };
}

interface Sample {
  k: number;
  type: string;
  sentAt: number;
  ackAt: number;
  status: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

interface PhaseResult {
  label: string;
  load: WrkFigures;
  storedPerSecond: number;
  storedDuringLoad: number;
  drainSeconds: number;
  cpuPerEventUs: number;
  latencies: number[];
  missing: number;
  ackMs: number[];
  newIssues: number;
  dropped: number;
  /** Per sample, when a reading live client saw it stored: acknowledgement → stored, stored → Slack receiver. */
  split: { toStored: number; toSlack: number }[];
}

/** A live-feed client that reads, filtered to the samples' route: when each sample was stored (the feed sends events as they are stored). */
async function storedProbe(url: string): Promise<{ socket: WebSocket; storedAt: Map<string, number> }> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/api/1/live?kind=error&route=/checkout&token=${ADMIN_TOKEN}`);
  const storedAt = new Map<string, number>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'event') storedAt.set(message.event.type, Date.now());
  });
  await new Promise<void>((done, fail) => {
    socket.once('open', () => done());
    socket.once('error', fail);
  });
  return { socket, storedAt };
}

async function phase(collector: ChildCollector, receiver: Receiver, index: number, label: string, script: string | null, conns: number, storedAt?: Map<string, number>): Promise<PhaseResult> {
  const url = collector.url;
  const storedBefore = await metric(url, 'lookout_events_stored_total');
  const droppedBefore = await metric(url, 'lookout_live_dropped_total');
  const newBefore = await metric(url, 'lookout_issues_opened_total', 'reason="new"');
  const cpuBefore = cpuSeconds(collector.process.pid!);
  const started = Date.now();
  const idle: WrkFigures = { acknowledged: 0, non2xx: 0, errors: 0, seconds, eventsPerSecond: 0, p50ms: 0, p99ms: 0 };
  const load = script ? runWrk(url, collector.ingestKey, script, conns) : new Promise<WrkFigures>((r) => setTimeout(() => r(idle), seconds * 1000));
  let loadDone = false;
  void load.then(() => (loadDone = true), () => (loadDone = true));

  // Samples from 2 s into the load, spread over the load (every 250 ms, closer for short runs).
  const intervalMs = Math.min(250, ((seconds - 3) * 1000) / samples);
  await new Promise((r) => setTimeout(r, 2000));
  const sent: Sample[] = [];
  const posts: Promise<void>[] = [];
  for (let k = 0; k < samples && !loadDone; k++) {
    const event = newIssueError(index, k);
    const sentAt = Date.now();
    posts.push(
      fetch(`${url}/api/1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-lookout-key': collector.ingestKey },
        body: JSON.stringify({ sdk: { name: 'bench', version: '1' }, events: [event] }),
      }).then(async (response) => {
        const ackAt = Date.now();
        await response.arrayBuffer();
        sent.push({ k, type: event.type, sentAt, ackAt, status: response.status });
      }),
    );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await Promise.all(posts);
  const figures = await load;
  const loadSeconds = (Date.now() - started) / 1000;
  const storedAtEnd = await metric(url, 'lookout_events_stored_total');
  const cpuAtEnd = cpuSeconds(collector.process.pid!);
  const droppedAtEnd = await metric(url, 'lookout_live_dropped_total');
  const drainStarted = Date.now();
  await waitForEmptySpool(url, 900_000);
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  const storedAfter = await metric(url, 'lookout_events_stored_total');

  // Each sample's Slack message: on its own webhook path, with its unique type in the Block Kit JSON.
  const acknowledged = sent.filter((s) => s.status === 202);
  const arrival = (s: Sample) => receiver.requests.find((r) => r.path === hookPath(s.k) && r.at >= s.sentAt && r.body.includes(s.type))?.at;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && acknowledged.some((s) => arrival(s) === undefined)) await new Promise((r) => setTimeout(r, 100));
  const latencies = acknowledged.flatMap((s) => (arrival(s) === undefined ? [] : [arrival(s)! - s.ackAt])).sort((a, b) => a - b);
  const newAfter = await metric(url, 'lookout_issues_opened_total', 'reason="new"');
  const split = storedAt
    ? acknowledged.flatMap((s) => (storedAt.has(s.type) && arrival(s) !== undefined ? [{ toStored: storedAt.get(s.type)! - s.ackAt, toSlack: arrival(s)! - storedAt.get(s.type)! }] : []))
    : [];
  return {
    split,
    label,
    load: figures,
    storedPerSecond: Math.round((storedAfter - storedBefore) / (loadSeconds + drainSeconds)),
    storedDuringLoad: Math.round((storedAtEnd - storedBefore) / loadSeconds),
    drainSeconds,
    cpuPerEventUs: ((cpuAtEnd - cpuBefore) / Math.max(1, storedAtEnd - storedBefore)) * 1e6,
    latencies,
    missing: samples - latencies.length,
    ackMs: sent.map((s) => s.ackAt - s.sentAt).sort((a, b) => a - b),
    newIssues: newAfter - newBefore,
    dropped: droppedAtEnd - droppedBefore,
  };
}

function printPhase(p: PhaseResult): void {
  const l = p.latencies;
  console.log(`${p.label}`);
  console.log(
    `  load: acknowledged ${p.load.eventsPerSecond} events/s (wrk p50 ${p.load.p50ms} ms, p99 ${p.load.p99ms} ms, ${p.load.non2xx} non-2xx, ${p.load.errors} socket errors)   stored ${p.storedDuringLoad} events/s during the load, ${p.storedPerSecond} events/s until the backlog was stored (${p.drainSeconds.toFixed(1)} s after the load)`,
  );
  console.log(`  collector CPU ${p.cpuPerEventUs.toFixed(1)} µs per event stored during the load; new issues opened ${p.newIssues} (the samples: ${samples}); live events dropped ${p.dropped}`);
  if (l.length === 0) {
    console.log(`  issue.new acknowledgement → Slack receiver: no sample arrived (${p.missing} missing)`);
    return;
  }
  console.log(
    `  issue.new acknowledgement → Slack receiver: p50 ${quantile(l, 0.5)} ms   p99 ${quantile(l, 0.99)} ms   max ${l[l.length - 1]} ms   min ${l[0]} ms   (${l.length} samples, ${p.missing} missing; sample's own 202 p50 ${quantile(p.ackMs, 0.5)} ms, max ${p.ackMs[p.ackMs.length - 1]} ms)`,
  );
  if (p.split.length) {
    const toStored = p.split.map((x) => x.toStored).sort((a, b) => a - b);
    const toSlack = p.split.map((x) => x.toSlack).sort((a, b) => a - b);
    console.log(
      `  split by a reading live client (route /checkout only): acknowledgement → stored p50 ${quantile(toStored, 0.5)} ms, p99 ${quantile(toStored, 0.99)} ms, max ${toStored[toStored.length - 1]} ms; stored → Slack receiver p50 ${quantile(toSlack, 0.5)} ms, p99 ${quantile(toSlack, 0.99)} ms, max ${toSlack[toSlack.length - 1]} ms, min ${toSlack[0]} ms (${p.split.length} samples)`,
    );
  }
  const p99 = quantile(l, 0.99);
  console.log(`  goal p99 ≤ ${GOAL_P99_MS} ms: ${p.missing === 0 && p99 <= GOAL_P99_MS ? 'met' : 'not met'}`);
}

async function main() {
  const receiver = await startReceiver('/');
  const base = receiver.url.replace(/\/$/, '');
  const configFile = join(work, 'lookout.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      alerts: {
        rules: Array.from({ length: samples }, (_, k) => ({
          project: 1,
          name: `bench new issue ${sampleTag(k)}`,
          type: 'issue.new',
          filters: { tags: { bench_sample: sampleTag(k) } },
          destinations: [{ type: 'slack', webhook_url: `${base}${hookPath(k)}` }],
        })),
      },
    }),
  );
  const dataDir = join(work, 'data');
  const collector = await spawnCollector(['--data', dataDir, '--config', configFile, '--log-level', 'warn'], {
    LOOKOUT_RATE_LIMIT_PROJECT: '0',
    LOOKOUT_RATE_LIMIT_IP: '0',
    LOOKOUT_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  const sockets: WebSocket[] = [];
  try {
    console.log(`bench:alerts — node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(
      `${seconds} s per phase, ${samples} new issues per phase (one every ≤ 250 ms from 2 s in), ${samples} issue.new rules with one Slack webhook each (local receiver), ${EVENTS_PER_BATCH}-event batches of known issues, vitals and navigations`,
    );
    // Warm-up: the background load's issues exist before the run, so it opens none.
    for (let i = 0; i < 40; i++) {
      await fetch(`${collector.url}/api/1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lookout-key': collector.ingestKey }, body: JSON.stringify(mixedBatch(i, EVENTS_PER_BATCH)) });
    }
    await waitForEmptySpool(collector.url, 60_000);

    const results: PhaseResult[] = [];
    const probe = await storedProbe(collector.url);
    sockets.push(probe.socket);
    const quiet = await phase(collector, receiver, 0, `0. no load (the engine's floor), a reading live client for the split   (load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')})`, null, 0, probe.storedAt);
    printPhase(quiet);
    results.push(quiet);
    const paced = await phase(collector, receiver, 1, `1. paced load (wrk, ${PACED_CONNECTIONS} connections, delay ${pacedDelayMs} ms per request: ≈ ${pacedRate} events/s), a reading live client for the split   (load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')})`, pacedScript, PACED_CONNECTIONS, probe.storedAt);
    probe.socket.terminate();
    await new Promise((r) => setTimeout(r, 500));
    printPhase(paced);
    results.push(paced);

    const without = await phase(collector, receiver, 2, `2. saturating load (wrk, ${connections} connections, no delay), no live client   (load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')})`, saturatingScript, connections);
    printPhase(without);
    results.push(without);

    const socket = new WebSocket(`${collector.url.replace('http', 'ws')}/api/1/live?token=${ADMIN_TOKEN}`);
    sockets.push(socket);
    await new Promise<void>((done, fail) => {
      socket.once('message', () => done()); // the hello
      socket.once('unexpected-response', (_request, response) => fail(new Error(`live feed: HTTP ${response.statusCode}`)));
      socket.once('error', fail);
    });
    // The client stops reading: the server's socket buffer fills up.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const clients = await metric(collector.url, 'lookout_live_clients');
    const withStalled = await phase(collector, receiver, 3, `3. saturating load (wrk, ${connections} connections, no delay), one live client (all kinds) that stopped reading, ${clients} live client(s)   (load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')})`, saturatingScript, connections);
    printPhase(withStalled);
    results.push(withStalled);

    // The stalled client goes away; the load again without it (A-B-A: drift of the machine's load hits both sides).
    socket.terminate();
    for (let i = 0; i < 100 && (await metric(collector.url, 'lookout_live_clients')) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const withoutAgain = await phase(collector, receiver, 4, `4. saturating load (wrk, ${connections} connections, no delay), no live client again   (load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')})`, saturatingScript, connections);
    printPhase(withoutAgain);
    results.push(withoutAgain);

    console.log('');
    const mean = (f: (p: PhaseResult) => number) => (f(without) + f(withoutAgain)) / 2;
    const ackRatio = withStalled.load.eventsPerSecond / mean((p) => p.load.eventsPerSecond);
    const storedRatio = withStalled.storedPerSecond / mean((p) => p.storedPerSecond);
    const storedDuringRatio = withStalled.storedDuringLoad / mean((p) => p.storedDuringLoad);
    const cpuRatio = withStalled.cpuPerEventUs / mean((p) => p.cpuPerEventUs);
    console.log(
      `stalled live client (phase 3) / no live client (mean of phases 2 and 4): collector CPU per event stored ${cpuRatio.toFixed(2)}; acknowledged ${ackRatio.toFixed(2)}, stored ${storedRatio.toFixed(2)} (until stored; ${storedDuringRatio.toFixed(2)} during the load); ${withStalled.dropped} live events dropped for the stalled client`,
    );
    console.log('goals');
    for (const p of results) {
      const l = p.latencies;
      const p99 = l.length ? quantile(l, 0.99) : NaN;
      console.log(`issue.new p99 ≤ 1 s, phase ${p.label.slice(0, 2)} p99 ${p99} ms, p50 ${l.length ? quantile(l, 0.5) : NaN} ms, ${l.length}/${samples} arrived: ${p.missing === 0 && p99 <= GOAL_P99_MS ? 'met' : 'not met'}`);
    }
    const notReduced = Math.min(ackRatio, storedRatio) >= 0.9 && withStalled.dropped > 0;
    console.log(`stalled live client does not reduce ingest (ratios ≥ 0.9, client really stalled): ${notReduced ? 'met' : 'not met'}`);
  } finally {
    for (const socket of sockets) socket.terminate();
    await collector.stop();
    await receiver.close();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
