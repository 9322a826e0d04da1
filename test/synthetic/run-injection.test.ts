/**
 * The runner's injection against a real local target: arrival rates, spacing and concurrency are
 * measured where they land (the target's own timestamps and in-flight counter), not in the runner.
 */
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectionStep, ThrottleStep } from '../../synthetic/src/definition.js';
import { openArrivals } from '../../synthetic/src/run/injection.js';
import { runSimulation } from '../../synthetic/src/run/run.js';
import { getScenario, median, perSecond, type RunTarget, seeded, simulationOf, startRunTarget } from './run-support.js';

let target: RunTarget;
let pool: Pool;

beforeAll(async () => {
  target = await startRunTarget();
  pool = new Pool(target.url, { connections: 200 });
});
afterAll(async () => {
  await pool.close();
  await target.close();
});

async function run(injection: InjectionStep[], options: { throttle?: ThrottleStep[]; requests?: number; random?: () => number } = {}) {
  target.arrivals.length = 0;
  const scenario = getScenario('get', target.url, injection, pool, options.requests);
  return runSimulation(simulationOf([scenario], { throttle: options.throttle ?? [] }), { simulation: 'test', random: options.random });
}

const within = (actual: number, expected: number, tolerance = 0.05) => {
  expect(actual).toBeGreaterThanOrEqual(expected * (1 - tolerance));
  expect(actual).toBeLessThanOrEqual(expected * (1 + tolerance));
};

describe('open model', () => {
  it('constantRate 100/s for 4 s: 400 arrivals at the target (within 5 %), about 100 in each second, spread over 4 s', async () => {
    const summary = await run([{ model: 'open', kind: 'constantRate', rate: 100, seconds: 4 }]);
    within(target.arrivals.length, 400);
    const span = (target.arrivals.at(-1)! - target.arrivals[0]) / 1000;
    within(span, 3.99);
    // Per second, a sanity bound only: on a loaded 2-core CI machine the event loop stalls now and
    // then, and the arrivals due in the stall land just after it (the total and the span above
    // keep the 5 %: late arrivals are sent late, never dropped).
    for (const count of perSecond(target.arrivals).slice(0, 4)) within(count, 100, 0.4);
    expect(summary.global.count).toBe(target.arrivals.length);
    expect(summary.scenarios).toEqual([{ name: 'get', users: 400 }]);
  });

  it('randomized constantRate: Poisson arrivals at the same mean rate (seeded)', async () => {
    await run([{ model: 'open', kind: 'constantRate', rate: 100, seconds: 3, randomized: true }], { random: seeded(7) });
    const expected = [...openArrivals([{ model: 'open', kind: 'constantRate', rate: 100, seconds: 3, randomized: true }], seeded(7))].length;
    expect(target.arrivals.length).toBe(expected);
    // A Poisson count's standard deviation is √300 ≈ 17 (6 %): the seeded draw is checked above, this is a sanity bound.
    within(target.arrivals.length, 300, 0.15);
    // Poisson gaps are irregular: their spread is about their mean (deterministic spacing: ~0).
    const gaps = target.arrivals.slice(1).map((at, i) => at - target.arrivals[i]);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / gaps.length);
    expect(sd / mean).toBeGreaterThan(0.7);
  });

  it('rampRate 0→100/s over 4 s: 200 arrivals, 50 in the first half, the rate rising', async () => {
    await run([{ model: 'open', kind: 'rampRate', from: 0, to: 100, seconds: 4 }]);
    within(target.arrivals.length, 200);
    const half = target.arrivals[0] + 2000;
    const firstHalf = target.arrivals.filter((at) => at < half).length;
    // N(t) = 100·t²/8: 50 by 2 s, 200 by 4 s (±5 % of the first half's, timer jitter at the boundary).
    expect(firstHalf).toBeGreaterThanOrEqual(47);
    expect(firstHalf).toBeLessThanOrEqual(53);
    const counts = perSecond(target.arrivals);
    expect(counts[3]).toBeGreaterThan(counts[1]);
  });

  it('atOnce 50 then nothingFor 1 s then ramp 20 users over 2 s: a burst, a gap, 100 ms spacing', async () => {
    await run([
      { model: 'open', kind: 'atOnce', users: 50 },
      { model: 'open', kind: 'nothingFor', seconds: 1 },
      { model: 'open', kind: 'ramp', users: 20, seconds: 2 },
    ]);
    expect(target.arrivals.length).toBe(70);
    const burst = target.arrivals.slice(0, 50);
    expect(burst.at(-1)! - burst[0]).toBeLessThan(200);
    const ramp = target.arrivals.slice(50);
    within(ramp[0] - target.arrivals[0], 1000, 0.1);
    const gaps = ramp.slice(1).map((at, i) => at - ramp[i]);
    within(median(gaps), 100);
    within(ramp.at(-1)! - ramp[0], 1900);
  });

  it('throttle caps the request rate: 100 users/s each wanting 3 requests, capped at 60 req/s', async () => {
    const summary = await run([{ model: 'open', kind: 'constantRate', rate: 100, seconds: 3 }], {
      requests: 3,
      throttle: [{ rampSeconds: 0, rps: 60, holdSeconds: 3 }],
    });
    // The throttle's end ends the run, as in Gatling.
    expect(summary.stopReason).toBe('max_duration');
    const counted = target.arrivals.filter((at) => at - target.arrivals[0] < 3000).length;
    // The cap is what a throttle promises: never more than 5 % over it. Reaching it needs the CPU
    // to keep up, which a loaded CI machine may not give for a second: at least 80 % of it.
    expect(counted / 3).toBeLessThanOrEqual(60 * 1.05);
    expect(counted / 3).toBeGreaterThanOrEqual(60 * 0.8);
  });
});

