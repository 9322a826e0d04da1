/**
 * Scheduled certificate checks inside the collector. Every target is checked once per round
 * (`intervalMinutes`, default hourly), at its own offset within the round (a hash of its id: the
 * checks of many targets spread over the hour instead of starting together), at most
 * `concurrency` at a time. With several collectors on one store each round of each target is
 * claimed first (alerts/claims.ts, key `cert.check:<target>:<round>`): one collector checks it,
 * and a restarted one does not check again in the same round. After a check the result is stored,
 * compared with the previous check (change detection) and handed to the alert rules.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CheckOptions, CheckResult, CertTarget } from '../../../certs/src/contract.js';
import type { Claims } from '../alerts/claims.js';
import type { Logger } from '../log.js';
import { leafChanges, type LeafChange } from './changes.js';
import type { ResultStore, StoredCheck } from './results.js';
import { certTarget, targetLabel, type StoredTarget, type TargetStore } from './targets.js';

export type CheckTarget = (target: CertTarget, options: CheckOptions) => Promise<CheckResult>;

export interface CheckedTarget {
  target: StoredTarget;
  check: StoredCheck;
  previous: StoredCheck | null;
  changes: LeafChange[];
}

export interface CertMonitorOptions {
  targets: TargetStore;
  results: ResultStore;
  claims: Claims;
  check: CheckTarget;
  collectorId: string;
  log: Logger;
  /** Default 60. */
  intervalMinutes: number;
  /** Checks running at once at most. Default 10. */
  concurrency: number;
  /** The length of a minute (tests shorten it). */
  minuteMs: number;
  /** Extra trust anchors (PEM file), OCSP, timeout: passed to every check. */
  caFile?: string;
  ocsp: boolean;
  timeoutMs: number;
  /** After each check is stored (the alert rules). */
  onChecked?: (checked: CheckedTarget) => Promise<void> | void;
}

export interface CertMonitor {
  /** Checks one target now (the API's "check now"), not waiting for its round. */
  checkNow(target: StoredTarget): Promise<CheckedTarget>;
  /** Resolves when the checks started so far are done (tests, shutdown). */
  settled(): Promise<void>;
  stop(): void;
}

/**
 * The checker (certs/src/check.ts, `checkTarget`), imported when the first check runs: the
 * command's module loads only in collectors that monitor certificates.
 */
export function loadChecker(specifier = '../../../certs/src/check.js'): CheckTarget {
  let loaded: Promise<CheckTarget> | undefined;
  return async (target, options) => {
    loaded ??= import(specifier).then((module: { checkTarget: CheckTarget }) => module.checkTarget);
    return (await loaded)(target, options);
  };
}

/** The target's offset within a round: the same on every collector, different per target. */
export function roundOffset(targetId: string, intervalMs: number): number {
  return createHash('sha256').update(targetId).digest().readUInt32BE(0) % Math.max(1, intervalMs);
}

export function createCertMonitor(options: CertMonitorOptions): CertMonitor {
  const { targets, results, claims, log } = options;
  const intervalMs = Math.max(1, options.intervalMinutes * options.minuteMs);
  const lastRound = new Map<string, number>();
  const running = new Set<string>();
  const inflight = new Set<Promise<unknown>>();
  const waiting: (() => void)[] = [];
  let active = 0;
  let stopped = false;

  /** At most `concurrency` checks at once; the others wait their turn. */
  async function limited<T>(work: () => Promise<T>): Promise<T> {
    while (active >= Math.max(1, options.concurrency)) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  }

  async function run(target: StoredTarget): Promise<CheckedTarget> {
    const result = await options.check(certTarget(target), {
      warnDays: target.warnDays,
      critDays: target.critDays,
      ocsp: options.ocsp,
      timeoutMs: options.timeoutMs,
      ...(options.caFile ? { caFile: options.caFile } : {}),
    });
    const previous = await results.previous(target.projectId, target.id, result.checkedAt + 1);
    const check = await results.save(target, randomUUID(), result, options.collectorId);
    const changes = leafChanges(previous, check);
    for (const change of changes) {
      log.info({ target: target.id, address: change.address, kind: change.kind, before: change.before.fingerprint, after: change.after.fingerprint }, `the certificate of ${targetLabel(target)} changed`);
    }
    const checked = { target, check, previous, changes };
    await options.onChecked?.(checked);
    return checked;
  }

  const track = <T>(work: Promise<T>): Promise<T> => {
    inflight.add(work);
    void work.then(
      () => inflight.delete(work),
      () => inflight.delete(work),
    );
    return work;
  };

  function tick(): void {
    if (stopped) return;
    const now = Date.now();
    for (const target of targets.all()) {
      const key = `${target.projectId}:${target.id}`;
      const round = Math.floor((now - roundOffset(key, intervalMs)) / intervalMs);
      if (lastRound.get(key) === round || running.has(key)) continue;
      lastRound.set(key, round);
      running.add(key);
      void track(
        limited(async () => {
          if (stopped || !(await claims.claim(target.projectId, `cert.check:${target.id}:${round}`))) return;
          await run(target);
        })
          .catch((error) => log.error({ err: error, target: target.id }, `the certificate of ${targetLabel(target)} could not be checked`))
          .finally(() => running.delete(key)),
      );
    }
    // Targets removed since: forgotten.
    const known = new Set(targets.all().map((target) => `${target.projectId}:${target.id}`));
    for (const key of lastRound.keys()) if (!known.has(key)) lastRound.delete(key);
  }

  const timer = setInterval(tick, Math.min(30_000, Math.max(50, Math.floor(intervalMs / 20))));
  timer.unref();
  setImmediate(tick);

  return {
    checkNow: (target) => track(limited(() => run(target))),
    async settled() {
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
