/**
 * `Authorization: Bearer <token>` for the read and admin API: the admin token opens every
 * project; a project token opens only its own project.
 */
import type { FastifyRequest } from 'fastify';
import type { ProjectRegistry } from '../projects/registry.js';
import { hashToken, sameHash } from '../projects/tokens.js';
import { httpError } from '../server/http-error.js';

export interface Access {
  admin: boolean;
  projectId?: number;
}

export type Authenticate = (request: FastifyRequest) => Access;

export function createAuthenticate(adminTokenHash: string, projects: ProjectRegistry): Authenticate {
  return (request) => {
    const header = request.headers.authorization;
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match) throw httpError(401, 'missing credentials: send "Authorization: Bearer <admin or project token>"');
    const token = match[1];
    if (sameHash(hashToken(token), adminTokenHash)) return { admin: true };
    const project = projects.byToken(token);
    if (project) return { admin: false, projectId: project.id };
    throw httpError(401, 'token is not valid: use the admin token printed at first start, or a project token');
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
  if (!access.admin && access.projectId !== projectId) throw httpError(403, `this token does not give access to project ${projectId}`);
}
