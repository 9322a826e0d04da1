/**
 * GET /tools/lookout-sourcemaps.tgz — the source-map tools package (`npm run build` packs it to
 * dist/lookout-sourcemaps.tgz), so a CI job installs the tools that match its collector:
 * `npm install -D https://lookout.example.com/tools/lookout-sourcemaps.tgz`. No authentication:
 * it is the same code as in this repository.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { httpError } from '../server/http-error.js';

export async function toolsRoutes(app: FastifyInstance, { tarball }: { tarball: string }): Promise<void> {
  app.get('/tools/lookout-sourcemaps.tgz', async (_request, reply) => {
    const body = await readFile(tarball).catch(() => undefined);
    if (!body) throw httpError(404, 'the source-map tools are not built here: run npm run build in the collector');
    return reply.type('application/gzip').header('cache-control', 'no-cache').send(body);
  });
}
