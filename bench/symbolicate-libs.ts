/**
 * node --import tsx bench/symbolicate-libs.ts — picks the source map library for the
 * symbolicator, on a real multi-megabyte map (Angular + rxjs bundled and minified by esbuild,
 * built in memory), all in one run:
 *   - cold parse: construct from the map text + first lookup (both libraries decode lazily)
 *   - memory: heap + external (source-map 0.7 keeps its mappings in WASM memory) after GC,
 *     holding the parsed map after one lookup, each library in a fresh child process
 *   - warm lookup: µs per lookup over many random generated positions
 * then the main-thread blocking of collector/src/symbolicate's in-thread vs off-thread parse.
 * Figures and the decision are in bench/README.md (## bench:symbolicate-libs).
 */
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import sourceMap from 'source-map';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOffThreadParser, parseSourceMap } from '../collector/src/symbolicate/index.js';
import { buildAngularBundle, randomPositions } from '../test/symbolicate/angular-map.js';
import { maxBlocking, median } from './support-blocking.js';

const { SourceMapConsumer } = sourceMap;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 9);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 200_000);

// `--mem <mapFile> <contender>`: child mode, measures one contender's memory in a fresh process
// (measuring them one after another in one heap gave negative deltas from earlier garbage).
const memMode = process.argv[2] === '--mem';
const { code, map: mapText } = memMode
  ? { code: '', map: readFileSync(process.argv[3], 'utf8') }
  : await buildAngularBundle();
const mapJson = JSON.parse(mapText) as { sources: string[]; mappings: string };
const positions = memMode ? [] : randomPositions(code, LOOKUPS);

interface Contender {
  name: string;
  /** Parse + first lookup; returns a handle for warm lookups. */
  open(): Promise<unknown> | unknown;
  lookup(handle: unknown, line: number, column: number): unknown;
  close?(handle: unknown): void;
}

const contenders: Contender[] = [
  {
    name: '@jridgewell/trace-mapping',
    open() {
      const tm = new TraceMap(mapText);
      originalPositionFor(tm, { line: 1, column: 0 });
      return tm;
    },
    lookup: (h, line, column) => originalPositionFor(h as TraceMap, { line: line + 1, column }),
  },
  {
    name: 'source-map 0.7 (WASM)',
    async open() {
      const c = await new SourceMapConsumer(mapText);
      c.originalPositionFor({ line: 1, column: 0 });
      return c;
    },
    lookup: (h, line, column) => (h as sourceMap.SourceMapConsumer).originalPositionFor({ line: line + 1, column }),
    close: (h) => (h as sourceMap.SourceMapConsumer).destroy(),
  },
  {
    name: 'lookout (validate + trace-mapping)',
    open() {
      const m = parseSourceMap(mapText);
      m.originalPosition(0, 0);
      return m;
    },
    lookup: (h, line, column) => (h as ReturnType<typeof parseSourceMap>).originalPosition(line, column),
  },
];

const mem = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

if (memMode) {
  const c = contenders[Number(process.argv[4])];
  const lineCount = mapJson.mappings.split(';').length;
  const before = mem();
  const h = await c.open();
  const first = mem() - before;
  for (let line = 0; line < lineCount; line++) c.lookup(h, line, 0); // touch every line (lazy indexes)
  const all = mem() - before;
  console.log(JSON.stringify({ memBytes: first, memAllLines: all, keep: h != null }));
  process.exit(0);
}

function memoryInChild(index: number, mapFile: string): { memBytes: number; memAllLines: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--mem', mapFile, String(index)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`memory child for ${contenders[index].name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { memBytes: number; memAllLines: number };
}
const tmp = mkdtempSync(join(tmpdir(), 'lookout-bench-'));
const mapFile = join(tmp, 'angular-bundle.js.map');
writeFileSync(mapFile, mapText);

interface Row {
  name: string;
  coldMs: number;
  memBytes: number;
  memAllLines: number;
  warmUs: number;
  mapped: number;
}
const rows: Row[] = [];

