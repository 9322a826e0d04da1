/**
 * npm run bench:symbolicate — what symbolication costs, on a real multi-megabyte map (Angular +
 * rxjs bundled and minified by esbuild, built in memory by test/symbolicate/angular-map.ts):
 *   1. cold: parse time of the map (in-thread `parseSourceMap`, off-thread `createOffThreadParser`),
 *      with and without the bundle (the collector passes it: function-scope index), wall time and
 *      longest main-thread block; memory held after parsing (each variant in a fresh child process);
 *   2. warm: µs per frame of `symbolicateFrame` over real generated positions (sampled from the
 *      map's segments), and of the whole symbolication stage (real artifact store on an embedded
 *      chDB, real lookup, map cache and parser) with everything cached;
 *   3. end to end: two real collector processes, one after the other in this run, symbolication
 *      on and `--symbolicate false`: the bundle + map are uploaded, wrk POSTs batches whose error
 *      frames point into the bundle, then the backlog is stored; acknowledged and stored events/s,
 *      and the stored frames' statuses read back through the API;
 *   4. the goals (issue: warm lookup ≤ 20 µs per frame; ingest with symbolication ≥ 0.8× without).
 * Env: BENCH_SECONDS (30, per collector), BENCH_CONNECTIONS (64), BENCH_EVENTS (mixed | errors),
 * BENCH_STACKS (500 distinct stacks), BENCH_FRAMES (100000 warm lookups), BENCH_COLD_RUNS (5).
 * Needs wrk (apt-get install wrk) and `node --expose-gc` (the npm script sets it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorEvent, Frame, LookoutEvent } from '../protocol/wire.js';
import { createArtifactStore } from '../collector/src/artifacts/artifact-store.js';
import { inspectArtifact } from '../collector/src/artifacts/inspect-artifact.js';
import { createMetrics } from '../collector/src/ops/metrics.js';
import { createGroupingStage } from '../collector/src/issues/grouping-stage.js';
import { createIssueStore } from '../collector/src/issues/issue-store.js';
import type { ProcessedEvent } from '../collector/src/process/pipeline.js';
import { rowsByTable } from '../collector/src/process/rows.js';
import { openStore } from '../collector/src/store/index.js';
import { createArtifactLookup } from '../collector/src/symbolicate/artifact-lookup.js';
import { SEGMENT_STRIDE } from '../collector/src/symbolicate/decode-mappings.js';
import { createMapCache, createOffThreadParser, parseSourceMap, symbolicateFrame, type ParsedMap } from '../collector/src/symbolicate/index.js';
import { createContextStore } from '../collector/src/symbolicate/context-store.js';
import { createSymbolicationStage } from '../collector/src/symbolicate/symbolication-stage.js';
import type { StoredFrame } from '../collector/src/symbolicate/stored-frame.js';
import { spawnCollector, waitForEmptySpool, type ChildCollector } from '../test/support/child-collector.js';
import { errorEvent, mixedBatch } from '../test/support/events.js';
import { buildAngularBundle } from '../test/symbolicate/angular-map.js';
import { maxBlocking, median } from './support-blocking.js';
import { cpuSeconds, drive, rssBytes, type DriveFigures } from './support-wrk.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:symbolicate does)');

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const eventMix = process.env.BENCH_EVENTS ?? 'mixed';
if (eventMix !== 'mixed' && eventMix !== 'errors') throw new Error('BENCH_EVENTS is mixed or errors');
const STACKS = Number(process.env.BENCH_STACKS ?? 500);
const WARM_FRAMES = Number(process.env.BENCH_FRAMES ?? 100_000);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const EVENTS_PER_BATCH = 20;
const RELEASE = 'bench@1';
const BUNDLE_URL = 'https://cdn.example.com/static/js/vendor.js';
const BUNDLE_NAME = '~/static/js/vendor.js';

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const heapAndExternal = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
};

/** Deterministic pseudo-random numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Every generated position that has a segment with an original position: 0-based line and column. */
function mappedPositions(map: ParsedMap): { line: number; column: number }[] {
  const { segments, lineStarts } = map.data;
  const out: { line: number; column: number }[] = [];
  for (let line = 0; line < lineStarts.length - 1; line++) {
    for (let i = lineStarts[line]; i < lineStarts[line + 1]; i++) {
      if (segments[i * SEGMENT_STRIDE + 1] >= 0) out.push({ line, column: segments[i * SEGMENT_STRIDE] });
    }
  }
  return out;
}

