/**
 * Throttling (Gatling's `throttle(reachRps(r).in(s), holdFor(s))`): a token bucket whose refill
 * rate follows the throttle steps; each request awaits a token via `context.throttle()`. Tokens
 * are counted as the integral of the rate since the run started, so a ramp is exact and nothing
 * drifts; an idle bucket keeps at most a small burst (50 ms worth, at least one token).
 */
import type { ThrottleStep } from '../definition.js';

export interface Throttle {
  acquire(): Promise<void>;
  /** When throttling ends (ms from the run's start): like Gatling, the run stops there. */
  endMs: number;
  /** Wakes every waiter (the run is stopping). */
  release(): void;
}

const BURST_SECONDS = 0.05;
const TICK_MS = 2;

export function createThrottle(steps: ThrottleStep[], origin: number, now: () => number = () => performance.now()): Throttle | null {
  if (steps.length === 0) return null;
  const segments = throttleSegments(steps);
  const endMs = segments.at(-1)!.endMs;
  const waiting: (() => void)[] = [];
  let granted = 0;
  let timer: NodeJS.Timeout | null = null;
  let released = false;

  const available = (ms: number) => tokensBy(segments, ms);
  const burst = (ms: number) => Math.max(1, rateAt(segments, ms) * BURST_SECONDS);

  const drain = () => {
    timer = null;
    const ms = now() - origin;
    const tokens = available(ms);
    // An idle bucket does not bank more than a burst's worth.
    granted = Math.max(granted, tokens - burst(ms));
    while (waiting.length > 0 && (released || granted + 1 <= tokens || ms >= endMs)) {
      granted++;
      waiting.shift()!();
    }
    if (waiting.length > 0) timer = setTimeout(drain, TICK_MS);
  };

  return {
    endMs,
    acquire() {
      if (released) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 1 && !timer) drain();
      });
    },
    release() {
      released = true;
      if (timer) clearTimeout(timer);
      drain();
    },
  };
}

interface Segment {
  startMs: number;
  endMs: number;
  fromRps: number;
  toRps: number;
  /** Tokens granted before this segment. */
  tokensBefore: number;
}

/** Each step: a linear ramp from the previous rate to `rps` over `rampSeconds`, then a hold. */
function throttleSegments(steps: ThrottleStep[]): Segment[] {
  const segments: Segment[] = [];
  let startMs = 0;
  let rps = 0;
  let tokens = 0;
  const push = (ms: number, toRps: number) => {
    segments.push({ startMs, endMs: startMs + ms, fromRps: rps, toRps, tokensBefore: tokens });
    tokens += ((rps + toRps) / 2) * (ms / 1000);
    startMs += ms;
    rps = toRps;
  };
  for (const step of steps) {
    if (step.rampSeconds > 0) push(step.rampSeconds * 1000, step.rps);
    rps = step.rps;
    if (step.holdSeconds > 0) push(step.holdSeconds * 1000, step.rps);
  }
  return segments;
}

function segmentAt(segments: Segment[], ms: number): Segment {
  return segments.find((segment) => ms < segment.endMs) ?? segments.at(-1)!;
}

function rateAt(segments: Segment[], ms: number): number {
  const segment = segmentAt(segments, ms);
  const fraction = Math.min(1, Math.max(0, (ms - segment.startMs) / (segment.endMs - segment.startMs)));
  return segment.fromRps + (segment.toRps - segment.fromRps) * fraction;
}

/** Tokens granted from the start up to `ms`: the integral of the rate. */
export function tokensBy(segments: Segment[], ms: number): number {
  const segment = segmentAt(segments, ms);
  const elapsed = Math.min(Math.max(0, ms - segment.startMs), segment.endMs - segment.startMs);
  return segment.tokensBefore + ((segment.fromRps + rateAt(segments, segment.startMs + elapsed)) / 2) * (elapsed / 1000);
}
