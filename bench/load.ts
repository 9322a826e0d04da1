/**
 * npm run bench:load — the same simple GET scenario (one status check) against a local fastify
 * target (its own process, so it does not take the generator's CPU), with the same number of
 * connections, driven by:
 *   1. autocannon (programmatic API, in this process);
 *   2. our runner with a hand-written virtual user (one undici request + record): the runner's
 *      own cost — scheduling, stats, HdrHistogram — then the same user on undici's lower-level
 *      `dispatch` (no response stream per request), the cheapest undici offers;
 *   3. our runner with the DSL (`http('status').get('/').check(status().is(200))`): what a user runs.
 * Ours use the closed model: N concurrent users, each doing one request, replaced as soon as it
 * ends (max throughput). CPU per 1,000 requests is process.cpuUsage() around each run (all three
 * in this process, one after another, so it is attributable). Then a longer DSL run samples this
 * process's RSS every second: flat means constant memory.
 *
 * Env: BENCH_SECONDS (20) per throughput run, BENCH_CONNECTIONS (50), BENCH_MEMORY_SECONDS (60).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Pool } from 'undici';
import { existsSync } from 'node:fs';
import type { SimulationDefinition } from '../synthetic/src/definition.js';

// What `lookout load` runs: the compiled DSL and runner (npm run bench:load builds first), the
// sources when there is no build (tsx adds a little per call: esbuild's __name helpers).
const compiled = new URL('../dist/synthetic/src/', import.meta.url);
const fromDist = existsSync(new URL('index.js', compiled)) && existsSync(new URL('run/run.js', compiled));
const dslUrl = fromDist ? new URL('index.js', compiled).href : new URL('../synthetic/src/index.ts', import.meta.url).href;
const runUrl = fromDist ? new URL('run/run.js', compiled).href : new URL('../synthetic/src/run/run.ts', import.meta.url).href;
const { constantConcurrentUsers, http, httpProtocol, scenario, simulation, status } = (await import(dslUrl)) as typeof import('../synthetic/src/index.js');
const { runSimulation } = (await import(runUrl)) as typeof import('../synthetic/src/run/run.js');

interface AutocannonResult {
  requests: { total: number };
  errors: number;
  non2xx: number;
  duration: number;
}
// autocannon ships no types; this is the part of its programmatic API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const memorySeconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 60);

const TARGET = `
import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url: address }) + '\\n');
`;

interface Figures {
  label: string;
  requests: number;
  errors: number;
  rps: number;
  cpuMsPer1000: number;
}

async function measure(label: string, drive: () => Promise<{ requests: number; errors: number; durationMs: number }>): Promise<Figures> {
  if (global.gc) global.gc();
  const before = process.cpuUsage();
  const { requests, errors, durationMs } = await drive();
  const cpu = process.cpuUsage(before);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { label, requests, errors, rps: Math.round(requests / (durationMs / 1000)), cpuMsPer1000: Math.round((cpuMs / (requests / 1000)) * 100) / 100 };
}

function viaAutocannon(url: string) {
  return async () => {
    const result = await autocannon({ url, connections, duration: seconds });
    const requests = result.requests.total;
    return { requests, errors: result.errors + result.non2xx, durationMs: result.duration * 1000 };
  };
}

/** The runner alone: a virtual user is one undici request, recorded as the runtime records it. */
function handWritten(url: string): SimulationDefinition {
  const pool = new Pool(url, { connections });
  return {
    scenarios: [
      {
        name: 'status',
        injection: [{ model: 'closed', kind: 'constantConcurrent', users: connections, seconds }],
        async runUser(context) {
          const start = performance.now();
          let ok = false;
          let statusCode: number | undefined;
          try {
            const response = await pool.request({ method: 'GET', path: '/' });
            await response.body.dump();
            statusCode = response.statusCode;
            ok = statusCode === 200;
          } catch {
            ok = false;
          }
          context.recorder.request({ name: 'status', groups: [], intendedStart: context.arrival, start, end: performance.now(), ok, status: statusCode, failure: ok ? undefined : `status ${statusCode}` });
        },
      },
    ],
    assertions: [],
    throttle: [],
    close: () => pool.close(),
  };
}