/** Frames as a browser reports them (1-based line and column) at `count` positions drawn from the map's segments. */
function sampleFrames(positions: { line: number; column: number }[], count: number, seed: number): Frame[] {
  const rand = lcg(seed);
  return Array.from({ length: count }, () => {
    const p = positions[Math.floor(rand() * positions.length)];
    return { function: 'e', file: BUNDLE_URL, line: p.line + 1, column: p.column + 1 };
  });
}

/** `STACKS` distinct stacks of 5–10 frames into the bundle. */
function stackPool(positions: { line: number; column: number }[]): { frames: Frame[]; stack: string }[] {
  const rand = lcg(7);
  return Array.from({ length: STACKS }, (_, k) => {
    const frames = sampleFrames(positions, 5 + Math.floor(rand() * 6), 1000 + k);
    const stack = ["TypeError: Cannot read properties of undefined (reading 'id')", ...frames.map((f) => `    at ${f.function} (${f.file}:${f.line}:${f.column})`)].join('\n');
    return { frames, stack };
  });
}

/** An error of the pool, built on test/support/events.ts's realistic error event. */
function benchError(i: number, pool: { frames: Frame[]; stack: string }[], now = Date.now()): ErrorEvent {
  const { frames, stack } = pool[i % pool.length];
  return { ...errorEvent(i, now), release: RELEASE, frames, stack };
}

/** One ingest batch: bench:ingest's mix (4 errors, 8 vitals, 8 navigations) or errors only; every event in release bench@1. */
function benchBatch(i: number, pool: { frames: Frame[]; stack: string }[]): { sdk: { name: string; version: string }; events: LookoutEvent[] } {
  const now = Date.now();
  if (eventMix === 'errors') {
    return { sdk: { name: 'lookout', version: '0.1.0' }, events: Array.from({ length: EVENTS_PER_BATCH }, (_, j) => benchError(i * EVENTS_PER_BATCH + j, pool, now)) };
  }
  const batch = mixedBatch(i, EVENTS_PER_BATCH, now);
  batch.events = batch.events.map((event, j) => (event.kind === 'error' ? benchError(i * EVENTS_PER_BATCH + j, pool, now) : { ...event, release: RELEASE }));
  return batch;
}

// ---- Child mode: memory held by one parse, in a fresh process -------------------------------
// `--mem <dir> <variant>`: measuring variants one after another in one heap mixes their garbage.

if (process.argv[2] === '--mem') {
  const dir = process.argv[3];
  const variant = process.argv[4] as 'in-thread' | 'off-thread';
  const mapText = readFileSync(join(dir, 'vendor.js.map'), 'utf8');
  const code = readFileSync(join(dir, 'vendor.js'), 'utf8');
  const frames = JSON.parse(readFileSync(join(dir, 'frames.json'), 'utf8')) as Frame[];
  const parser = createOffThreadParser();
  await parser.parse('{"version":3,"sources":[],"mappings":""}'); // worker start-up, not counted
  const before = heapAndExternal();
  const map = variant === 'in-thread' ? parseSourceMap(mapText, {}, code) : await parser.parse(mapText, { minified: code });
  symbolicateFrame(map, frames[0]);
  const parsed = heapAndExternal();
  for (const frame of frames) symbolicateFrame(map, frame);
  const warm = heapAndExternal();
  await parser.close();
  console.log(JSON.stringify({ parsedHeap: parsed.heap - before.heap, parsedRss: parsed.rss - before.rss, warmHeap: warm.heap - before.heap, warmRss: warm.rss - before.rss, keep: map.data.segmentCount }));
  process.exit(0);
}

const { code, map: mapText } = await buildAngularBundle();
const reference = parseSourceMap(mapText);
const positions = mappedPositions(reference);
const warmFrames = sampleFrames(positions, WARM_FRAMES, 42);
const pool = stackPool(positions);
const workDir = mkdtempSync(join(tmpdir(), 'lookout-bench-symbolicate-'));
writeFileSync(join(workDir, 'vendor.js'), code);
writeFileSync(join(workDir, 'vendor.js.map'), mapText);
writeFileSync(join(workDir, 'frames.json'), JSON.stringify(warmFrames));

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`bench:symbolicate — node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${load()}`);
console.log(
  `map: ${mb(mapText.length)} (${mapText.length} chars), ${reference.data.sources.length} sources, ${reference.data.segmentCount} segments (${positions.length} mapped) on ${reference.data.lineStarts.length - 1} generated lines; bundle ${mb(code.length)}`,
);

