/** Spools in a fresh temporary folder per test, closed and removed afterwards (tests only). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openSpool, type DiskSpool, type SpoolOptions } from './open-spool.js';

export function useTempSpools(prefix: string) {
  const state = { dir: '' };
  const opened: DiskSpool[] = [];
  beforeEach(async () => {
    state.dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((spool) => spool.close()));
    await rm(state.dir, { recursive: true, force: true });
  });
  return {
    /** The current test's folder. */
    dir: () => state.dir,
    async open(options: Partial<SpoolOptions> = {}): Promise<DiskSpool> {
      const spool = await openSpool({ dir: state.dir, onError: () => {}, ...options });
      opened.push(spool);
      return spool;
    },
  };
}
