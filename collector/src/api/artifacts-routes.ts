/**
 * Source-map artifacts of a release:
 *   POST   /api/:projectId/releases/:release/artifacts       multipart, one part per file (filename = its URL name)
 *   GET    /api/:projectId/releases/:release/artifacts
 *   DELETE /api/:projectId/releases/:release/artifacts[/:id]
 * Each file is checked on its own: a map that does not parse is refused with the reason (and
 * remembered as refused, so frames that needed it say so) while the other files are stored.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { normalizeArtifactName, resolveMapName } from '../artifacts/artifact-name.js';
import type { Artifact, ArtifactStore } from '../artifacts/artifact-store.js';
import { inspectArtifact, looksLikeMap, type InspectedArtifact } from '../artifacts/inspect-artifact.js';
import { type Authenticate, projectAccess } from '../auth/bearer.js';
import { httpError } from '../server/http-error.js';
import type { ArtifactLookup } from '../symbolicate/artifact-lookup.js';
import type { OffThreadParser } from '../symbolicate/parse-off-thread.js';

export interface ArtifactsRoutesOptions {
  artifacts: ArtifactStore;
  lookup: ArtifactLookup;
  parser: OffThreadParser;
  authenticate: Authenticate;
  maxFileBytes: number;
}

const releaseParams = {
  type: 'object',
  required: ['projectId', 'release'],
  properties: {
    projectId: { type: 'integer', minimum: 1, maximum: 4294967295 },
    release: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' },
    id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
  },
} as const;

interface ReleaseParams {
  projectId: number;
  release: string;
  id?: string;
}

const MAX_FILES_PER_REQUEST = 1000;

export function artifactJson(artifact: Artifact, map?: string | null) {
  return {
    id: artifact.id,
    name: artifact.name,
    kind: artifact.kind,
    debug_id: artifact.debugId || null,
    file: artifact.kind === 'sourcemap' ? artifact.file || null : null,
    source_map_url: artifact.kind === 'source' ? artifact.sourceMapUrl || null : null,
    ...(map !== undefined ? { map } : {}),
    sources: artifact.kind === 'sourcemap' ? artifact.sources : null,
    sources_content: artifact.kind === 'sourcemap' ? artifact.sourcesContent : null,
    size: artifact.size,
    sha256: artifact.sha256,
    uploaded_at: artifact.uploadedAt,
    ...(artifact.invalidStatus ? { invalid: { status: artifact.invalidStatus, reason: artifact.invalidReason } } : {}),
  };
}

export async function artifactsRoutes(app: FastifyInstance, options: ArtifactsRoutesOptions): Promise<void> {
  const { artifacts, lookup, parser, maxFileBytes } = options;
  await app.register(multipart, {
    throwFileSizeLimit: false,
    // Names are URL paths (~/static/js/app.js); busboy would cut them to the last segment.
    preservePath: true,
    limits: { fileSize: maxFileBytes, files: MAX_FILES_PER_REQUEST, fields: 20, fieldSize: 64 * 1024, parts: MAX_FILES_PER_REQUEST + 20 },
  });
  const access = projectAccess(options.authenticate);
  const limitText = `${Math.round(maxFileBytes / 1024 / 1024)} MB`;

  /** For a bundle: the map it will be symbolicated with, as things stand in the release. */
  async function mapOf(source: Artifact): Promise<string | null> {
    if (source.debugId) {
      const byId = await artifacts.byDebugId(source.projectId, 'sourcemap', source.debugId);
      if (byId) return byId.name;
    }
    const names = [source.sourceMapUrl ? resolveMapName(source.name, source.sourceMapUrl) : null, source.name + '.map'].filter((n): n is string => !!n);
    const found = await artifacts.byNames(source.projectId, source.release, names);
    return found.find((artifact) => artifact.kind === 'sourcemap' && !artifact.invalidStatus)?.name ?? null;
  }

  app.post<{ Params: ReleaseParams }>('/api/:projectId/releases/:release/artifacts', { schema: { params: releaseParams }, onRequest: access }, async (request, reply) => {
    const { projectId, release } = request.params;
    if (!request.isMultipart()) {
      throw httpError(415, 'send multipart/form-data with one part per file, its filename being the URL name (e.g. ~/static/js/app.js); lookout sourcemaps upload does this');
    }
    const stored: Artifact[] = [];
    const rejected: { name: string; reason: string }[] = [];
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      const raw = part.filename ?? '';
      let name: string;
      try {
        name = normalizeArtifactName(raw);
      } catch (error) {
        part.file.resume();
        rejected.push({ name: raw, reason: (error as Error).message });
        continue;
      }
      const content = await part.toBuffer();
      if (part.file.truncated) {
        const reason = `larger than the ${limitText} per-file limit (--artifact-max-mb)`;
        rejected.push({ name, reason });
        // Remembered as refused so that frames which needed this map say why.
        if (looksLikeMap(name, content)) {
          const inspected: InspectedArtifact = {
            kind: 'sourcemap', debugId: '', file: '', sourceMapUrl: '', sources: 0, sourcesContent: false,
            size: content.length, sha256: '', invalidStatus: 'map_too_large', invalidReason: reason,
          };
          await artifacts.put(projectId, release, name, inspected, '');
        }
        continue;
      }
      const inspected = await inspectArtifact(name, content, parser);
      stored.push(await artifacts.put(projectId, release, name, inspected, inspected.invalidStatus ? '' : content.toString('utf8')));
      if (inspected.invalidStatus) rejected.push({ name, reason: inspected.invalidReason });
    }
    lookup.invalidate(projectId);
    if (!stored.length && !rejected.length) {
      throw httpError(400, 'the request carried no files: send one multipart part per file, with a filename');
    }
    const accepted = stored.filter((artifact) => !artifact.invalidStatus);
    const body = {
      release,
      artifacts: await Promise.all(accepted.map(async (artifact) => artifactJson(artifact, artifact.kind === 'source' ? await mapOf(artifact) : undefined))),
      rejected,
    };
    request.log.info({ projectId, release, stored: accepted.length, rejected: rejected.length }, 'artifacts uploaded');
    return reply.code(rejected.length ? 400 : 201).send(body);
  });

  app.get<{ Params: ReleaseParams }>('/api/:projectId/releases/:release/artifacts', { schema: { params: releaseParams }, onRequest: access }, async (request) => {
    const { projectId, release } = request.params;
    const list = await artifacts.list(projectId, release);
    return {
      release,
      artifacts: await Promise.all(list.map(async (artifact) => artifactJson(artifact, artifact.kind === 'source' ? await mapOf(artifact) : undefined))),
    };
  });

  const remove = async (params: ReleaseParams) => {
    const deleted = await artifacts.remove(params.projectId, params.release, params.id ? [params.id] : undefined);
    lookup.invalidate(params.projectId);
    if (params.id && !deleted) throw httpError(404, `release ${params.release} has no artifact ${params.id}`);
    return { deleted };
  };
  app.delete<{ Params: ReleaseParams }>('/api/:projectId/releases/:release/artifacts', { schema: { params: releaseParams }, onRequest: access }, (request) =>
    remove(request.params),
  );
  app.delete<{ Params: ReleaseParams }>('/api/:projectId/releases/:release/artifacts/:id', { schema: { params: releaseParams }, onRequest: access }, (request) =>
    remove(request.params),
  );
}
