/**
 * Load-test runs sent by `lookout load run --report-to` (schema version 4):
 *   POST /api/:projectId/load-runs                  a run summary → 201 { run_id }
 *   GET  /api/:projectId/load-runs?simulation=&since=&until=&limit=
 *                                                   runs newest first, and per request the series across them (trends)
 *   GET  /api/:projectId/load-runs/:runId           the run's whole summary
 */
import type { FastifyInstance } from 'fastify';
import type { RunSummary } from '../../../synthetic/src/contract.js';
import { type Authenticate, projectAccess } from '../auth/bearer.js';
import { createLoadRunStore } from '../load-runs/load-run-store.js';
import { runSummarySchema } from '../load-runs/summary-schema.js';
import { httpError } from '../server/http-error.js';
import type { Store } from '../store/types.js';
import { projectParams } from './events-routes.js';
import { parseTimeRange } from './time-range.js';

export interface LoadRunsRoutesOptions {
  store: Store;
  authenticate: Authenticate;
}

/** A long run's per-second timeline is most of a summary: an hour is ~0.5 MB. */
const SUMMARY_BODY_LIMIT = 5 * 1024 * 1024;

const runParams = {
  type: 'object',
  required: ['projectId', 'runId'],
  properties: { ...projectParams.properties, runId: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    simulation: { type: 'string', minLength: 1, maxLength: 500 },
    since: { type: 'string', maxLength: 40 },
    until: { type: 'string', maxLength: 40 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

export async function loadRunsRoutes(app: FastifyInstance, { store, authenticate }: LoadRunsRoutesOptions): Promise<void> {
  const runs = createLoadRunStore(store);
  const access = projectAccess(authenticate);

  app.post<{ Params: { projectId: number }; Body: RunSummary }>('/api/:projectId/load-runs', {
    schema: { params: projectParams, body: runSummarySchema },
    bodyLimit: SUMMARY_BODY_LIMIT,
    onRequest: access,
  }, async (request, reply) => {
    const summary = request.body;
    if (summary.endedAt < summary.startedAt) throw httpError(400, 'body/endedAt must not be earlier than body/startedAt');
    const runId = await runs.save(request.params.projectId, summary);
    return reply.code(201).send({ run_id: runId });
  });

  app.get<{ Params: { projectId: number }; Querystring: { simulation?: string; since?: string; until?: string; limit?: number } }>('/api/:projectId/load-runs', {
    schema: { params: projectParams, querystring: listQuery },
    onRequest: access,
  }, async (request) => {
    const { simulation, since, until, limit } = request.query;
    // No default window: runs are few and far between, the newest `limit` are what matters.
    const range = since !== undefined || until !== undefined ? parseTimeRange({ since: since ?? '0', until }) : {};
    const listed = await runs.list(request.params.projectId, { simulation, ...range, limit: limit ?? 50 });
    return { runs: listed, trends: await runs.trends(request.params.projectId, listed) };
  });

  app.get<{ Params: { projectId: number; runId: string } }>('/api/:projectId/load-runs/:runId', {
    schema: { params: runParams },
    onRequest: access,
  }, async (request) => {
    const run = await runs.get(request.params.projectId, request.params.runId);
    if (!run) throw httpError(404, `project ${request.params.projectId} has no load run ${request.params.runId}`);
    return run;
  });
}
