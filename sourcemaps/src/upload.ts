/**
 * `lookout sourcemaps upload`: sends bundles and their maps to a release of a project, a few
 * files per multipart request, and prints what the collector made of each file (its debug ID,
 * the map it matched, whether the map carries the sources).
 */
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactName, DEFAULT_URL_PREFIX, normalizeUrlPrefix } from './artifact-name.js';
import { type BatchLimits, type LocalArtifact, packBatches, pairWithMaps } from './batches.js';
import type { Print } from './inject.js';
import { isBundleFile, isSourceMapFile, listFiles } from './scan.js';

export interface UploadOptions {
  /** The collector's base URL, such as https://lookout.example.com. */
  url: string;
  project: string | number;
  /** The admin token or a token of the project. */
  token: string;
  release: string;
  /** Prepended to each file's path under the folder: `~/` (any host, the default) or a full URL. */
  urlPrefix?: string;
  print?: Print;
  limits?: BatchLimits;
}

/** One stored file, as the collector describes it (201, and 400 for the files it kept). */
export interface StoredArtifact {
  id: string | number;
  name: string;
  kind: 'source' | 'sourcemap';
  debug_id: string | null;
  /** A map's `file`. */
  file: string | null;
  /** A source's `//# sourceMappingURL=`. */
  source_map_url: string | null;
  /** For a source: the name of its map in the release (by debug ID or sourceMappingURL). */
  map: string | null;
  /** For a map: how many sources it has, and whether it carries their text. */
  sources: number | null;
  sources_content: boolean | null;
  size: number;
  sha256: string;
}

export interface RejectedArtifact {
  name: string;
  reason: string;
}

export interface UploadResult {
  /** 0 when every file was stored; 1 when any was rejected or not sent. */
  exitCode: 0 | 1;
  stored: StoredArtifact[];
  rejected: RejectedArtifact[];
  /** Files whose request failed (network error, HTTP error), with why. */
  failed: RejectedArtifact[];
}

/** Uploads the .js/.mjs/.cjs and .map files under `dir`, named by their path under it. */
export async function uploadDirectory(dir: string, options: UploadOptions): Promise<UploadResult> {
  const print = options.print ?? console.log;
  const prefix = normalizeUrlPrefix(options.urlPrefix ?? DEFAULT_URL_PREFIX);
  const paths = (await listFiles(dir)).filter((path) => isBundleFile(path) || isSourceMapFile(path));
  if (!paths.length) {
    print(`nothing to upload: no .js, .mjs, .cjs or .map files under ${dir}; pass the folder your build writes to`);
    return { exitCode: 1, stored: [], rejected: [], failed: [] };
  }
  if (!paths.some(isSourceMapFile)) {
    print(`warning: no .map files under ${dir}: errors will show minified code. Build with source maps (sourcemap: true or 'hidden') and upload again`);
  }
  const artifacts = await Promise.all(
    paths.map(async (path): Promise<LocalArtifact> => ({
      path: join(dir, path),
      name: artifactName(prefix, path),
      size: (await stat(join(dir, path))).size,
      kind: isSourceMapFile(path) ? 'sourcemap' : 'source',
    })),
  );
  return uploadArtifacts(artifacts, options);
}

/** The route files are posted to. */
export const artifactsEndpoint = ({ url, project, release }: Pick<UploadOptions, 'url' | 'project' | 'release'>): string =>
  `${url.replace(/\/+$/, '')}/api/${project}/releases/${encodeURIComponent(release)}/artifacts`;

