/**
 * Signing in to the dashboard: POST /api/session exchanges a token for the session cookie,
 * GET /api/session says who is signed in (and hands out the CSRF token the dashboard sends with
 * every change), DELETE /api/session signs out. Requests that prove themselves with the cookie
 * and change something (POST, PUT, PATCH, DELETE) must carry `x-csrf-token`; SameSite=Strict
 * already keeps the cookie off cross-site requests, the token covers the same-site rest
 * (another app on a sibling subdomain).
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProjectRegistry } from '../projects/registry.js';
import { httpError } from '../server/http-error.js';
import { type Authenticate, createTokenCheck } from './bearer.js';
import { SESSION_COOKIE, SESSION_TTL_MS, type SessionCodec } from './session.js';

export interface SessionRoutesOptions {
  sessions: SessionCodec;
  secret: Buffer;
  adminTokenHash: string;
  projects: ProjectRegistry;
  authenticate: Authenticate;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: the route never reads the session cookie (ingest, signing in and out), so no CSRF check. */
    session?: boolean;
  }
}

/** Sets the session cookie for a valid token; false when the token opens nothing. */
export type SessionSignIn = (token: string, reply: FastifyReply) => false | { admin: boolean; projectId?: number; expiresAt: number };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Registered on the root instance: the cookie parser and the CSRF check apply to every route. */
export async function registerSessions(app: FastifyInstance, options: SessionRoutesOptions): Promise<SessionSignIn> {
  const { sessions, adminTokenHash, projects, authenticate } = options;
  const checkToken = createTokenCheck(adminTokenHash, projects);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;

  const signIn: SessionSignIn = (token, reply) => {
    const access = checkToken(token.trim());
    if (!access) return false;
    const expiresAt = Date.now() + SESSION_TTL_MS;
    const value = sessions.seal({ admin: access.admin, projectId: access.projectId, tokenHashPrefix: access.tokenHash.slice(0, 16), expiresAt });
    reply.setCookie(SESSION_COOKIE, value, { ...cookieOptions, expires: new Date(expiresAt) });
    return { admin: access.admin, projectId: access.projectId, expiresAt };
  };

  await app.register(cookie, { secret: options.secret.toString('hex') });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'lookout_csrf',
    cookieOpts: { ...cookieOptions, signed: true },
    // A CSRF token is good only with the session it was issued to.
    getUserInfo: (request: FastifyRequest) => request.cookies[SESSION_COOKIE] ?? '',
    csrfOpts: { hmacKey: options.secret },
    getToken: (request: FastifyRequest) => request.headers['x-csrf-token'] as string | undefined,
  });

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (SAFE_METHODS.has(request.method) || request.headers.authorization !== undefined || !request.cookies[SESSION_COOKIE]) return done();
    // Routes that never read the cookie (ingest), and signing in or out, need no CSRF token.
    if (request.routeOptions.config?.session === false) return done();
    if (!request.headers['x-csrf-token']) {
      return done(httpError(403, 'a change made with the dashboard session needs the x-csrf-token header (GET /api/session gives it)'));
    }
    app.csrfProtection(request, reply, done);
  });

  app.post<{ Body: { token: string } }>('/api/session', {
    config: { session: false },
    schema: { body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 256 } } } },
  }, async (request, reply) => {
    const signedIn = signIn(request.body.token, reply);
    if (!signedIn) throw httpError(401, 'token is not valid: use the admin token printed at first start, or a project token');
    return { admin: signedIn.admin, project_id: signedIn.projectId ?? null, expires_at: new Date(signedIn.expiresAt).toISOString() };
  });

  app.get('/api/session', async (request, reply) => {
    const access = authenticate(request);
    reply.header('cache-control', 'no-store');
    return {
      admin: access.admin,
      project_id: access.projectId ?? null,
      via: access.via,
      // Bound to this session (verified through getUserInfo above); a bearer caller needs none.
      csrf_token: access.via === 'session' ? reply.generateCsrf({ userInfo: request.cookies[SESSION_COOKIE] ?? '' } as never) : null,
    };
  });

  // Signing out works even when the session has already ended (no CSRF token can be had then);
  // the worst a forged sign-out can do is sign someone out.
  app.delete('/api/session', { config: { session: false } }, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie('lookout_csrf', { path: '/' });
    return reply.code(204).send();
  });
  return signIn;
}