// ---- 1. Cold -----------------------------------------------------------------------------

interface ColdVariant {
  name: string;
  run(): Promise<ParsedMap> | ParsedMap;
}
const parser = createOffThreadParser();
await parser.parse('{"version":3,"sources":[],"mappings":""}'); // worker start-up, not measured
const coldVariants: ColdVariant[] = [
  { name: 'in-thread parseSourceMap', run: () => parseSourceMap(mapText) },
  { name: 'in-thread parseSourceMap + bundle (scopes)', run: () => parseSourceMap(mapText, {}, code) },
  { name: 'off-thread parse', run: () => parser.parse(mapText) },
  { name: 'off-thread parse + bundle (as the collector)', run: () => parser.parse(mapText, { minified: code }) },
];
// Interleaved run by run so that machine noise spreads over all variants. Each run ends with the
// first frame symbolicated (the first lookup in a line builds that line's index on the main thread).
const cold = coldVariants.map(() => ({ wall: [] as number[], blocked: [] as number[] }));
for (let run = 0; run < COLD_RUNS; run++) {
  for (const [index, variant] of coldVariants.entries()) {
    gc();
    const r = await maxBlocking(async () => symbolicateFrame(await variant.run(), warmFrames[run]));
    cold[index].wall.push(r.totalMs);
    cold[index].blocked.push(r.maxGapMs);
  }
}
console.log(`\n1. cold — until the first frame is symbolicated, median of ${COLD_RUNS} (interleaved); blocked = longest event-loop gap (1 ms ticker)`);
for (const [index, variant] of coldVariants.entries()) {
  console.log(`  ${variant.name.padEnd(46)} wall ${median(cold[index].wall).toFixed(1).padStart(6)} ms   main thread blocked ${median(cold[index].blocked).toFixed(1).padStart(6)} ms`);
}

