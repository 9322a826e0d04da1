/**
 * Starts virtual users on time. Open model: at each precomputed intended arrival (a late event
 * loop starts the overdue users at once and each keeps its intended time as `arrival`, so the
 * lateness is measured, not hidden). Closed model: keeps the target number of users active,
 * starting a new one whenever one ends.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { InjectionStep } from '../definition.js';
import { closedTarget, openArrivals, profileSeconds } from './injection.js';

/** Starts one user due at `arrival` (performance.now() ms); resolves when it ends. */
export type Launch = (arrival: number) => Promise<void>;

export interface Stopper {
  reason: () => string | null;
  signal: AbortSignal;
}

/** Resolves after `ms`, or early when the run stops. */
export function sleep(ms: number, stopper: Stopper): Promise<void> {
  return sleepFor(ms, undefined, { signal: stopper.signal }).catch(() => undefined);
}

export async function injectOpen(steps: InjectionStep[], origin: number, launch: Launch, stopper: Stopper, random?: () => number): Promise<void> {
  for (const offset of openArrivals(steps, random)) {
    const due = origin + offset;
    const wait = due - performance.now();
    // setTimeout cannot do better than ~1 ms: arrivals closer than that go out together.
    if (wait >= 1) await sleep(wait, stopper);
    if (stopper.reason() !== null) return;
    void launch(due);
  }
}

/** How often a ramping closed profile re-checks its target concurrency. */
const CLOSED_TICK_MS = 10;

export function injectClosed(steps: InjectionStep[], origin: number, launch: Launch, stopper: Stopper): Promise<void> {
  const endAt = origin + profileSeconds(steps) * 1000;
  return new Promise<void>((resolve) => {
    let active = 0;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(ticker);
      clearTimeout(ender);
      stopper.signal.removeEventListener('abort', finish);
      resolve();
    };
    const ended = () => {
      active--;
      fill();
    };
    const fill = () => {
      if (finished) return;
      const now = performance.now();
      const target = closedTarget(steps, now - origin);
      if (target === null || stopper.reason() !== null) return finish();
      while (active < target) {
        active++;
        launch(now).then(ended, ended);
      }
    };
    const ticker = setInterval(fill, CLOSED_TICK_MS);
    const ender = setTimeout(finish, Math.max(0, endAt - performance.now()));
    stopper.signal.addEventListener('abort', finish);
    fill();
  });
}