/** The same with undici's low-level dispatch (no response stream per request): the runner's ceiling on undici. */
function handWrittenDispatch(url: string): SimulationDefinition {
  const pool = new Pool(url, { connections });
  const get = () =>
    new Promise<number>((resolve, reject) => {
      let statusCode = 0;
      pool.dispatch({ origin: url, method: 'GET', path: '/' }, {
        onRequestStart() {},
        onResponseStart(_controller: unknown, code: number) {
          statusCode = code;
        },
        onResponseData() {},
        onResponseEnd() {
          resolve(statusCode);
        },
        onResponseError(_controller: unknown, error: Error) {
          reject(error);
        },
      } as unknown as Parameters<Pool['dispatch']>[1]);
    });
  const definition = handWritten(url);
  definition.scenarios[0].runUser = async (context) => {
    const start = performance.now();
    const statusCode = await get().catch(() => undefined);
    const ok = statusCode === 200;
    context.recorder.request({ name: 'status', groups: [], intendedStart: context.arrival, start, end: performance.now(), ok, status: statusCode, failure: ok ? undefined : `status ${statusCode}` });
  };
  const closeFirst = definition.close;
  definition.close = async () => {
    await closeFirst();
    await pool.close();
  };
  return definition;
}

function withDsl(url: string, runSeconds: number): SimulationDefinition {
  const check = scenario('status').exec(http('status').get('/').check(status().is(200)));
  return simulation({
    protocol: httpProtocol().baseUrl(url),
    scenarios: [check.injectClosed(constantConcurrentUsers(connections).during(runSeconds))],
  });
}

function viaRunner(definition: SimulationDefinition) {
  return async () => {
    const summary = await runSimulation(definition, { simulation: 'bench' });
    return { requests: summary.global.count, errors: summary.global.ko, durationMs: summary.durationMs };
  };
}

async function memoryRun(url: string) {
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(process.memoryUsage().rss), 1000);
  const summary = await runSimulation(withDsl(url, memorySeconds), { simulation: 'bench-memory' });
  clearInterval(sampler);
  return { samples, requests: summary.global.count };
}

async function main() {
  const target = spawn(process.execPath, ['--input-type=module', '-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done) => target.stdout!.once('data', (chunk) => done(JSON.parse(String(chunk)).url)));
  try {
    console.log(`bench:load — GET / with one status check, ${connections} connections, ${seconds} s per run, target in its own process, node ${process.version}, runner and DSL from ${fromDist ? 'dist/' : 'the sources (no build)'}`);
    // Warm both clients and the target's JIT so neither run pays for it.
    await autocannon({ url, connections, duration: 2 });
    const results: Figures[] = [];
    results.push(await measure('autocannon', viaAutocannon(url)));
    results.push(await measure('lookout runner, hand-written user', viaRunner(handWritten(url))));
    results.push(await measure('  same, undici dispatch', viaRunner(handWrittenDispatch(url))));
    results.push(await measure('lookout load, DSL scenario', viaRunner(withDsl(url, seconds))));
    for (const figures of results) {
      console.log(`${figures.label.padEnd(36)} ${String(figures.rps).padStart(7)} req/s  ${String(figures.cpuMsPer1000).padStart(6)} ms CPU per 1,000 requests  (${figures.requests} requests, ${figures.errors} errors)`);
    }
    const [baseline, runner, dispatch, dsl] = results;
    console.log(`ratio DSL / autocannon: ${(dsl.rps / baseline.rps).toFixed(2)}  (goal ≥ 1.0)`);
    console.log(`ratio runner alone / autocannon: ${(runner.rps / baseline.rps).toFixed(2)} (undici request), ${(dispatch.rps / baseline.rps).toFixed(2)} (undici dispatch)`);

    const memory = await memoryRun(url);
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    const steady = memory.samples.slice(5);
    console.log(`memory, DSL run of ${memorySeconds} s (${memory.requests} requests): RSS every second (MB): ${memory.samples.map(mb).join(' ')}`);
    console.log(`RSS after 5 s: min ${mb(Math.min(...steady))} MB, max ${mb(Math.max(...steady))} MB, first ${mb(steady[0])} MB, last ${mb(steady.at(-1)!)} MB`);
  } finally {
    target.kill();
  }
}

await main();
