/** Spools in a fresh temporary folder per test, closed and removed afterwards (tests only). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openSpool, type DiskSpool, type SpoolOptions } from './open-spool.js';
import type { SpoolEntry, SpoolPosition } from './types.js';

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

/** Every record from `from` (default: the checkpoint) to the end, read in pages of `maxBytes`. */
export async function readAll(spool: DiskSpool, from?: SpoolPosition, maxBytes = 64 * 1024): Promise<SpoolEntry[]> {
  let position = from ?? (await spool.loadCheckpoint()).committed;
  const entries: SpoolEntry[] = [];
  for (;;) {
    const batch = await spool.readFrom(position, maxBytes);
    if (batch.length === 0) return entries;
    entries.push(...batch);
    position = batch.at(-1)!.next;
  }
}

export const text = (entries: SpoolEntry[]) => entries.map((entry) => entry.payload.toString());

/** `count` payloads "record <i> " padded with dots to `size` bytes. */
export const numbered = (count: number, size = 0) => Array.from({ length: count }, (_, i) => Buffer.from(`record ${i} `.padEnd(size, '.')));