/** Uploads these files (bundles with their maps in the same request where they fit), printing a line each. */
export async function uploadArtifacts(artifacts: LocalArtifact[], options: UploadOptions): Promise<UploadResult> {
  const print = options.print ?? console.log;
  const result: UploadResult = { exitCode: 0, stored: [], rejected: [], failed: [] };
  const batches = packBatches(await pairWithMaps(artifacts), options.limits);
  for (const [index, batch] of batches.entries()) {
    const outcome = await sendBatch(batch, options);
    for (const stored of outcome.stored) print(describeStored(stored, options.release));
    for (const { name, reason } of outcome.rejected) print(`REJECTED ${name}: ${reason}`);
    for (const problem of outcome.problems) print(problem);
    result.stored.push(...outcome.stored);
    result.rejected.push(...outcome.rejected);
    result.failed.push(...outcome.failed);
    if (outcome.stop) {
      // Every later request would fail the same way (no collector there, a wrong token or project).
      const unsent = batches.slice(index + 1).flat();
      result.failed.push(...unsent.map(({ name }) => ({ name, reason: 'not sent' })));
      break;
    }
  }
  result.exitCode = result.rejected.length || result.failed.length ? 1 : 0;
  print(summary(result, artifacts.length, options));
  return result;
}

interface BatchOutcome {
  stored: StoredArtifact[];
  rejected: RejectedArtifact[];
  failed: RejectedArtifact[];
  /** Lines that say what went wrong and what to do. */
  problems: string[];
  stop: boolean;
}

async function sendBatch(batch: LocalArtifact[], options: UploadOptions): Promise<BatchOutcome> {
  const form = new FormData();
  for (const artifact of batch) {
    const type = artifact.kind === 'sourcemap' ? 'application/json' : 'text/javascript';
    form.append('file', await openAsBlob(artifact.path, { type }), artifact.name);
  }
  // A failure that stops the upload is about the collector, not these files: no names then.
  const failAll = (why: string, stop: boolean): BatchOutcome => ({
    stored: [],
    rejected: [],
    failed: batch.map(({ name }) => ({ name, reason: why })),
    problems: [stop ? `upload failed: ${why}` : `FAILED ${namesOf(batch)}: ${why}`],
    stop,
  });

  let response: Response;
  try {
    response = await fetch(artifactsEndpoint(options), {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}` },
      body: form,
      signal: AbortSignal.timeout(10 * 60_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    return failAll(`could not reach the collector at ${options.url} (${why}): check --url (LOOKOUT_URL) and that the collector is running`, true);
  }
  const body = await readBody(response);
  if (response.ok || (response.status === 400 && Array.isArray(body.artifacts))) {
    return answered(batch, body);
  }
  if (response.status === 413 && batch.length > 1) {
    // Over the collector's request size: halve until each request fits (a lone file that
    // does not fit is reported as such).
    const half = Math.ceil(batch.length / 2);
    const [first, second] = [await sendBatch(batch.slice(0, half), options), await sendBatch(batch.slice(half), options)];
    return {
      stored: [...first.stored, ...second.stored],
      rejected: [...first.rejected, ...second.rejected],
      failed: [...first.failed, ...second.failed],
      problems: [...first.problems, ...second.problems],
      stop: first.stop || second.stop,
    };
  }
  const message = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
  const { hint, stop } = whatToDo(response.status, options);
  return failAll(`HTTP ${response.status}: ${message}${hint ? ` (${hint})` : ''}`, stop);
}

/** What the collector said about each file of a request it answered; files it does not mention count as failed. */
function answered(batch: LocalArtifact[], body: { artifacts?: unknown; rejected?: unknown }): BatchOutcome {
  const stored = Array.isArray(body.artifacts) ? (body.artifacts as StoredArtifact[]) : [];
  const rejected = Array.isArray(body.rejected) ? (body.rejected as RejectedArtifact[]) : [];
  const mentioned = new Set([...stored, ...rejected].map(({ name }) => name));
  const missing = batch.filter(({ name }) => !mentioned.has(name));
  const problems = missing.map(({ name }) => `FAILED ${name}: sent, but the collector's answer does not mention it; check the collector's log`);
  const sent = new Set(batch.map(({ name }) => name));
  const renamed = [...mentioned].filter((name) => !sent.has(name));
  if (missing.length && renamed.length) {
    // Seen with a multipart parser that keeps only the last path segment of a filename.
    problems.push(`the collector stored files under names that were not sent (${renamed.slice(0, 3).join(', ')}${renamed.length > 3 ? ', …' : ''}): it changed the names, upgrade it`);
  }
  return { stored, rejected, failed: missing.map(({ name }) => ({ name, reason: "not in the collector's answer" })), problems, stop: false };
}

function whatToDo(status: number, { project }: UploadOptions): { hint: string; stop: boolean } {
  switch (status) {
    case 400:
    case 415:
      // About the request itself (the release name, say), not a file: every request would get it.
      return { hint: '', stop: true };
    case 401:
      return { hint: 'check --token (LOOKOUT_TOKEN): the admin token or a token of this project', stop: true };
    case 403:
      return { hint: `the token has no access to project ${project}: use that project's token or the admin token`, stop: true };
    case 404:
      return { hint: 'check --project (LOOKOUT_PROJECT) and --url (LOOKOUT_URL)', stop: true };
    case 413:
      return { hint: 'the file is larger than the collector accepts', stop: false };
    default:
      return { hint: status >= 500 ? 'the collector failed: see its log, then upload again' : '', stop: false };
  }
}

async function readBody(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    // A proxy's HTML error page, say: its start is still a clue.
    return text ? { message: text.replace(/\s+/g, ' ').slice(0, 200) } : {};
  }
}

