/**
 * `<dir>/checkpoint.json`: replaced atomically so a crash leaves either the old or the
 * new checkpoint, never a torn one.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from './types.js';
import { fsyncDirectory } from './segment-files.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
const TEMPORARY_FILE = `${CHECKPOINT_FILE}.tmp`;

/** The saved checkpoint, or undefined when none was ever saved. */
export async function readCheckpointFile(dir: string): Promise<Checkpoint | undefined> {
  const path = join(dir, CHECKPOINT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON: restore it from a backup or fix it by hand`);
  }
  const problem = checkpointProblem(parsed);
  if (problem) {
    throw new Error(`${path} is not a spool checkpoint (${problem}): restore it from a backup or fix it by hand`);
  }
  return parsed as Checkpoint;
}

/** Write temp, fsync, rename over the old one, fsync the directory. */
export async function writeCheckpointFile(dir: string, checkpoint: Checkpoint): Promise<void> {
  const temporaryPath = join(dir, TEMPORARY_FILE);
  const file = await open(temporaryPath, 'w');
  try {
    await file.writeFile(`${JSON.stringify(checkpoint)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporaryPath, join(dir, CHECKPOINT_FILE));
  await fsyncDirectory(dir);
}

/** A temp file from a crash mid-write is garbage: the rename never happened. */
export async function removeTemporaryCheckpoint(dir: string): Promise<void> {
  await rm(join(dir, TEMPORARY_FILE), { force: true });
}

/** Why `value` is not a Checkpoint, or undefined if it is one. */
export function checkpointProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not an object';
  const committed = positionProblem(value.committed);
  if (committed) return `committed: ${committed}`;
  if (value.inflight === undefined) return undefined;
  if (!isObject(value.inflight)) return 'inflight: not an object';
  const from = positionProblem(value.inflight.from);
  if (from) return `inflight.from: ${from}`;
  const to = positionProblem(value.inflight.to);
  if (to) return `inflight.to: ${to}`;
  if (!isCount(value.inflight.records)) return 'inflight.records: not a non-negative integer';
  return undefined;
}

function positionProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a {segment, offset} object';
  if (!isCount(value.segment)) return 'segment is not a non-negative integer';
  if (!isCount(value.offset)) return 'offset is not a non-negative integer';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
