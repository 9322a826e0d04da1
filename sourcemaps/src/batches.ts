/**
 * Which files go in which upload request. A bundle travels with its map, map first, so the
 * collector has the map by the time it links the bundle to it and can say so in its answer.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { locateSourceMap } from './scan.js';

export interface LocalArtifact {
  /** Where the file is on disk. */
  path: string;
  /** Its artifact name (the URL it is served from, see artifact-name.ts). */
  name: string;
  size: number;
  kind: 'source' | 'sourcemap';
}

export interface BatchLimits {
  files: number;
  bytes: number;
}

/** Up to 20 files or 50 MB a request: a large map goes alone, small ones share. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { files: 20, bytes: 50 * 1024 * 1024 };

/** Each bundle with the map it names (or `<bundle>.map`), when that map is uploaded too: `[map, bundle]`. */
export async function pairWithMaps(artifacts: LocalArtifact[]): Promise<LocalArtifact[][]> {
  const maps = new Map(artifacts.filter((a) => a.kind === 'sourcemap').map((a) => [resolve(a.path), a]));
  const groups: LocalArtifact[][] = [];
  for (const source of artifacts.filter((a) => a.kind === 'source')) {
    const location = locateSourceMap(source.path, (await readFile(source.path)).toString('latin1'));
    const map = location.kind === 'file' ? maps.get(resolve(location.path)) : undefined;
    if (map) maps.delete(resolve(map.path));
    groups.push(map ? [map, source] : [source]);
  }
  return [...[...maps.values()].map((map) => [map]), ...groups];
}

/** Groups packed into requests in order; a group too large for one request is split, map first. */
export function packBatches(groups: LocalArtifact[][], limits: BatchLimits = DEFAULT_BATCH_LIMITS): LocalArtifact[][] {
  const batches: LocalArtifact[][] = [];
  let current: LocalArtifact[] = [];
  const bytes = (files: LocalArtifact[]) => files.reduce((sum, file) => sum + file.size, 0);
  const fits = (files: LocalArtifact[]) => files.length <= limits.files && bytes(files) <= limits.bytes;
  for (const group of groups) {
    for (const piece of fits(group) ? [group] : group.map((file) => [file])) {
      if (current.length && !fits([...current, ...piece])) {
        batches.push(current);
        current = [];
      }
      current.push(...piece);
    }
  }
  if (current.length) batches.push(current);
  return batches;
}
