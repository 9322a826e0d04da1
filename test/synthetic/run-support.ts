/**
 * Shared by the runner's tests: a tiny fastify target that timestamps every arrival, counts the
 * requests in flight and can stall, and hand-built scenarios (the DSL is not needed to test the
 * runner: a `runUser` that sends one undici request and records it is a complete virtual user).
 */
import Fastify from 'fastify';
import { Pool } from 'undici';
import type { RequestRecord } from '../../synthetic/src/contract.js';
import type { InjectionStep, ScenarioDefinition, SimulationDefinition, UserContext } from '../../synthetic/src/definition.js';

export interface RunTarget {
  url: string;
  /** performance.now() of each arrival, in order. */
  arrivals: number[];
  inFlight(): number;
  peakInFlight(): number;
  /** Time-weighted mean of the requests in flight between two moments (performance.now() ms). */
  averageInFlight(from: number, to: number): number;
  /** Every request arriving in the next `ms` is held until then (one stall, as a GC pause or a lock). */
  stallFor(ms: number): void;
  close(): Promise<void>;
}

/** `delayMs`: each request is held this long, ± `jitterMs` (uniformly), so that closed-model users drift apart instead of all turning round at once. */
export async function startRunTarget(options: { delayMs?: number; jitterMs?: number } = {}): Promise<RunTarget> {
  const app = Fastify({ logger: false });
  const arrivals: number[] = [];
  let inFlight = 0;
  let peak = 0;
  let stalledUntil = 0;
  const handled: { arrived: number; ended: number }[] = [];
  app.get('/ok', async () => {
    const arrived = performance.now();
    arrivals.push(arrived);
    inFlight++;
    peak = Math.max(peak, inFlight);
    const delay = (options.delayMs ?? 0) + (options.jitterMs ? (Math.random() * 2 - 1) * options.jitterMs : 0);
    const wait = Math.max(delay, stalledUntil - performance.now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight--;
    handled.push({ arrived, ended: performance.now() });
    return { ok: true };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: address,
    arrivals,
    inFlight: () => inFlight,
    peakInFlight: () => peak,
    averageInFlight: (from, to) => handled.reduce((busy, each) => busy + Math.max(0, Math.min(to, each.ended) - Math.max(from, each.arrived)), 0) / (to - from),
    stallFor: (ms) => {
      stalledUntil = performance.now() + ms;
    },
    close: () => app.close(),
  };
}

/** A scenario whose users each send `requests` GETs to /ok, one after the other, as the runtime would. */
export function getScenario(name: string, url: string, injection: InjectionStep[], pool: Pool, requests = 1): ScenarioDefinition {
  return {
    name,
    injection,
    async runUser(context: UserContext) {
      let intendedStart = context.arrival;
      for (let i = 0; i < requests && !context.stopping(); i++) {
        await context.throttle();
        const record = await timedGet(pool, name, intendedStart);
        context.recorder.request(record);
        intendedStart = record.end;
      }
    },
  };
}

export async function timedGet(pool: Pool, name: string, intendedStart: number): Promise<RequestRecord> {
  const start = performance.now();
  try {
    const response = await pool.request({ method: 'GET', path: '/ok' });
    await response.body.dump();
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return { name, groups: [], intendedStart, start, end: performance.now(), ok, status: response.statusCode, failure: ok ? undefined : `status ${response.statusCode}` };
  } catch (error) {
    return { name, groups: [], intendedStart, start, end: performance.now(), ok: false, failure: (error as Error).message };
  }
}

export function simulationOf(scenarios: ScenarioDefinition[], extra: Partial<SimulationDefinition> = {}): SimulationDefinition {
  return { scenarios, assertions: [], throttle: [], close: async () => {}, ...extra };
}

/** Arrivals per second, counted from the first one. */
export function perSecond(arrivals: number[]): number[] {
  const counts: number[] = [];
  for (const at of arrivals) {
    const second = Math.floor((at - arrivals[0]) / 1000);
    counts[second] = (counts[second] ?? 0) + 1;
  }
  return Array.from(counts, (count) => count ?? 0);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A seeded PRNG (mulberry32) for randomized arrivals that do not change between runs. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
