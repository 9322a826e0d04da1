/**
 * Serves the built browser agent (`npm run build` → dist/agent/) at /lookout.js with
 * long-lived caching and a Subresource Integrity hash for the printed snippet.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

export interface AgentScript {
  path: string;
  body: Buffer;
  integrity: string;
  /** Content hash: `<path>?v=<version>` names exactly this build, so it may be cached for a year. */
  version: string;
}

/** The URL to put in pages: versioned, so long-lived caching and the integrity hash stay true together. */
export const versionedPath = (script: AgentScript) => `${script.path}?v=${script.version}`;

/** Script files the collector serves, by URL path. Missing builds are skipped (see docs/agent.md). */
export async function loadAgentScripts(distDir: string): Promise<AgentScript[]> {
  const files = [
    ['/lookout.js', 'lookout.min.js'],
    ['/lookout-angularjs.js', 'lookout-angularjs.min.js'],
  ] as const;
  const scripts = await Promise.all(
    files.map(async ([path, file]): Promise<AgentScript | undefined> => {
      const body = await readFile(`${distDir}/${file}`).catch(() => undefined);
      if (!body) return undefined;
      const digest = createHash('sha384').update(body);
      const integrity = `sha384-${digest.copy().digest('base64')}`;
      return { path, body, integrity, version: digest.digest('hex').slice(0, 12) };
    }),
  );
  return scripts.filter((s): s is AgentScript => s !== undefined);
}

export async function agentScriptRoutes(app: FastifyInstance, { scripts }: { scripts: AgentScript[] }): Promise<void> {
  for (const script of scripts) {
    const etag = `"${script.version}"`;
    app.get<{ Querystring: { v?: string } }>(script.path, async (request, reply) => {
      // The versioned URL never changes content: cache it for a year. The bare URL follows
      // upgrades, so it is revalidated hourly.
      const pinned = request.query.v === script.version;
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        // Pages load it cross-origin with `crossorigin` (for readable errors and SRI).
        .header('access-control-allow-origin', '*')
        .header('cache-control', pinned ? 'public, max-age=31536000, immutable' : 'public, max-age=3600, stale-while-revalidate=86400')
        .header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(script.body);
    });
  }
}
