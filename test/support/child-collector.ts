/**
 * `lookout serve` as a real child process (the compiled bin, as a user runs it), for tests
 * that kill it or point it at another store. Reads what it needs from the start banner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { packageRoot } from '../../collector/src/paths.js';

export interface ChildCollector {
  url: string;
  adminToken: string;
  ingestKey: string;
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface SpawnOptions {
  /** What node runs before the flags; default the compiled bin's `serve`. */
  entry?: string[];
  cwd?: string;
}

export async function spawnCollector(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000, options: SpawnOptions = {}): Promise<ChildCollector> {
  const entry = options.entry ?? [resolve(packageRoot, 'bin/lookout.js'), 'serve'];
  const child = spawn(process.execPath, [...entry, '--port', '0', ...args], {
    cwd: options.cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((done) => child.on('exit', (code, signal) => done(signal ?? code ?? -1)));

  const banner = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`collector did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      if (/Lookout\.init\(/.test(output)) {
        clearTimeout(timer);
        done(output);
      }
    };
    child.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`collector exited (${code}) before it was ready:\n${output}`));
    });
  });
  const url = banner.match(/Listening on:\s+(http:\/\/[^/\s]+)/)![1];
  const adminToken = banner.match(/Admin token:\s+(\S+)/)![1];
  const ingestKey = banner.match(/dsn: 'http:\/\/([0-9a-f]+)@/)![1];
  return {
    url,
    adminToken,
    ingestKey,
    process: child,
    output: () => output,
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Waits until the collector's spool has nothing left to store (its /readyz reports it). */
export async function waitForEmptySpool(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.json()).catch(() => undefined);
    if (ready?.spool?.pending_records === 0) return;
    if (Date.now() > deadline) throw new Error(`spool still not empty after ${timeoutMs} ms: ${JSON.stringify(ready)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POSTs one batch to a child collector's ingest route for project 1. */
export function ingestInto(collector: Pick<ChildCollector, 'url' | 'ingestKey'>, events: unknown[]): Promise<Response> {
  return fetch(`${collector.url}/api/1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-lookout-key': collector.ingestKey },
    body: JSON.stringify({ sdk: { name: 'test', version: '1' }, events }),
  });
}
