/**
 * The DSN a page gives `Lookout.init`: `<scheme>://<ingest key>@<host><prefix>/<project id>`.
 * The agent reads the path before the project id as the whole ingest prefix and an empty path as
 * the default `/api` (agent/src/config.ts), so the prefix is spelled out only when it differs.
 */
import type { Project } from './registry.js';

export function projectDsn(project: Pick<Project, 'id' | 'ingestKey'>, publicUrl: string, ingestPrefix: string): string {
  const origin = new URL(publicUrl);
  const basePath = origin.pathname.replace(/\/+$/, '');
  const prefix = !basePath && ingestPrefix === '/api' ? '' : basePath + ingestPrefix;
  return `${origin.protocol}//${project.ingestKey}@${origin.host}${prefix}/${project.id}`;
}