/** One line for a stored file: what it is linked to, or why errors in it will stay minified. */
export function describeStored(artifact: StoredArtifact, release: string): string {
  const id = artifact.debug_id ? `debug ID ${artifact.debug_id}` : 'no debug ID';
  if (artifact.kind === 'sourcemap') {
    const content = artifact.sources_content ? 'yes' : 'no — without it there is no code context';
    return `uploaded ${artifact.name}  ${id}  (${count(artifact.sources ?? 0, 'source')}, sources content: ${content})`;
  }
  if (artifact.map) return `uploaded ${artifact.name}  ${id}  → map ${artifact.map}`;
  return `uploaded ${artifact.name}  ${id}  → NO MAP matched (${noMapHint(artifact, release)})`;
}

function noMapHint(source: StoredArtifact, release: string): string {
  if (source.debug_id) return `no map in release ${release} has its debug ID: upload the map inject wrote that ID into`;
  if (source.source_map_url?.startsWith('data:')) {
    return 'its map is inline (a data: URL): build with external or hidden source maps, then inject and upload';
  }
  if (source.source_map_url) {
    const url = source.source_map_url.length > 100 ? source.source_map_url.slice(0, 100) + '…' : source.source_map_url;
    return `no map in release ${release} is at its sourceMappingURL ${url}: upload that map, or run lookout sourcemaps inject first`;
  }
  return 'it has no debug ID and no sourceMappingURL: run lookout sourcemaps inject on the build folder before uploading';
}

function summary(result: UploadResult, total: number, { release, project }: UploadOptions): string {
  const maps = result.stored.filter((a) => a.kind === 'sourcemap').length;
  const kinds = result.stored.length ? ` (${count(result.stored.length - maps, 'source')}, ${count(maps, 'map')})` : '';
  const stored = `${result.stored.length} of ${count(total, 'file')} stored in release ${release} of project ${project}${kinds}`;
  if (!result.exitCode) return stored;
  const problems = [result.rejected.length && `${result.rejected.length} rejected`, result.failed.length && `${result.failed.length} not uploaded`].filter(Boolean);
  return `${stored}; ${problems.join(', ')}: fix what the lines above say, then upload again`;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

const namesOf = (batch: LocalArtifact[]): string =>
  batch.length <= 3 ? batch.map(({ name }) => name).join(', ') : `${batch.slice(0, 3).map(({ name }) => name).join(', ')} and ${batch.length - 3} more`;
