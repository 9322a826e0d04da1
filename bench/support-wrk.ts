/**
 * Shared by bench:ingest and bench:symbolicate: drive a collector's ingest route with wrk
 * (bench/wrk-batches.lua POSTs pre-generated batches, one JSON body per line of a file), and
 * read a child process's CPU time and RSS from /proc.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageRoot } from '../collector/src/paths.js';

/** User + system CPU seconds the process (all its threads, chDB's included) has used. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) * 1024;
}

export interface DriveOptions {
  /** Base URL; batches go to `${url}/api/1/ingest`. */
  url: string;
  key: string;
  label: string;
  seconds: number;
  connections: number;
  /** File of JSON bodies, one per line. */
  bodiesFile: string;
  eventsPerBatch: number;
}

export interface DriveFigures {
  label: string;
  /** Batches answered 2xx. */
  acknowledged: number;
  non2xx: number;
  errors: number;
  /** Length of the run as wrk measured it. */
  seconds: number;
  eventsPerSecond: number;
  p50ms: number;
  p99ms: number;
}

/** Drives one target with wrk (a C load generator: it leaves the CPU to the collector, unlike a Node one). */
export async function drive(options: DriveOptions): Promise<DriveFigures> {
  const { url, key, label, seconds, connections, bodiesFile, eventsPerBatch } = options;
  const output = await new Promise<string>((done, fail) => {
    const wrk = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', resolve(packageRoot, 'bench/wrk-batches.lua'), `${url}/api/1/ingest`], {
      env: { ...process.env, BENCH_BODIES: bodiesFile, BENCH_KEY: key },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    wrk.stdout!.on('data', (chunk) => (text += chunk));
    wrk.on('error', () => fail(new Error('wrk is needed: apt-get install wrk')));
    wrk.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`wrk exited ${code}: ${text}`))));
  });
  const figures = JSON.parse(output.trim().split('\n').pop()!) as { requests: number; non2xx: number; socketErrors: number; seconds: number; p50us: number; p99us: number };
  const acknowledged = figures.requests - figures.non2xx;
  return {
    label,
    acknowledged,
    non2xx: figures.non2xx,
    errors: figures.socketErrors,
    seconds: figures.seconds,
    eventsPerSecond: Math.round((acknowledged * eventsPerBatch) / figures.seconds),
    p50ms: figures.p50us / 1000,
    p99ms: figures.p99us / 1000,
  };
}
