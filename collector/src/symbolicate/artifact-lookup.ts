/**
 * Which uploaded map applies to a frame — or exactly why none does.
 *
 * Order: the bundle's debug ID when the agent sent one (it names one build, whatever URL served
 * it; a debug ID with no uploaded map is `no_debug_id_match`, never a guess by URL); else the
 * event's release and the frame's URL, tried as uploaded names (`~/path` and the full URL
 * without query), the bundle's map found by its debug ID, its `sourceMappingURL`, or `<name>.map`.
 * Answers, hits and misses alike, are cached for a short while; an upload clears its project.
 */
import { LRUCache } from 'lru-cache';
import { candidateNames, resolveMapName } from '../artifacts/artifact-name.js';
import type { Artifact, ArtifactStore } from '../artifacts/artifact-store.js';
import type { FrameStatus } from './status.js';

export type LookupMiss = {
  status: Extract<FrameStatus, 'no_artifact' | 'no_debug_id_match' | 'url_not_matched' | 'map_invalid' | 'map_too_large'>;
  reason: string;
};
export type LookupHit = { status: 'found'; map: Artifact; source: Artifact | null };
export type Lookup = LookupHit | LookupMiss;

export interface ArtifactLookup {
  find(projectId: number, release: string, file: string | undefined, debugId: string | undefined): Promise<Lookup>;
  /** Forget cached answers of a project (after an upload or a delete). */
  invalidate(projectId: number): void;
}

export interface ArtifactLookupOptions {
  /** How long an answer is reused. Uploads through this collector clear it at once; other collectors' after this. Default 30 s. */
  ttlMs?: number;
  maxEntries?: number;
}

const short = (id: string) => id.slice(0, 8);

export function createArtifactLookup(artifacts: ArtifactStore, options: ArtifactLookupOptions = {}): ArtifactLookup {
  const cache = new LRUCache<string, Promise<Lookup>>({ max: options.maxEntries ?? 10_000, ttl: options.ttlMs ?? 30_000 });
  const generation = new Map<number, number>();

  const usable = (map: Artifact, source: Artifact | null, how: string): Lookup =>
    map.invalidStatus
      ? { status: map.invalidStatus, reason: `the map ${map.name} (release ${map.release || '—'}, ${how}) was refused at upload: ${map.invalidReason}` }
      : { status: 'found', map, source };

  async function byDebugId(projectId: number, debugId: string): Promise<Lookup> {
    const map = await artifacts.byDebugId(projectId, 'sourcemap', debugId);
    if (!map) {
      return {
        status: 'no_debug_id_match',
        reason: `the bundle has debug ID ${debugId}, and no source map with that ID was uploaded to project ${projectId}: upload the maps of this very build (lookout sourcemaps upload)`,
      };
    }
    return usable(map, await artifacts.byDebugId(projectId, 'source', debugId), `debug ID ${short(debugId)}…`);
  }

  async function byUrl(projectId: number, release: string, file: string | undefined): Promise<Lookup> {
    const names = file ? candidateNames(file) : [];
    if (!names.length) return { status: 'no_artifact', reason: `${file ? `"${file}" is not a script URL` : 'the frame names no file'}, so no source map can apply` };
    if (!release) {
      return { status: 'no_artifact', reason: 'the event has no release and the bundle no debug ID: set `release` in the agent, or run lookout sourcemaps inject before uploading' };
    }
    const found = await artifacts.byNames(projectId, release, [...names, ...names.map((name) => name + '.map')]);
    const source = found.find((artifact) => artifact.kind === 'source' && names.includes(artifact.name)) ?? null;
    let map: Artifact | null | undefined;
    if (source?.debugId) map = await artifacts.byDebugId(projectId, 'sourcemap', source.debugId);
    if (!map && source?.sourceMapUrl) {
      const mapName = resolveMapName(source.name, source.sourceMapUrl);
      if (mapName) map = (await artifacts.byNames(projectId, release, [mapName])).find((artifact) => artifact.kind === 'sourcemap');
    }
    map ??= found.find((artifact) => artifact.kind === 'sourcemap' && names.some((name) => artifact.name === name + '.map'));
    if (map) return usable(map, source, `matched by URL ${map.name}`);
    if (source) {
      return {
        status: 'no_artifact',
        reason: `the bundle ${source.name} of release ${release} was uploaded, but not its map${source.sourceMapUrl ? ` (its sourceMappingURL is ${source.sourceMapUrl})` : ''}: upload the .map files too`,
      };
    }
    const sample = await artifacts.sampleNames(projectId, release);
    if (!sample.length) {
      return { status: 'no_artifact', reason: `no source maps were uploaded for release ${release}: run lookout sourcemaps upload --release ${release} …` };
    }
    return {
      status: 'url_not_matched',
      reason: `release ${release} has artifacts (e.g. ${sample.join(', ')}) but none named ${names.join(' or ')}: check --url-prefix when uploading`,
    };
  }

  return {
    find(projectId, release, file, debugId) {
      const key = `${projectId}\n${generation.get(projectId) ?? 0}\n${debugId ?? ''}\n${debugId ? '' : `${release}\n${file ?? ''}`}`;
      let answer = cache.get(key);
      if (!answer) {
        answer = debugId ? byDebugId(projectId, debugId) : byUrl(projectId, release, file);
        // A failed lookup (store unreachable) must be retried, not remembered.
        answer.catch(() => cache.delete(key));
        cache.set(key, answer);
      }
      return answer;
    },
    invalidate(projectId) {
      generation.set(projectId, (generation.get(projectId) ?? 0) + 1);
    },
  };
}
