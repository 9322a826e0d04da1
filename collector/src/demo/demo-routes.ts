/**
 * /demo/ — an AngularJS and an Angular app with the agent on them, reporting to the default
 * project, so a newcomer sees data within a minute (built into dist/demo by `npm run build`).
 * It also answers the two API calls the demo apps make: a slow user lookup and a failure.
 */
import { readFile, readdir } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectDsn } from '../projects/dsn.js';
import type { ProjectRegistry } from '../projects/registry.js';
import { DEMO_RELEASE } from './demo-artifacts.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface DemoRoutesOptions {
  distDir: string;
  projects: ProjectRegistry;
  /** Where browsers reach the collector, for the DSN the demo pages use. */
  publicUrl: () => string;
  ingestPrefix: string;
  /** Stores the demo bundle's source map for a project (demo-artifacts.ts); called once, when the demo is first opened. */
  registerArtifacts: (projectId: number) => Promise<unknown>;
}

/** Milliseconds the demo's user API takes, so route timing has a request to wait for. */
const USER_API_DELAY_MS = 300;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

export async function demoRoutes(app: FastifyInstance, options: DemoRoutesOptions): Promise<void> {
  const files = new Map<string, Buffer>();
  for (const file of await listFiles(options.distDir)) {
    files.set(`/demo/${relative(options.distDir, file).split('\\').join('/')}`, await readFile(file));
  }
  if (files.size === 0) {
    app.get('/demo/', async (_request, reply) => reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'the demo is not built: run `npm run build`' }));
    return;
  }

  const send = (path: string, reply: import('fastify').FastifyReply) =>
    reply.header('content-type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream').header('cache-control', 'no-cache').send(files.get(path));

  app.get('/demo', async (_request, reply) => reply.redirect('/demo/'));
  let registering: Promise<unknown> | undefined;
  app.get('/demo/config.js', async (request, reply) => {
    const project = options.projects.byId(1) ?? options.projects.list()[0];
    // Every demo page loads this first; its errors come after, once the map is stored.
    if (project) {
      registering ??= options.registerArtifacts(project.id).catch((error) => {
        registering = undefined;
        request.log.warn({ err: error }, 'the demo source map could not be registered; the demo errors stay minified');
      });
      await registering;
    }
    const dsn = project ? projectDsn(project, options.publicUrl(), options.ingestPrefix) : '';
    reply.header('content-type', CONTENT_TYPES['.js']).header('cache-control', 'no-store');
    return `window.LOOKOUT_DEMO = ${JSON.stringify({ dsn, release: DEMO_RELEASE })};\n`;
  });
  app.get<{ Params: { id: string } }>('/demo/api/users/:id', async (request) => {
    await new Promise((resolve) => setTimeout(resolve, USER_API_DELAY_MS));
    return { id: request.params.id, name: `User ${request.params.id.slice(0, 20)}` };
  });
  app.get('/demo/api/fail', async (_request, reply) => reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'the demo API fails on purpose' }));
  app.get('/demo/*', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (files.has(path)) return send(path, reply);
    if (files.has(`${path.replace(/\/?$/, '/')}index.html`)) return send(`${path.replace(/\/?$/, '/')}index.html`, reply);
    // Client-side routes of the Angular demo (/demo/angular/users/42) load its page.
    if (path.startsWith('/demo/angular/') && !extname(path)) return send('/demo/angular/index.html', reply);
    return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no demo file ${path}` });
  });
}
