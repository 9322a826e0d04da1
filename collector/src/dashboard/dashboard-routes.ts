/**
 * The dashboard: one HTML page for every client-side route (deep links such as /issues/:id work
 * when pasted or opened from an alert) and its hashed assets. The page runs no inline script and
 * loads nothing from elsewhere, which the Content-Security-Policy states. `/?token=…` (the link
 * printed at first start) signs in and redirects to `/`, so the token leaves the address bar.
 */
import { readFile, readdir } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SessionSignIn } from '../auth/session-routes.js';

/** Paths the dashboard's router knows: each answers with the page. */
export const DASHBOARD_ROUTES = ['/', '/sign-in', '/issues', '/issues/:id', '/performance', '/releases', '/live', '/alerts', '/alerts/:id', '/certificates', '/projects', '/projects/:id'];

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  // 'self' covers the live feed's ws:/wss: on the same host (CSP level 3).
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

export interface DashboardRoutesOptions {
  distDir: string;
  signIn: SessionSignIn;
}

const pageHeaders = (reply: FastifyReply) =>
  reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-cache');

export async function dashboardRoutes(app: FastifyInstance, { distDir, signIn }: DashboardRoutesOptions): Promise<void> {
  const entries = await readdir(join(distDir, 'assets'), { withFileTypes: true }).catch(() => []);
  const assets = new Map<string, Buffer>();
  for (const entry of entries) if (entry.isFile()) assets.set(entry.name, await readFile(join(entry.parentPath, entry.name)));
  const page = await readFile(join(distDir, 'index.html')).catch(() => undefined);

  const sendPage = (reply: FastifyReply) => {
    if (!page) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'the dashboard is not built: run `npm run build`' });
    return pageHeaders(reply).type(CONTENT_TYPES['.html']).send(page);
  };

  for (const path of DASHBOARD_ROUTES) {
    app.get<{ Querystring: { token?: string } }>(path, async (request, reply) => {
      const token = typeof request.query.token === 'string' ? request.query.token : undefined;
      if (token !== undefined && path === '/') {
        const signedIn = signIn(token, reply);
        return reply.header('referrer-policy', 'no-referrer').redirect(signedIn ? '/' : '/sign-in?error=token', 303);
      }
      return sendPage(reply);
    });
  }

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const name = request.params['*'];
    const body = assets.get(name);
    if (!body) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no dashboard asset ${relative('.', name)}` });
    // Names carry a content hash: a new build has new names.
    return reply
      .type(CONTENT_TYPES[extname(name)] ?? 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  });
}
