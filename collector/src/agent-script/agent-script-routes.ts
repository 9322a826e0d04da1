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
}

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
      return { path, body, integrity: `sha384-${createHash('sha384').update(body).digest('base64')}` };
    }),
  );
  return scripts.filter((s): s is AgentScript => s !== undefined);
}

export async function agentScriptRoutes(app: FastifyInstance, { scripts }: { scripts: AgentScript[] }): Promise<void> {
  for (const script of scripts) {
    const etag = `"${script.integrity.slice(7, 31)}"`;
    app.get(script.path, async (request, reply) => {
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        // Pages load it cross-origin with `crossorigin` (for readable errors and SRI).
        .header('access-control-allow-origin', '*')
        .header('cache-control', 'public, max-age=86400, stale-while-revalidate=604800')
        .header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(script.body);
    });
  }
}