describe('profiles as data', () => {
  it('stressPeak: every user within the duration, denser in the middle than at the edges', () => {
    const arrivals = [...openArrivals([{ model: 'open', kind: 'stressPeak', users: 1000, seconds: 10 }])];
    expect(arrivals.length).toBe(1000);
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...arrivals)).toBeLessThanOrEqual(10_000);
    const inWindow = (from: number, to: number) => arrivals.filter((at) => at >= from && at < to).length;
    expect(inWindow(4000, 6000)).toBeGreaterThan(3 * inWindow(0, 2000));
    expect(inWindow(4000, 6000)).toBeGreaterThan(3 * inWindow(8000, 10_000));
  });

  it('steps run in sequence: each starts where the previous ended', () => {
    const arrivals = [...openArrivals([
      { model: 'open', kind: 'constantRate', rate: 10, seconds: 1 },
      { model: 'open', kind: 'nothingFor', seconds: 2 },
      { model: 'open', kind: 'atOnce', users: 3 },
    ])];
    expect(arrivals.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => i * 100));
    expect(arrivals.slice(10)).toEqual([3000, 3000, 3000]);
  });

  it('a scenario mixing open and closed steps is refused before anything starts', async () => {
    const scenario = getScenario('mixed', target.url, [{ model: 'open', kind: 'atOnce', users: 1 }, { model: 'closed', kind: 'constantConcurrent', users: 1, seconds: 1 }], pool);
    await expect(runSimulation(simulationOf([scenario]), { simulation: 'mixed' })).rejects.toThrow('mixes open and closed');
  });
});

describe('runs', () => {
  it('several scenarios run concurrently, each counted', async () => {
    target.arrivals.length = 0;
    const summary = await runSimulation(
      simulationOf([
        getScenario('a', target.url, [{ model: 'open', kind: 'constantRate', rate: 50, seconds: 2 }], pool),
        getScenario('b', target.url, [{ model: 'open', kind: 'ramp', users: 20, seconds: 2 }], pool),
      ]),
      { simulation: 'two' },
    );
    expect(summary.scenarios).toEqual([{ name: 'a', users: 100 }, { name: 'b', users: 20 }]);
    expect(target.arrivals.length).toBe(120);
    within(summary.durationMs, 2000, 0.1);
  });

  it('maxDuration stops the run; a user calling stopRun ends it as feeder_exhausted', async () => {
    const long = await runSimulation(simulationOf([getScenario('long', target.url, [{ model: 'open', kind: 'constantRate', rate: 50, seconds: 10 }], pool)], { maxDurationSeconds: 1 }), { simulation: 'max' });
    expect(long.stopReason).toBe('max_duration');
    within(long.durationMs, 1000, 0.1);
    within(long.global.count, 50, 0.1);

    const dry = await runSimulation(
      simulationOf([
        {
          name: 'queue',
          injection: [{ model: 'open', kind: 'constantRate', rate: 50, seconds: 10 }],
          async runUser(context) {
            if (context.userId > 10) context.stopRun('feeder_exhausted');
          },
        },
      ]),
      { simulation: 'dry' },
    );
    expect(dry.stopReason).toBe('feeder_exhausted');
    expect(dry.scenarios[0].users).toBe(11);
  });
});

describe('closed model', () => {
  it('constantConcurrent 20 for 3 s: the target sees 20 requests in flight, never more', async () => {
    // 50–150 ms per request, so the client's own turnaround (about 1 ms between a response and the
    // next user's request) is noise, and users do not all turn round at the same moment.
    const slow = await startRunTarget({ delayMs: 100, jitterMs: 50 });
    const slowPool = new Pool(slow.url, { connections: 50 });
    try {
      const summary = await runSimulation(simulationOf([getScenario('get', slow.url, [{ model: 'closed', kind: 'constantConcurrent', users: 20, seconds: 3 }], slowPool)]), { simulation: 'closed' });
      expect(slow.peakInFlight()).toBe(20);
      // Over the profile's steady part (its first and last 200 ms aside).
      within(slow.averageInFlight(slow.arrivals[0] + 200, slow.arrivals[0] + 2800), 20);
      // 20 users, 100 ms (and the timer's lateness) each: a little under 200 requests/s for 3 s.
      expect(summary.global.count).toBeGreaterThan(480);
      expect(summary.global.count).toBeLessThanOrEqual(620);
      expect(summary.timeline[1].activeUsers).toBeGreaterThanOrEqual(20);
    } finally {
      await slowPool.close();
      await slow.close();
    }
  });

  it('rampConcurrent 0→20 over 2 s: concurrency climbs to 20', async () => {
    const slow = await startRunTarget({ delayMs: 20 });
    const slowPool = new Pool(slow.url, { connections: 50 });
    try {
      const samples: { at: number; inFlight: number }[] = [];
      const started = performance.now();
      const sampler = setInterval(() => samples.push({ at: performance.now() - started, inFlight: slow.inFlight() }), 20);
      await runSimulation(simulationOf([getScenario('get', slow.url, [{ model: 'closed', kind: 'rampConcurrent', from: 0, to: 20, seconds: 2 }], slowPool)]), { simulation: 'ramp' });
      clearInterval(sampler);
      const around = (ms: number) => median(samples.filter((each) => Math.abs(each.at - ms) < 150).map((each) => each.inFlight));
      expect(around(500)).toBeGreaterThanOrEqual(3);
      expect(around(500)).toBeLessThanOrEqual(7);
      expect(around(1500)).toBeGreaterThanOrEqual(13);
      expect(around(1500)).toBeLessThanOrEqual(17);
      expect(slow.peakInFlight()).toBeLessThanOrEqual(20);
    } finally {
      await slowPool.close();
      await slow.close();
    }
  });
});