// Cold parse: contenders interleaved run by run, so machine noise spreads over all of them.
const colds: number[][] = contenders.map(() => []);
for (let run = 0; run < COLD_RUNS; run++) {
  for (const [index, c] of contenders.entries()) {
    gc();
    const t = performance.now();
    const h = await c.open();
    colds[index].push(performance.now() - t);
    c.close?.(h);
  }
}
for (const [index, c] of contenders.entries()) {
  const { memBytes, memAllLines } = memoryInChild(index, mapFile);
  const h = await c.open();
  // Warm: one pass to settle the JIT, then the measured pass.
  let mapped = 0;
  for (const p of positions) c.lookup(h, p.line, p.column);
  const t = performance.now();
  for (const p of positions) {
    const r = c.lookup(h, p.line, p.column) as { source?: unknown } | null;
    if (r && r.source != null) mapped++;
  }
  const warmUs = ((performance.now() - t) * 1000) / positions.length;
  c.close?.(h);
  rows.push({ name: c.name, coldMs: median(colds[index]), memBytes, memAllLines, warmUs, mapped });
}
rmSync(tmp, { recursive: true, force: true });
console.log(`bench:symbolicate-libs — node ${process.version}`);
console.log(
  `map: ${mb(mapText.length)} (${mapText.length} chars), ${mapJson.sources.length} sources, mappings ${mapJson.mappings.length} chars; bundle ${mb(code.length)}`,
);
console.log(`cold = construct from text + first lookup, median of ${COLD_RUNS} (interleaved); mem = heap+external after first lookup / after a lookup in every line; warm = ${LOOKUPS} random positions`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(36)} cold ${r.coldMs.toFixed(1).padStart(6)} ms   mem ${mb(r.memBytes).padStart(8)} / ${mb(r.memAllLines).padStart(8)}   warm ${r.warmUs.toFixed(3)} µs/lookup   (${r.mapped} mapped)`,
  );
}
const [tm, sm] = rows;
console.log(
  `ratios source-map / trace-mapping: cold ${(sm.coldMs / tm.coldMs).toFixed(2)}×, memory ${(sm.memAllLines / tm.memAllLines).toFixed(2)}×, warm lookup ${(sm.warmUs / tm.warmUs).toFixed(2)}×`,
);

// ---- Main-thread blocking: in-thread parse vs parse-off-thread.ts --------------------------

const BLOCK_RUNS = 5;
const inThread: number[] = [];
const inThreadTotal: number[] = [];
for (let i = 0; i < BLOCK_RUNS; i++) {
  const r = await maxBlocking(() => parseSourceMap(mapText).originalPosition(0, 0));
  inThread.push(r.maxGapMs);
  inThreadTotal.push(r.totalMs);
}
const parser = createOffThreadParser();
await parser.parse('{"version":3,"sources":[],"mappings":""}'); // worker start-up, not measured
const offParse: number[] = [];
const offTotal: number[] = [];
const offIndex: number[] = [];
const offBytes: number[] = [];
const mapBytes = Buffer.from(mapText);
for (let i = 0; i < BLOCK_RUNS; i++) {
  let parsed: ReturnType<typeof parseSourceMap> | undefined;
  const r = await maxBlocking(async () => (parsed = await parser.parse(mapText)));
  offParse.push(r.maxGapMs);
  offTotal.push(r.totalMs);
  const t = performance.now();
  parsed!.originalPosition(0, 0); // first lookup builds trace-mapping's index on the main thread
  offIndex.push(performance.now() - t);
  const copy = new Uint8Array(mapBytes.length);
  copy.set(mapBytes);
  const rb = await maxBlocking(() => parser.parse(copy, { transfer: true }));
  offBytes.push(rb.maxGapMs);
}
await parser.close();
console.log(`main-thread blocking, median of ${BLOCK_RUNS} (longest event-loop gap, 1 ms ticker):`);
console.log(`  in-thread parseSourceMap + first lookup      ${median(inThread).toFixed(1)} ms blocked (work ${median(inThreadTotal).toFixed(1)} ms)`);
console.log(`  off-thread parse, string input              ${median(offParse).toFixed(1)} ms blocked (latency ${median(offTotal).toFixed(1)} ms)`);
console.log(`  off-thread parse, Uint8Array transferred    ${median(offBytes).toFixed(1)} ms blocked`);
console.log(`  + first lookup on main (index build)        ${median(offIndex).toFixed(1)} ms blocked`);
