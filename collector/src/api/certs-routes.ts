/**
 * Certificate monitoring of a project (docs/certs.md):
 *   GET    /api/:projectId/certs                         latest check of every target, per address
 *   GET    /api/:projectId/certs/targets                 targets (config-file ones included)
 *   POST   /api/:projectId/certs/targets                 add { host, port?, protocol?, server_name?, warn_days?, crit_days? } → 201
 *   DELETE /api/:projectId/certs/targets/:id             remove (not config-file targets: 409)
 *   POST   /api/:projectId/certs/targets/:id/check       check now → the stored check
 *   GET    /api/:projectId/certs/targets/:id/history     leaf fingerprints per address, first and last seen
 */
import type { FastifyInstance } from 'fastify';
import { type Authenticate, projectAccess } from '../auth/bearer.js';
import type { CertMonitor } from '../certs/monitor.js';
import type { AddressRow, ResultStore, StoredCheck } from '../certs/results.js';
import { TargetError, targetLabel, type StoredTarget, type TargetStore } from '../certs/targets.js';
import type { ProjectRegistry } from '../projects/registry.js';
import { httpError } from '../server/http-error.js';
import { projectParams } from './events-routes.js';

export interface CertsRoutesOptions {
  targets: TargetStore;
  results: ResultStore;
  monitor: () => CertMonitor;
  projects: ProjectRegistry;
  authenticate: Authenticate;
}

const targetParams = {
  type: 'object',
  required: ['projectId', 'id'],
  properties: { ...projectParams.properties, id: { type: 'string', pattern: '^[a-z0-9-]{1,100}$' } },
} as const;

const asHttp = (error: unknown): never => {
  if (error instanceof TargetError) throw httpError(error.statusCode, error.message);
  throw error;
};

export const targetJson = (target: StoredTarget) => ({
  id: target.id,
  label: targetLabel(target),
  host: target.host,
  port: target.port,
  protocol: target.protocol,
  server_name: target.serverName || null,
  warn_days: target.warnDays,
  crit_days: target.critDays,
  source: target.source,
  updated_at: target.updatedAt,
});

const addressJson = (a: AddressRow) => ({
  address: a.address || null,
  family: a.family || null,
  connected: a.connected,
  error: a.error || null,
  state: a.state,
  min_days_left: a.minDaysLeft,
  verdicts: a.verdicts,
  leaf: a.leafFingerprint ? { fingerprint_sha256: a.leafFingerprint, subject: a.leafSubject, issuer: a.leafIssuer, not_after: a.leafNotAfter } : null,
  protocol_version: a.protocolVersion || null,
  cipher: a.cipher || null,
  chain: a.chain,
  ocsp: a.ocsp,
});

const STATE_ORDER = ['ok', 'warning', 'critical'];
/** The target's state: the worst of its addresses. */
const worst = (check: StoredCheck) => check.addresses.reduce<string>((state, a) => (STATE_ORDER.indexOf(a.state) > STATE_ORDER.indexOf(state) ? a.state : state), 'ok');

export const checkJson = (check: StoredCheck) => {
  const days = check.addresses.map((a) => a.minDaysLeft).filter((d): d is number => d !== null);
  return { check_id: check.checkId, checked_at: check.checkedAt, state: worst(check), min_days_left: days.length ? Math.min(...days) : null, addresses: check.addresses.map(addressJson) };
};

export async function certsRoutes(app: FastifyInstance, { targets, results, monitor, projects, authenticate }: CertsRoutesOptions): Promise<void> {
  const access = projectAccess(authenticate);
  const project = (projectId: number) => {
    if (!projects.byId(projectId)) throw httpError(404, `there is no project ${projectId}`);
  };
  const existing = (projectId: number, id: string) => {
    const target = targets.get(projectId, id);
    if (!target) throw httpError(404, `project ${projectId} has no certificate target ${id}`);
    return target;
  };

  app.get<{ Params: { projectId: number } }>('/api/:projectId/certs', { schema: { params: projectParams }, onRequest: access }, async (request) => {
    const { projectId } = request.params;
    project(projectId);
    const latest = await results.latest(projectId);
    return {
      targets: targets.forProject(projectId).map((target) => {
        const check = latest.get(target.id);
        return { ...targetJson(target), check: check ? checkJson(check) : null };
      }),
    };
  });

  app.get<{ Params: { projectId: number } }>('/api/:projectId/certs/targets', { schema: { params: projectParams }, onRequest: access }, async (request) => {
    project(request.params.projectId);
    return { targets: targets.forProject(request.params.projectId).map(targetJson) };
  });

  app.post<{ Params: { projectId: number } }>('/api/:projectId/certs/targets', { schema: { params: projectParams, body: { type: 'object' } }, onRequest: access }, async (request, reply) => {
    project(request.params.projectId);
    const target = await targets.create(request.params.projectId, request.body).catch(asHttp);
    // Checked at once, so the list shows a state within seconds rather than at the next round.
    void monitor().checkNow(target).catch((error) => request.log.warn({ err: error, target: target.id }, 'the first check of a new target failed'));
    return reply.code(201).send({ target: targetJson(target) });
  });

  app.delete<{ Params: { projectId: number; id: string } }>('/api/:projectId/certs/targets/:id', { schema: { params: targetParams }, onRequest: access }, async (request, reply) => {
    await targets.remove(request.params.projectId, request.params.id).catch(asHttp);
    return reply.code(204).send();
  });

  app.post<{ Params: { projectId: number; id: string } }>('/api/:projectId/certs/targets/:id/check', { schema: { params: targetParams }, onRequest: access }, async (request) => {
    const target = existing(request.params.projectId, request.params.id);
    const checked = await monitor().checkNow(target);
    return {
      target: targetJson(target),
      check: checkJson(checked.check),
      changes: checked.changes.map((c) => ({ address: c.address, kind: c.kind, before: c.before, after: c.after })),
    };
  });

  app.get<{ Params: { projectId: number; id: string } }>('/api/:projectId/certs/targets/:id/history', { schema: { params: targetParams }, onRequest: access }, async (request) => {
    const target = existing(request.params.projectId, request.params.id);
    const seen = await results.history(target.projectId, target.id);
    return {
      target: targetJson(target),
      fingerprints: seen.map((s) => ({
        address: s.address || null,
        fingerprint_sha256: s.fingerprint,
        subject: s.subject,
        issuer: s.issuer,
        not_after: s.notAfter,
        first_seen: s.firstSeen,
        last_seen: s.lastSeen,
        checks: s.checks,
      })),
    };
  });
}
