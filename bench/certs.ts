/**
 * npm run bench:certs — the certificate checker at scale: 200 local TLS endpoints (one Node TLS
 * server each, in a child process so the servers' work and sockets are not the checker's), each
 * presenting leaf + intermediate from a private CA made by openssl, checked with checkTarget at
 * concurrency 50 (three handshakes per endpoint: the main one and the TLS 1.0/1.1 probes).
 * 10 rounds; per round: wall time, open file descriptors (/proc/self/fd), RSS and heap after gc.
 * Goals (issue 8): a round ≤ 5 s; no fd or memory growth over the rounds.
 * Env: BENCH_ENDPOINTS (200), BENCH_CONCURRENCY (50), BENCH_ROUNDS (10).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { checkTarget } from '../certs/src/check.js';
import type { CheckOptions, CheckResult } from '../certs/src/contract.js';
import { mapBounded } from '../certs/src/limit.js';
import { createPki } from '../test/certs/pki.js';
import { chainPem, serveTls, type Endpoint } from '../test/certs/tls-servers.js';

const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const GOAL_MS = 5_000;

interface ServeMessage {
  key: string;
  cert: string;
  count: number;
}

/** The child: start `count` servers, report their ports, live until told to stop. */
async function serveChild(): Promise<void> {
  process.once('message', async (message: ServeMessage) => {
    const servers: Endpoint[] = [];
    for (let i = 0; i < message.count; i++) servers.push(await serveTls({ key: message.key, cert: message.cert }));
    process.send!({ ports: servers.map((server) => server.port) });
    process.once('message', async () => {
      await Promise.all(servers.map((server) => server.close()));
      process.exit(0);
    });
  });
}

/** `gc` even when node was started without --expose-gc (the npm script does not pass it). */
function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const gc = gcFunction();
  const pki = await createPki();
  const inter = await pki.intermediate({ name: 'bench-inter', cn: 'Bench Intermediate' });
  const leaf = await pki.leaf({ name: 'bench-leaf', sans: ['bench.lookout.test'], issuer: inter, days: 90 });
  const options: CheckOptions = { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 10_000, caFile: await pki.bundle('root', [pki.root]) };

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.once('message', (message: { ports: number[] }) => resolve(message.ports));
    child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
    child.send({ key: leaf.key, cert: chainPem(leaf, inter), count: ENDPOINTS } satisfies ServeMessage);
  });
  const targets = ports.map((port) => ({ host: '127.0.0.1', port, protocol: 'tls' as const, serverName: 'bench.lookout.test' }));

  console.log(`bench:certs — ${ENDPOINTS} endpoints, concurrency ${CONCURRENCY}, ${ROUNDS} rounds; Node ${process.version}, ${availableParallelism()} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // Warm-up: the trust store is parsed once (Node's roots + the system bundle + the CA file).
  await checkTarget(targets[0]!, options);
  gc();
  const baseline = { fds: openFds(), rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
  console.log(`before: ${baseline.fds} fds, RSS ${mb(baseline.rss)}, heap ${mb(baseline.heap)}`);
  console.log('round  wall ms  ok/total  fds  RSS       heap after gc');
  const rows: { wall: number; fds: number; rss: number; heap: number }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const started = performance.now();
    const results: CheckResult[] = await mapBounded(targets, CONCURRENCY, (target) => checkTarget(target, options));
    const wall = performance.now() - started;
    const ok = results.filter((result) => result.state === 'ok').length;
    if (ok !== results.length) {
      const bad = results.find((result) => result.state !== 'ok')!;
      console.log('not ok:', JSON.stringify(bad.addresses[0]?.verdicts ?? bad.error));
    }
    // Let closed sockets be collected before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    gc();
    const row = { wall, fds: openFds(), rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed };
    rows.push(row);
    console.log(`${String(round).padStart(5)}  ${wall.toFixed(0).padStart(7)}  ${`${ok}/${results.length}`.padStart(8)}  ${String(row.fds).padStart(3)}  ${mb(row.rss).padEnd(8)}  ${mb(row.heap)}`);
  }
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  await pki.cleanup();

  const walls = rows.map((row) => row.wall).sort((a, b) => a - b);
  const second = rows[1]!;
  const last = rows[rows.length - 1]!;
  console.log(`\nwall per round: min ${walls[0]!.toFixed(0)} ms, median ${walls[Math.floor(walls.length / 2)]!.toFixed(0)} ms, max ${walls[walls.length - 1]!.toFixed(0)} ms (goal ≤ ${GOAL_MS} ms): ${walls[walls.length - 1]! <= GOAL_MS ? 'met' : 'NOT met'}`);
  console.log(`fds: baseline ${baseline.fds}, after round 1 ${rows[0]!.fds}, after round ${ROUNDS} ${last.fds}: ${last.fds <= baseline.fds ? 'no growth' : `+${last.fds - baseline.fds}`}`);
  console.log(`heap after gc: round 2 ${mb(second.heap)} → round ${ROUNDS} ${mb(last.heap)} (${((last.heap - second.heap) / 1024).toFixed(0)} KB)`);
  console.log(`RSS: round 2 ${mb(second.rss)} → round ${ROUNDS} ${mb(last.rss)} (${((last.rss - second.rss) / 1024 / 1024).toFixed(1)} MB)`);
}

if (process.argv.includes('--serve')) await serveChild();
else await main();
