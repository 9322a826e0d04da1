/**
 * Uploaded bundles and source maps, in ClickHouse (`artifacts`, content ZSTD-compressed), so
 * every collector on one ClickHouse sees the same artifacts. A row is keyed by project,
 * release, name and debug ID; the newest upload of a key wins, deletion writes a tombstone.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/types.js';
import type { ArtifactKind, InspectedArtifact } from './inspect-artifact.js';

export interface Artifact extends InspectedArtifact {
  /** Stable id of (name, debug ID) within a release: for the API. */
  id: string;
  projectId: number;
  release: string;
  name: string;
  uploadedAt: number;
}

export interface ArtifactStore {
  put(projectId: number, release: string, name: string, inspected: InspectedArtifact, content: string): Promise<Artifact>;
  list(projectId: number, release: string): Promise<Artifact[]>;
  /** Tombstones the release's artifacts (all, or those with these ids); returns how many. */
  remove(projectId: number, release: string, ids?: string[]): Promise<number>;
  /** Newest artifact of a kind with this debug ID, any release; a usable one before a refused one. */
  byDebugId(projectId: number, kind: ArtifactKind, debugId: string): Promise<Artifact | null>;
  /** Artifacts of a release with any of these names (newest first). */
  byNames(projectId: number, release: string, names: string[]): Promise<Artifact[]>;
  /** A few artifact names of the release (for hints); empty when it has none. */
  sampleNames(projectId: number, release: string): Promise<string[]>;
  content(artifact: Artifact): Promise<string | null>;
}

export const artifactId = (name: string, debugId: string): string =>
  createHash('sha256').update(`${name}\n${debugId}`).digest('hex').slice(0, 16);

const META_COLUMNS = `project_id, release, name, debug_id, kind, invalid_status, invalid_reason, file, source_map_url,
  sources, sources_content, size, sha256, toUnixTimestamp64Milli(uploaded_at) AS uploaded_ms`;

interface ArtifactRow {
  project_id: number;
  release: string;
  name: string;
  debug_id: string;
  kind: ArtifactKind;
  invalid_status: '' | 'map_invalid' | 'map_too_large';
  invalid_reason: string;
  file: string;
  source_map_url: string;
  sources: number;
  sources_content: boolean;
  size: string | number;
  sha256: string;
  uploaded_ms: string | number;
}

const fromRow = (row: ArtifactRow): Artifact => ({
  id: artifactId(row.name, row.debug_id),
  projectId: Number(row.project_id),
  release: row.release,
  name: row.name,
  kind: row.kind,
  debugId: row.debug_id,
  file: row.file,
  sourceMapUrl: row.source_map_url,
  sources: Number(row.sources),
  sourcesContent: Boolean(row.sources_content),
  size: Number(row.size),
  sha256: row.sha256,
  invalidStatus: row.invalid_status,
  invalidReason: row.invalid_reason,
  uploadedAt: Number(row.uploaded_ms),
});

export function createArtifactStore(store: Store): ArtifactStore {
  // Tombstones and replaced uploads are filtered after FINAL picks the newest row per key.
  const live = (where: string) => `SELECT ${META_COLUMNS} FROM artifacts FINAL WHERE ${where} AND deleted = 0`;

  return {
    async put(projectId, release, name, inspected, content) {
      const uploadedAt = Date.now();
      await store.insert('artifacts', [
        {
          project_id: projectId,
          release,
          name,
          debug_id: inspected.debugId,
          kind: inspected.kind,
          invalid_status: inspected.invalidStatus,
          invalid_reason: inspected.invalidReason,
          file: inspected.file,
          source_map_url: inspected.sourceMapUrl,
          sources: inspected.sources,
          sources_content: inspected.sourcesContent,
          size: inspected.size,
          sha256: inspected.sha256,
          content: inspected.invalidStatus ? '' : content,
          uploaded_at: uploadedAt,
          deleted: 0,
        },
      ]);
      return { ...inspected, id: artifactId(name, inspected.debugId), projectId, release, name, uploadedAt };
    },

    async list(projectId, release) {
      const rows = await store.query<ArtifactRow>(
        `${live('project_id = {projectId:UInt32} AND release = {release:String}')} ORDER BY name, debug_id`,
        { projectId, release },
      );
      return rows.map(fromRow);
    },

    async remove(projectId, release, ids) {
      const targets = (await this.list(projectId, release)).filter((artifact) => !ids || ids.includes(artifact.id));
      if (!targets.length) return 0;
      const deletedAt = Date.now();
      await store.insert(
        'artifacts',
        targets.map((artifact) => ({
          project_id: projectId,
          release,
          name: artifact.name,
          debug_id: artifact.debugId,
          kind: artifact.kind,
          content: '',
          uploaded_at: Math.max(deletedAt, artifact.uploadedAt + 1),
          deleted: 1,
        })),
      );
      return targets.length;
    },

    async byDebugId(projectId, kind, debugId) {
      const rows = await store.query<ArtifactRow>(
        // A debug ID names one build: any usable copy of its map is right, so a usable one wins over a newer refused one.
        `${live('project_id = {projectId:UInt32} AND debug_id = {debugId:String} AND kind = {kind:String}')} ORDER BY invalid_status = '' DESC, uploaded_at DESC LIMIT 1`,
        { projectId, debugId, kind },
      );
      return rows.length ? fromRow(rows[0]) : null;
    },

    async byNames(projectId, release, names) {
      if (!names.length) return [];
      const rows = await store.query<ArtifactRow>(
        `${live('project_id = {projectId:UInt32} AND release = {release:String} AND name IN {names:Array(String)}')} ORDER BY uploaded_at DESC`,
        { projectId, release, names },
      );
      return rows.map(fromRow);
    },

    async sampleNames(projectId, release) {
      const rows = await store.query<{ name: string }>(
        `SELECT name FROM (${live('project_id = {projectId:UInt32} AND release = {release:String}')}) ORDER BY name LIMIT 3`,
        { projectId, release },
      );
      return rows.map((row) => row.name);
    },

    async content(artifact) {
      const rows = await store.query<{ content: string }>(
        `SELECT content FROM artifacts FINAL
         WHERE project_id = {projectId:UInt32} AND release = {release:String} AND name = {name:String} AND debug_id = {debugId:String} AND deleted = 0`,
        { projectId: artifact.projectId, release: artifact.release, name: artifact.name, debugId: artifact.debugId },
      );
      return rows.length ? rows[0].content : null;
    },
  };
}
