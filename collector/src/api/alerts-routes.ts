/**
 * Alert rules and history of a project:
 *   GET    /api/:projectId/alerts/rules            rules (secrets redacted), config-file ones included
 *   POST   /api/:projectId/alerts/rules            create → 201
 *   GET    /api/:projectId/alerts/rules/:id
 *   PUT    /api/:projectId/alerts/rules/:id        replace (not config-file rules: 409)
 *   DELETE /api/:projectId/alerts/rules/:id
 *   GET    /api/:projectId/alerts/rules/:id/state  what the rule sees now (lookout check reads it)
 *   POST   /api/:projectId/alerts/rules/:id/test   send a test message to each destination
 *   GET    /api/:projectId/alerts/history?rule=&limit=&before=
 */
import type { FastifyInstance } from 'fastify';
import type { AlertEngine } from '../alerts/engine.js';
import type { AlertHistory } from '../alerts/history.js';
import { redactRule } from '../alerts/rules/rule-schema.js';
import { RuleError, type RuleStore } from '../alerts/rules/rule-store.js';
import { type Authenticate, projectAccess } from '../auth/bearer.js';
import { httpError } from '../server/http-error.js';
import { projectParams } from './events-routes.js';

export interface AlertsRoutesOptions {
  rules: RuleStore;
  history: AlertHistory;
  engine: () => AlertEngine;
  authenticate: Authenticate;
}

const ruleParams = {
  type: 'object',
  required: ['projectId', 'id'],
  properties: { ...projectParams.properties, id: { type: 'string', pattern: '^[a-z0-9-]{1,80}$' } },
} as const;

const asHttp = (error: unknown): never => {
  if (error instanceof RuleError) throw httpError(error.statusCode, error.message);
  throw error;
};

export async function alertsRoutes(app: FastifyInstance, { rules, history, engine, authenticate }: AlertsRoutesOptions): Promise<void> {
  const access = projectAccess(authenticate);
  // Rule bodies are validated by the rule schema itself, which says which field is wrong.
  const body = { type: 'object' } as const;

  app.get<{ Params: { projectId: number } }>('/api/:projectId/alerts/rules', { schema: { params: projectParams }, onRequest: access }, async (request) => ({
    rules: rules.forProject(request.params.projectId).map(redactRule),
  }));

  app.post<{ Params: { projectId: number } }>('/api/:projectId/alerts/rules', { schema: { params: projectParams, body }, onRequest: access }, async (request, reply) => {
    const rule = await rules.create(request.params.projectId, request.body).catch(asHttp);
    return reply.code(201).send({ rule: redactRule(rule) });
  });

  const existing = (projectId: number, id: string) => {
    const rule = rules.get(projectId, id);
    if (!rule) throw httpError(404, `project ${projectId} has no alert rule ${id}`);
    return rule;
  };

  app.get<{ Params: { projectId: number; id: string } }>('/api/:projectId/alerts/rules/:id', { schema: { params: ruleParams }, onRequest: access }, async (request) => ({
    rule: redactRule(existing(request.params.projectId, request.params.id)),
  }));

  app.put<{ Params: { projectId: number; id: string } }>('/api/:projectId/alerts/rules/:id', { schema: { params: ruleParams, body }, onRequest: access }, async (request) => ({
    rule: redactRule(await rules.update(request.params.projectId, request.params.id, request.body).catch(asHttp)),
  }));

  app.delete<{ Params: { projectId: number; id: string } }>('/api/:projectId/alerts/rules/:id', { schema: { params: ruleParams }, onRequest: access }, async (request, reply) => {
    await rules.remove(request.params.projectId, request.params.id).catch(asHttp);
    return reply.code(204).send();
  });

  app.get<{ Params: { projectId: number; id: string } }>('/api/:projectId/alerts/rules/:id/state', { schema: { params: ruleParams }, onRequest: access }, async (request) => {
    const rule = existing(request.params.projectId, request.params.id);
    return { rule: { id: rule.id, name: rule.name, type: rule.type, enabled: rule.enabled }, ...engine().status(rule) };
  });

  app.post<{ Params: { projectId: number; id: string } }>('/api/:projectId/alerts/rules/:id/test', { schema: { params: ruleParams }, onRequest: access }, async (request) => {
    const results = await engine().sendTest(existing(request.params.projectId, request.params.id));
    return { results: results.map(({ destination, result }) => ({ destination, ...result })) };
  });

  app.get<{ Params: { projectId: number }; Querystring: { rule?: string; limit?: number; before?: number } }>('/api/:projectId/alerts/history', {
    schema: {
      params: projectParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { rule: { type: 'string', maxLength: 80 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, before: { type: 'integer', minimum: 0 } },
      },
    },
    onRequest: access,
  }, async (request) => {
    const entries = await history.list(request.params.projectId, { ruleId: request.query.rule, limit: request.query.limit ?? 100, before: request.query.before });
    return {
      history: entries.map((entry) => ({
        id: entry.id,
        sent_at: entry.sentAt,
        rule: { id: entry.ruleId, name: entry.ruleName },
        issue_id: entry.issueId,
        kind: entry.kind,
        destination: entry.destination,
        title: entry.title,
        summary: entry.summary,
        delivered: entry.result.ok,
        status: entry.result.status ?? null,
        attempts: entry.result.attempts,
        error: entry.result.error ?? null,
      })),
    };
  });
}