function memoryInChild(variant: string): { parsedHeap: number; parsedRss: number; warmHeap: number; warmRss: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--mem', workDir, variant], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory child (${variant}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
console.log(`  memory held, map + bundle (scopes), fresh process each; heap = V8 heap + external (typed arrays); RSS includes the idle parse worker:`);
for (const variant of ['in-thread', 'off-thread']) {
  const m = memoryInChild(variant);
  console.log(
    `  ${variant.padEnd(11)} after parse: heap ${mb(m.parsedHeap).padStart(8)}  RSS ${mb(m.parsedRss).padStart(8)}   after ${WARM_FRAMES} frames: heap ${mb(m.warmHeap).padStart(8)}  RSS ${mb(m.warmRss).padStart(8)}`,
  );
}

// ---- 2. Warm -----------------------------------------------------------------------------

// The map as the collector holds it: parsed off-thread with the bundle.
const map = await parser.parse(mapText, { minified: code });
const statuses = new Map<string, number>();
const scopes = new Map<string, number>();
for (const frame of warmFrames) symbolicateFrame(map, frame); // settle the JIT, fill the per-line indexes
let t = performance.now();
for (const frame of warmFrames) {
  const r = symbolicateFrame(map, frame);
  statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  if (r.status === 'mapped' || r.status === 'source_missing') scopes.set(String(r.scope), (scopes.get(String(r.scope)) ?? 0) + 1);
}
const frameMeanUs = ((performance.now() - t) * 1000) / warmFrames.length;
const perFrame = new Float64Array(warmFrames.length);
for (let i = 0; i < warmFrames.length; i++) {
  const start = performance.now();
  symbolicateFrame(map, warmFrames[i]);
  perFrame[i] = (performance.now() - start) * 1000;
}
perFrame.sort();
const frameP50Us = perFrame[Math.floor(perFrame.length / 2)];
const frameP99Us = perFrame[Math.floor(perFrame.length * 0.99)];
const count = (m: Map<string, number>) => [...m].map(([k, v]) => `${k} ${v}`).join(', ');
console.log(`\n2. warm — ${WARM_FRAMES} frames at positions drawn from the map's segments, after one pass; map parsed off-thread with the bundle; 5 context lines`);
console.log(`  symbolicateFrame                 mean ${frameMeanUs.toFixed(2)} µs/frame   p50 ${frameP50Us.toFixed(2)} µs   p99 ${frameP99Us.toFixed(2)} µs   (${count(statuses)}; names: ${count(scopes)})`);

// The whole stage: real artifact store on an embedded chDB, real lookup, map cache and parser.
const storeDir = mkdtempSync(join(tmpdir(), 'lookout-bench-store-'));
const store = await openStore({ dataDir: storeDir });
const artifacts = createArtifactStore(store);
for (const [name, content] of [[BUNDLE_NAME, code], [`${BUNDLE_NAME}.map`, mapText]] as const) {
  const bytes = Buffer.from(content);
  await artifacts.put(1, RELEASE, name, await inspectArtifact(name, bytes, parser), content);
}
const stageMetrics = createMetrics(() => ({ bytes: 0, pendingBytes: 0, pendingRecords: 0, segments: 0 }));
const stage = createSymbolicationStage({
  lookup: createArtifactLookup(artifacts),
  artifacts,
  parser,
  maps: createMapCache(),
  contexts: createContextStore(store),
  metrics: stageMetrics,
  contextLines: 5,
});
const processed = (event: ErrorEvent): ProcessedEvent => ({
  projectId: 1,
  receivedAt: Date.now(),
  sdk: { name: 'lookout', version: '0.1.0' },
  client: { browser_name: 'Chrome', browser_version: '131.0.0.0', os_name: 'Windows', os_version: '10', device_type: '' },
  event,
});
// A flush of the processor: 20,000 events of bench:ingest's mix hold 4,000 errors.
const FLUSH_ERRORS = 4000;
const flush = Array.from({ length: FLUSH_ERRORS }, (_, i) => processed(benchError(i, pool)));
const flushFrames = flush.reduce((n, p) => n + (p.event as ErrorEvent).frames!.length, 0);
t = performance.now();
await stage.run([processed(benchError(0, pool))]);
const stageColdMs = performance.now() - t;
const stageBatchMs: number[] = [];
for (let round = 0; round < 8; round++) {
  t = performance.now();
  await stage.run(flush);
  if (round >= 2) stageBatchMs.push(performance.now() - t); // two rounds settle the JIT
}
// The processor awaits the stage between its turns of the event loop: how long does one flush hold it?
const stageBlockedMs = (await maxBlocking(() => stage.run(flush))).maxGapMs;
const stageStatuses = new Map<string, number>();
for (const p of flush) for (const frame of p.frames!) stageStatuses.set(frame.status, (stageStatuses.get(frame.status) ?? 0) + 1);
const stageMeanUs = (stageBatchMs.reduce((a, b) => a + b, 0) * 1000) / (stageBatchMs.length * flushFrames);
console.log(
  `  symbolication stage, warm cache  mean ${stageMeanUs.toFixed(2)} µs/frame   (${FLUSH_ERRORS} errors, ${flushFrames} frames per run: median ${median(stageBatchMs).toFixed(1)} ms per run, event loop blocked ${stageBlockedMs.toFixed(0)} ms at once; ${count(stageStatuses)})`,
);
// Where else symbolicated frames cost, downstream of the stage, on the same flush: the grouping
// stage and the store insert (rows.ts puts the frames as JSON in the row; chDB parses it and
// compresses it). CPU of the whole process (chDB's threads included), with the stage's frames vs
// the same errors stored as sent; one untimed round, then 3 interleaved.
const cpuMs = async (work: () => Promise<unknown>) => {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};
const grouping = createGroupingStage({ issues: createIssueStore(store), metrics: stageMetrics });
const asSent = flush.map((p) => ({ ...p, frames: undefined }));
const downstream = { groupOn: 0, groupOff: 0, insertOn: 0, insertOff: 0 };
// Bytes the symbolicated frames add to the insert: the errors rows' extra columns, as sent (JSONCompactEachRow).
const rowBytes = (events: readonly ProcessedEvent[]) =>
  rowsByTable(events, 30).reduce((sum, { rows }) => sum + rows.reduce((n, row) => n + JSON.stringify(row).length, 0), 0);
const storedJsonBytes = rowBytes(flush) - rowBytes(flush.map((p) => ({ ...p, frames: undefined })));
for (let round = 0; round < 4; round++) {
  for (const [events, on] of [[flush, true], [asSent, false]] as const) {
    const group = await cpuMs(() => grouping.run(events) as Promise<void>);
    const insert = await cpuMs(async () => {
      for (const { table, columns, rows } of rowsByTable(events, 30)) await store.insert(table, rows, { columns, dedupToken: `bench-${round}-${on}` });
    });
    if (round === 0) continue;
    downstream[on ? 'groupOn' : 'groupOff'] += group;
    downstream[on ? 'insertOn' : 'insertOff'] += insert;
  }
}
const perFrameUs = (on: number, off: number) => (((on - off) / 3) * 1000) / flushFrames;
console.log(
  `  downstream, extra CPU per frame (same 4000 errors, symbolicated vs stored as sent; all threads): grouping stage ${perFrameUs(downstream.groupOn, downstream.groupOff).toFixed(2)} µs, rows + chDB insert ${perFrameUs(downstream.insertOn, downstream.insertOff).toFixed(2)} µs (+${(storedJsonBytes / flushFrames).toFixed(0)} B per frame in the insert: original position, status, names, context id)`,
);
console.log(`  symbolication stage, first frame after an upload (read from the store + off-thread parse with the bundle): ${stageColdMs.toFixed(0)} ms`);
await store.close();
rmSync(storeDir, { recursive: true, force: true });

// ---- 3. End to end -------------------------------------------------------------------------

const bodiesFile = join(workDir, 'bodies.ndjson');
writeFileSync(bodiesFile, Array.from({ length: 5000 }, (_, i) => JSON.stringify(benchBatch(i, pool))).join('\n'));

/** Sums of a /metrics counter, by one label's value. */
function counter(text: string, name: string, label?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    const key = label ? (new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? '') : '';
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}
const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const scrape = async (collector: ChildCollector) => (await fetch(`${collector.url}/metrics`)).text();

async function upload(collector: ChildCollector): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([code]), BUNDLE_NAME);
  form.append('file', new Blob([mapText]), `${BUNDLE_NAME}.map`);
  const response = await fetch(`${collector.url}/api/1/releases/${encodeURIComponent(RELEASE)}/artifacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${collector.adminToken}` },
    body: form,
  });
  if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
}

