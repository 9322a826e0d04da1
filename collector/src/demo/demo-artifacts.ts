/**
 * The demo's Angular bundle and its source map, registered as artifacts of the default project's
 * `demo@1.0.0` release when the demo is first opened, so that the demo's errors arrive
 * symbolicated — what a newcomer should see before uploading maps of their own. Skipped when
 * already stored with the same content.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { inspectArtifact } from '../artifacts/inspect-artifact.js';
import type { ArtifactLookup } from '../symbolicate/artifact-lookup.js';
import type { OffThreadParser } from '../symbolicate/parse-off-thread.js';

export const DEMO_RELEASE = 'demo@1.0.0';
const FILES = [
  ['angular/main.js', '~/demo/angular/main.js'],
  ['angular/main.js.map', '~/demo/angular/main.js.map'],
] as const;

export async function registerDemoArtifacts(input: { distDir: string; projectId: number; artifacts: ArtifactStore; lookup: ArtifactLookup; parser: OffThreadParser }): Promise<number> {
  const stored = new Map((await input.artifacts.list(input.projectId, DEMO_RELEASE)).map((artifact) => [artifact.name, artifact.sha256]));
  let added = 0;
  for (const [file, name] of FILES) {
    const content = await readFile(join(input.distDir, file)).catch(() => undefined);
    if (!content || stored.get(name) === createHash('sha256').update(content).digest('hex')) continue;
    const inspected = await inspectArtifact(name, content, input.parser);
    if (inspected.invalidStatus) continue;
    await input.artifacts.put(input.projectId, DEMO_RELEASE, name, inspected, content.toString('utf8'));
    added++;
  }
  if (added) input.lookup.invalidate(input.projectId);
  return added;
}
