/**
 * POST <prefix>/:projectId/ingest — the only door events come in by.
 * Order matters: cheap refusals (spool full, origin, key, per-IP rate) happen before the
 * body is read; per-event validation keeps the good events of a partly bad batch.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BatchSchema, KEY_HEADER, type LookoutEvent, type Sdk } from '../../../protocol/wire.js';
import type { IngestLimits, RateLimits } from '../config/config.js';
import type { CollectorMetrics, RejectReason } from '../ops/metrics.js';
import { encodeBatch } from '../process/spooled-batch.js';
import type { Project, ProjectRegistry } from '../projects/registry.js';
import { httpError } from '../server/http-error.js';
import { SpoolFullError, type Spool } from '../spool/types.js';
import { registerIngestBodyParsing } from './body-parsing.js';
import { normalizeEvent } from './normalize-event.js';
import { isOriginAllowed } from './origins.js';
import { createTokenBuckets } from './token-bucket.js';
import { createEventValidator } from './validate-event.js';

export interface IngestPluginOptions {
  pathPrefix: string;
  limits: IngestLimits;
  rateLimits: RateLimits;
  projects: ProjectRegistry;
  spool: Spool;
  metrics: CollectorMetrics;
}

interface IngestRoute {
  Params: { projectId: number };
  Querystring: { key?: string };
  Body: { sdk: Sdk; events: unknown[] };
}

declare module 'fastify' {
  interface FastifyRequest {
    lookoutProject?: Project;
  }
}

/** Seconds a client should wait when the spool is full; the processor drains it meanwhile. */
const SPOOL_FULL_RETRY_AFTER = 10;

