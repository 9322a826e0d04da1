/**
 * Credentials for the read and admin API: `Authorization: Bearer <token>` (scripts, CI, the
 * source-map tools) or the dashboard's session cookie. The admin token opens every project; a
 * project token opens only its own project.
 */
import type { FastifyRequest } from 'fastify';
import type { ProjectRegistry } from '../projects/registry.js';
import { hashToken, sameHash } from '../projects/tokens.js';
import { httpError } from '../server/http-error.js';
import { SESSION_COOKIE, type SessionClaims, type SessionCodec } from './session.js';

export interface Access {
  admin: boolean;
  projectId?: number;
  /** How the request proved it: a cookie-borne request must also carry its CSRF token to change anything. */
  via: 'bearer' | 'session';
}

export type Authenticate = (request: FastifyRequest) => Access;

/** What a token opens, or undefined when it opens nothing. */
export type TokenCheck = (token: string) => Omit<Access, 'via'> & { tokenHash: string } | undefined;

export function createTokenCheck(adminTokenHash: string, projects: ProjectRegistry): TokenCheck {
  return (token) => {
    const hash = hashToken(token);
    if (sameHash(hash, adminTokenHash)) return { admin: true, tokenHash: hash };
    const project = projects.byToken(token);
    return project ? { admin: false, projectId: project.id, tokenHash: hash } : undefined;
  };
}

/** A session is valid while the token it was opened with is still the current one. */
export function sessionAccess(claims: SessionClaims, adminTokenHash: string, projects: ProjectRegistry): Omit<Access, 'via'> | undefined {
  if (claims.admin) return adminTokenHash.startsWith(claims.tokenHashPrefix) ? { admin: true } : undefined;
  const project = claims.projectId === undefined ? undefined : projects.byId(claims.projectId);
  return project && project.tokenHash.startsWith(claims.tokenHashPrefix) ? { admin: false, projectId: project.id } : undefined;
}

export function createAuthenticate(adminTokenHash: string, projects: ProjectRegistry, sessions?: SessionCodec): Authenticate {
  const checkToken = createTokenCheck(adminTokenHash, projects);
  return (request) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = header.match(/^Bearer\s+(\S+)\s*$/i);
      if (!match) throw httpError(401, 'malformed credentials: send "Authorization: Bearer <admin or project token>"');
      const access = checkToken(match[1]);
      if (!access) throw httpError(401, 'token is not valid: use the admin token printed at first start, or a project token');
      return { admin: access.admin, ...(access.projectId !== undefined ? { projectId: access.projectId } : {}), via: 'bearer' };
    }
    const cookie = sessions ? (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE] : undefined;
    if (cookie && sessions) {
      const claims = sessions.open(cookie);
      const access = claims && sessionAccess(claims, adminTokenHash, projects);
      if (!access) throw httpError(401, 'the session has ended (expired, or its token was rotated): sign in again');
      return { ...access, via: 'session' };
    }
    throw httpError(401, 'missing credentials: send "Authorization: Bearer <admin or project token>", or sign in to the dashboard');
  };
}

export function requireAdmin(access: Access): void {
  if (!access.admin) throw httpError(403, 'this needs the admin token');
}

/** An onRequest hook for `/api/:projectId/...` routes: the admin token, or that project's token. */
export function projectAccess(authenticate: Authenticate) {
  return async (request: FastifyRequest) => requireProject(authenticate(request), Number((request.params as { projectId: string }).projectId));
}

export function requireProject(access: Access, projectId: number): void {
  // Number(): onRequest hooks see raw string params (the schema coerces them later).
  if (!access.admin && access.projectId !== Number(projectId)) throw httpError(403, `this token does not give access to project ${projectId}`);
}