interface EndToEnd {
  label: string;
  wrk: DriveFigures;
  storedPerSecond: number;
  storedDuringLoadPerSecond: number;
  drainSeconds: number;
  peakRss: number;
  cpuUsPerEvent: number;
  frameMetrics: Map<string, number>;
  stageErrors: number;
  sampled: Map<string, number>;
  names: Map<string, number>;
  loadBefore: string;
}

async function endToEnd(symbolicate: boolean): Promise<EndToEnd> {
  const label = symbolicate ? 'symbolication on' : 'symbolication off';
  const loadBefore = load();
  const dataDir = mkdtempSync(join(tmpdir(), 'lookout-bench-'));
  const collector = await spawnCollector([
    '--data', dataDir, '--rate-limit-project', '0', '--rate-limit-ip', '0', '--log-level', 'warn',
    ...(symbolicate ? [] : ['--symbolicate', 'false']),
  ]);
  try {
    await upload(collector);
    // One batch first, stored before the load: the map is in the cache when wrk starts.
    const warmUp = await fetch(`${collector.url}/api/1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lookout-key': collector.ingestKey },
      body: JSON.stringify(benchBatch(0, pool)),
    });
    if (warmUp.status !== 202) throw new Error(`warm-up batch answered ${warmUp.status}: ${await warmUp.text()}`);
    await waitForEmptySpool(collector.url);
    const storedBefore = total(counter(await scrape(collector), 'lookout_events_stored_total'));
    const pid = collector.process.pid!;
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(pid))), 500);
    const cpuBefore = cpuSeconds(pid);
    const wrk = await drive({ url: collector.url, key: collector.ingestKey, label, seconds, connections, bodiesFile, eventsPerBatch: EVENTS_PER_BATCH });
    const storedAtLoadEnd = total(counter(await scrape(collector), 'lookout_events_stored_total')) - storedBefore;
    const drainStarted = Date.now();
    await waitForEmptySpool(collector.url, 900_000);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    clearInterval(sampler);
    const cpu = cpuSeconds(pid) - cpuBefore;
    const metrics = await scrape(collector);
    const stored = total(counter(metrics, 'lookout_events_stored_total')) - storedBefore;
    // What was stored, read back through the API: the figure must not measure a no-op.
    const response = await fetch(`${collector.url}/api/1/events?kind=error&limit=100&since=0`, { headers: { authorization: `Bearer ${collector.adminToken}` } });
    const { events } = (await response.json()) as { events: { symbolicated_frames?: StoredFrame[] }[] };
    const sampled = new Map<string, number>();
    const names = new Map<string, number>();
    for (const event of events) {
      if (!event.symbolicated_frames) sampled.set('not symbolicated', (sampled.get('not symbolicated') ?? 0) + 1);
      for (const frame of event.symbolicated_frames ?? []) {
        sampled.set(frame.status, (sampled.get(frame.status) ?? 0) + 1);
        names.set(String(frame.function_source ?? null), (names.get(String(frame.function_source ?? null)) ?? 0) + 1);
      }
    }
    return {
      label,
      wrk,
      storedPerSecond: Math.round(stored / (wrk.seconds + drainSeconds)),
      storedDuringLoadPerSecond: Math.round(storedAtLoadEnd / wrk.seconds),
      drainSeconds,
      peakRss,
      cpuUsPerEvent: (cpu / stored) * 1e6,
      frameMetrics: counter(metrics, 'lookout_frames_symbolicated_total', 'status'),
      stageErrors: total(counter(metrics, 'lookout_stage_errors_total')),
      sampled,
      names,
      loadBefore,
    };
  } finally {
    await collector.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await parser.close();
const errorsPerBatch = eventMix === 'errors' ? EVENTS_PER_BATCH : 4;
console.log(
  `\n3. end to end — two collector processes one after the other, ${seconds} s of wrk each, ${connections} connections, ${EVENTS_PER_BATCH}-event batches (${eventMix === 'errors' ? 'errors only' : 'bench:ingest mix: 4 errors, 8 vitals, 8 navigations'}), ${STACKS} distinct stacks of 5–10 frames into ${BUNDLE_URL}, release ${RELEASE}`,
);
const [off, on] = await (async () => {
  try {
    return [await endToEnd(false), await endToEnd(true)];
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
})();
for (const r of [off, on]) {
  console.log(
    `  ${r.label.padEnd(18)} (load average before: ${r.loadBefore})\n  ${''.padEnd(18)} acknowledged ${String(r.wrk.eventsPerSecond).padStart(6)} events/s (p50 ${r.wrk.p50ms} ms, p99 ${r.wrk.p99ms} ms, ${r.wrk.non2xx} non-2xx)   stored ${String(r.storedPerSecond).padStart(6)} events/s until the backlog was stored (${r.drainSeconds.toFixed(1)} s after the load; ${r.storedDuringLoadPerSecond} events/s during the load)`,
  );
  console.log(
    `  ${''.padEnd(18)} collector CPU ${r.cpuUsPerEvent.toFixed(1)} µs per event stored, peak RSS ${(r.peakRss / 1024 / 1024).toFixed(0)} MB; frames by status (metrics): ${count(r.frameMetrics) || 'none'}; stage errors ${r.stageErrors}`,
  );
  console.log(`  ${''.padEnd(18)} 100 latest stored errors, frames by status: ${count(r.sampled)}${r.names.size ? `; function names from: ${count(r.names)}` : ''}`);
}
const storedRatio = on.storedPerSecond / off.storedPerSecond;
const ackRatio = on.wrk.eventsPerSecond / off.wrk.eventsPerSecond;
const framesPerError = pool.reduce((n, s) => n + s.frames.length, 0) / pool.length;
const extraCpuPerFrame = ((on.cpuUsPerEvent - off.cpuUsPerEvent) * EVENTS_PER_BATCH) / (errorsPerBatch * framesPerError);
console.log(
  `  ratio on / off: stored ${storedRatio.toFixed(2)}, acknowledged ${ackRatio.toFixed(2)}; collector CPU per event off / on ${(off.cpuUsPerEvent / on.cpuUsPerEvent).toFixed(2)} (what the stored ratio tends to when the collector has the cores to itself); symbolication's extra collector CPU ≈ ${extraCpuPerFrame.toFixed(1)} µs per frame (${framesPerError.toFixed(2)} frames per error)`,
);

// ---- 4. Goals ------------------------------------------------------------------------------

const mappedOn = on.sampled.get('mapped') ?? 0;
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.log(`\ngoals`);
console.log(`warm lookup: symbolicateFrame ${frameMeanUs.toFixed(2)} µs/frame mean, p50 ${frameP50Us.toFixed(2)}; whole stage ${stageMeanUs.toFixed(2)} µs/frame  (goal ≤ 20 µs: ${met(Math.max(frameMeanUs, stageMeanUs) <= 20)})`);
console.log(`ingest with symbolication / without, stored events/s: ${storedRatio.toFixed(2)}  (goal ≥ 0.80: ${met(storedRatio >= 0.8)})`);
console.log(`check: ${mappedOn} of ${total(on.sampled)} sampled stored frames of the "on" collector are mapped${on.stageErrors ? `, ${on.stageErrors} stage errors` : ''}`);
if (!mappedOn || on.stageErrors) console.log('WARNING: the "on" collector did not symbolicate: the ratio measures nothing');
