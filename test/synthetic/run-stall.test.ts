/**
 * Coordinated omission: a target that stalls once for 1 s under a constant arrival rate.
 *
 * Open model (users arrive at 50/s whatever happens): the requests due during the stall each
 * count the wait from their INTENDED start, so the stall fills the top percentiles — p99 ≈ 1 s,
 * as wrk2 reports it. Closed model at about the same throughput (one user looping on a 20 ms
 * request ≈ 50 req/s): during the stall nobody else is due, so one sample of ~200 is slow and
 * p99 stays small. That is not a measuring error but what a closed model is: it slows down with
 * the server and so hides the stall from its percentiles — use an open model to see stalls.
 */
import { Pool } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InjectionStep } from '../../synthetic/src/definition.js';
import { runSimulation } from '../../synthetic/src/run/run.js';
import { getScenario, type RunTarget, simulationOf, startRunTarget } from './run-support.js';

let target: RunTarget;
let pool: Pool;

beforeAll(async () => {
  target = await startRunTarget({ delayMs: 20 });
  pool = new Pool(target.url, { connections: 100 });
});
afterAll(async () => {
  await pool.close();
  await target.close();
});

async function runWithStall(injection: InjectionStep[], requestsPerUser: number) {
  const stall = setTimeout(() => target.stallFor(1000), 1500);
  try {
    return await runSimulation(simulationOf([getScenario('get', target.url, injection, pool, requestsPerUser)]), { simulation: 'stall' });
  } finally {
    clearTimeout(stall);
  }
}

it('open model: the 1 s stall shows in p99; closed model at the same throughput hides it', async () => {
  const open = await runWithStall([{ model: 'open', kind: 'constantRate', rate: 50, seconds: 4 }], 1);
  const closed = await runWithStall([{ model: 'closed', kind: 'constantConcurrent', users: 1, seconds: 4 }], 1);

  // Open: ~50 of 200 requests were due during the stall and waited up to 1 s.
  expect(open.global.count).toBe(200);
  expect(open.global.p99).toBeGreaterThanOrEqual(900);
  expect(open.global.p95).toBeGreaterThanOrEqual(500);
  expect(open.global.max).toBeGreaterThanOrEqual(950);

  // Closed: the one request caught in the stall is its max, but p99 stays near the 20 ms service time.
  expect(closed.global.max).toBeGreaterThanOrEqual(900);
  expect(closed.global.p99).toBeLessThan(100);
  // Comparable throughput (the closed run loses the stalled second): within a third of each other.
  expect(closed.global.rps).toBeGreaterThan(open.global.rps * 0.6);
  expect(closed.global.rps).toBeLessThan(open.global.rps * 1.4);
});
