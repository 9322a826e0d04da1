/**
 * The live console line, every 5 s: elapsed time, active users, requests/s and errors over the
 * last interval, and that interval's p95 (from a histogram reset each time, so a stall shows in
 * the line that covers it rather than being averaged into the whole run).
 */
import type { Stats } from './stats.js';

export interface ProgressPrinter {
  stop(): void;
}

export function startProgress(stats: Stats, origin: number, write: (line: string) => void, intervalMs = 5000): ProgressPrinter {
  let last = origin;
  const timer = setInterval(() => {
    const now = performance.now();
    write(progressLine(stats, now - origin, now - last));
    last = now;
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export function progressLine(stats: Stats, elapsedMs: number, windowMs: number): string {
  const window = stats.takeWindow();
  const totals = stats.totals();
  const rate = windowMs > 0 ? window.requests / (windowMs / 1000) : 0;
  const errorPercent = window.requests > 0 ? (window.ko / window.requests) * 100 : 0;
  return [
    `${clock(elapsedMs)}`,
    `active ${stats.activeUsers()}`,
    `${rate.toFixed(1)} req/s`,
    `errors ${window.ko} (${errorPercent.toFixed(1)} %)`,
    `p95 ${window.p95Ms === null ? '-' : `${Math.round(window.p95Ms)} ms`}`,
    `total ${totals.requests} requests, ${totals.ko} KO`,
  ].join('  ');
}

/** mm:ss (h:mm:ss past an hour). */
export function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(seconds / 3600);
  const rest = `${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  return hours > 0 ? `${hours}:${rest}` : rest;
}
