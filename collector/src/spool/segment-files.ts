/**
 * Where segments live: `<dir>/<number, zero-padded to 10 digits>.seg`, numbered upwards from 1.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const FIRST_SEGMENT = 1;

const SEGMENT_NAME = /^(\d+)\.seg$/;

export function segmentFileName(segment: number): string {
  return `${String(segment).padStart(10, '0')}.seg`;
}

export function segmentPath(dir: string, segment: number): string {
  return join(dir, segmentFileName(segment));
}

/** Segment numbers present in `dir`, ascending. */
export async function listSegments(dir: string): Promise<number[]> {
  const segments: number[] = [];
  for (const name of await readdir(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match) segments.push(Number(match[1]));
  }
  return segments.sort((a, b) => a - b);
}

/**
 * Makes creations, renames and deletions in `dir` survive a power cut; fsync of a file
 * covers its contents, not its directory entry.
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
