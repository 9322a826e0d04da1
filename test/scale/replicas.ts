/**
 * Collector replicas for the scale tests: each a real child process (serve-child.ts, from source)
 * on its own data folder (its own spool), all pointed at one ClickHouse with the same admin token.
 * Same handle as test/support/child-collector.ts, plus `restart()` on the same data folder.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildCollector } from '../support/child-collector.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('./serve-child.ts', import.meta.url));

export interface Replica extends ChildCollector {
  name: string;
  dataDir: string;
}

export async function spawnReplica(name: string, dataDir: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--port', '0', '--data', dataDir, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((done) => child.on('exit', (code, signal) => done(signal ?? code ?? -1)));
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`replica ${name} did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      if (/Lookout\.init\(/.test(output)) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`replica ${name} exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    name,
    dataDir,
    url: output.match(/Listening on:\s+(http:\/\/[^/\s]+)/)![1],
    adminToken: output.match(/Admin token:\s+(\S+)/)![1],
    ingestKey: output.match(/dsn: 'http:\/\/([0-9a-f]+)@/)![1],
    process: child,
    output: () => output,
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