export async function ingestPlugin(app: FastifyInstance, options: IngestPluginOptions): Promise<void> {
  const { limits, projects, spool, metrics } = options;
  const ipBuckets = createTokenBuckets(options.rateLimits.ipRequestsPerSecond, options.rateLimits.ipRequestsBurst);
  const projectBuckets = createTokenBuckets(options.rateLimits.projectEventsPerSecond, options.rateLimits.projectEventsBurst);
  const validateEvent = createEventValidator();
  const path = `${options.pathPrefix.replace(/\/+$/, '')}/:projectId/ingest`;
  const paramsSchema = {
    type: 'object',
    properties: { projectId: { type: 'integer', minimum: 1, maximum: 4294967295 } },
    required: ['projectId'],
  };

  registerIngestBodyParsing(app);

  const reject = (reason: RejectReason, statusCode: number, message: string, events = 1, extra?: Record<string, unknown>) => {
    metrics.eventsRejected.inc({ reason }, events);
    return httpError(statusCode, message, extra);
  };

  /** Finds the project and applies its CORS policy; a disallowed origin gets no CORS headers. */
  async function admitOrigin(request: FastifyRequest<{ Params: { projectId: number } }>, reply: FastifyReply) {
    const project = await projects.find(request.params.projectId);
    if (!project) throw reject('not_found', 404, `no project with id ${request.params.projectId}`);
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (!isOriginAllowed(origin, project.allowedOrigins)) {
        throw reject('forbidden_origin', 403, `origin ${origin} is not allowed for project ${project.id}: add it to the project's allowed origins`);
      }
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
      reply.header('access-control-expose-headers', 'Retry-After');
    }
    request.lookoutProject = project;
  }

  app.options<{ Params: { projectId: number } }>(path, { schema: { params: paramsSchema } }, async (request, reply) => {
    await admitOrigin(request, reply);
    reply
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', `content-type, content-encoding, ${KEY_HEADER}`)
      .header('access-control-max-age', '86400')
      .code(204)
      .send();
  });

  app.post<IngestRoute>(path, {
    bodyLimit: limits.bodyBytes,
    // The ingest key authenticates, never the dashboard's cookie: a signed-in browser's pages
    // (the demo, a sibling subdomain) send it along, and that must not make them need a CSRF token.
    config: { session: false },
    schema: {
      params: paramsSchema,
      querystring: { type: 'object', properties: { key: { type: 'string' } } },
      body: BatchSchema,
    },
    // Everything that needs no body runs before fastify reads one.
    onRequest: async (request, reply) => {
      const req = request as FastifyRequest<{ Params: { projectId: number } }>;
      if (spool.isFull()) {
        reply.header('retry-after', String(SPOOL_FULL_RETRY_AFTER));
        throw reject('spool_full', 503, 'the collector is storing a backlog; retry later', 1);
      }
      const wait = ipBuckets.take(request.ip, 1);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw reject('rate_limited', 429, `too many requests from this address; retry in ${wait} s`);
      }
      // Params are not validated yet in onRequest: coerce here, the schema re-checks later.
      const projectId = Number(req.params.projectId);
      if (!Number.isInteger(projectId) || projectId < 1) throw reject('not_found', 404, `no project with id ${req.params.projectId}`);
      req.params.projectId = projectId;
      await admitOrigin(req, reply);
      const key = (request.headers[KEY_HEADER] as string | undefined) ?? (request.query as { key?: string }).key;
      if (!key) throw reject('unauthorized', 401, `missing ingest key: send it in the ${KEY_HEADER} header or the ?key= query parameter`);
      if (key !== req.lookoutProject!.ingestKey) throw reject('unauthorized', 401, `ingest key is not valid for project ${projectId}`);
    },
    errorHandler: (error: Error & { statusCode?: number; code?: string; validation?: unknown; rejected?: unknown }, request, reply) => {
      const statusCode = error.statusCode ?? 500;
      if (statusCode >= 500 && statusCode !== 503) request.log.error({ err: error }, 'ingest failed');
      // Errors raised by fastify itself (body parsing, size, schema) are counted here.
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') metrics.eventsRejected.inc({ reason: 'too_large' });
      else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || statusCode === 415) metrics.eventsRejected.inc({ reason: 'unsupported_media_type' });
      else if (error.validation || (statusCode === 400 && !('rejected' in error))) metrics.eventsRejected.inc({ reason: 'malformed_body' });
      const message = statusCode >= 500 && statusCode !== 503 ? 'internal error while storing the batch; retry later' : error.message;
      reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode], message, ...(error.rejected ? { rejected: error.rejected } : {}) });
    },
  }, async (request, reply) => {
    const project = request.lookoutProject!;
    const receivedAt = Date.now();
    const { events, sdk } = request.body;
    if (events.length > limits.eventsPerBatch) {
      throw reject('too_large', 413, `batch has ${events.length} events; send at most ${limits.eventsPerBatch} per request`, events.length);
    }
    const wait = projectBuckets.take(String(project.id), Math.max(events.length, 1));
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw reject('rate_limited', 429, `project ${project.id} is over its event rate limit; retry in ${wait} s`, events.length);
    }

    const accepted: LookoutEvent[] = [];
    const rejected: { index: number; reason: string }[] = [];
    events.forEach((raw, index) => {
      const verdict = validateEvent(raw);
      if (verdict.ok) accepted.push(normalizeEvent(verdict.event, limits, receivedAt));
      else rejected.push({ index, reason: verdict.reason });
    });
    if (rejected.length) metrics.eventsRejected.inc({ reason: 'invalid_event' }, rejected.length);
    if (!accepted.length) {
      throw httpError(400, events.length ? 'no valid event in the batch: see "rejected"' : 'the batch has no events', { rejected });
    }

    try {
      await spool.append(encodeBatch({ p: project.id, t: receivedAt, ua: request.headers['user-agent'] ?? '', sdk, events: accepted }));
    } catch (error) {
      if (!(error instanceof SpoolFullError)) throw error;
      reply.header('retry-after', String(SPOOL_FULL_RETRY_AFTER));
      throw reject('spool_full', 503, 'the collector is storing a backlog; retry later', accepted.length);
    }
    const perKind = new Map<string, number>();
    for (const event of accepted) perKind.set(event.kind, (perKind.get(event.kind) ?? 0) + 1);
    for (const [kind, count] of perKind) metrics.eventsAccepted.inc({ kind }, count);
    return reply.code(202).send({ accepted: accepted.length, rejected });
  });
}
