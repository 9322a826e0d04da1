/**
 * GET /api/:projectId/live — a WebSocket of the project's events as they are stored.
 * Token: `Authorization: Bearer …`, or `?token=` (browsers cannot set headers on a WebSocket).
 * Filters at connect (`?kind=error,vital&issue=…&route=…`) or later, by sending
 * `{"type":"filter","kind":["error"],"issue":"…","route":"…"}`. Messages from the server:
 * `hello` (the filters in force), `event`, `missed` (events dropped while the client was slow),
 * `filters` (after a change), `error` (a message it could not read).
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EVENT_KINDS, type EventKind } from '../../../protocol/wire.js';
import { projectParams } from '../api/events-routes.js';
import { type Authenticate, projectAccess } from '../auth/bearer.js';
import type { CollectorMetrics } from '../ops/metrics.js';
import { httpError } from '../server/http-error.js';
import type { LiveFilters, LiveHub } from './hub.js';

export interface LiveRoutesOptions {
  hub: LiveHub;
  authenticate: Authenticate;
  metrics: CollectorMetrics;
}

interface LiveQuery {
  kind?: string;
  issue?: string;
  route?: string;
  token?: string;
}

const ISSUE_ID = /^[0-9a-f]{16}$/;

/** Filters from the query string or a client message; throws with what is wrong. */
export function readFilters(input: { kind?: unknown; issue?: unknown; route?: unknown }): LiveFilters {
  const filters: LiveFilters = {};
  if (input.kind !== undefined && input.kind !== null && input.kind !== '') {
    const kinds = Array.isArray(input.kind) ? input.kind : String(input.kind).split(',');
    for (const kind of kinds) {
      if (!EVENT_KINDS.includes(kind as EventKind)) throw new Error(`kind must be among ${EVENT_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
    }
    filters.kinds = kinds as EventKind[];
  }
  if (input.issue !== undefined && input.issue !== null && input.issue !== '') {
    if (typeof input.issue !== 'string' || !ISSUE_ID.test(input.issue)) throw new Error('issue must be an issue id (16 hex characters)');
    filters.issue = input.issue;
  }
  if (input.route !== undefined && input.route !== null && input.route !== '') {
    if (typeof input.route !== 'string' || input.route.length > 256) throw new Error('route must be a route template such as /users/:id');
    filters.route = input.route;
  }
  return filters;
}

const filtersJson = (filters: LiveFilters) => ({ kind: filters.kinds ?? EVENT_KINDS, issue: filters.issue ?? null, route: filters.route ?? null });

export async function liveRoutes(app: FastifyInstance, { hub, authenticate, metrics }: LiveRoutesOptions): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });
  // A client that caught up hears what it missed even if no new event comes.
  const sweep = setInterval(() => hub.sweep(), 1000).unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  // Browsers send the session cookie with any WebSocket to this host, whatever page opened it:
  // a cookie-authenticated socket must come from a page of this collector (Origin = Host).
  const sameOriginForCookies = async (request: FastifyRequest<{ Querystring: LiveQuery }>) => {
    if (request.headers.authorization || request.query.token) return;
    const origin = request.headers.origin;
    if (origin && origin.replace(/^https?:\/\//, '') !== request.headers.host) throw httpError(403, `a WebSocket opened by ${origin} cannot use the dashboard session: send a token`);
  };

  const tokenFromQuery = async (request: FastifyRequest<{ Querystring: LiveQuery }>) => {
    if (!request.headers.authorization && request.query.token) request.headers.authorization = `Bearer ${request.query.token}`;
  };

  app.get<{ Params: { projectId: number }; Querystring: LiveQuery }>('/api/:projectId/live', {
    websocket: true,
    schema: {
      params: projectParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { kind: { type: 'string', maxLength: 64 }, issue: { type: 'string', maxLength: 64 }, route: { type: 'string', maxLength: 256 }, token: { type: 'string', maxLength: 256 } },
      },
    },
    onRequest: [sameOriginForCookies, tokenFromQuery, projectAccess(authenticate)],
    preHandler: async (request) => {
      try {
        readFilters(request.query);
      } catch (error) {
        throw httpError(400, (error as Error).message);
      }
    },
  }, (socket, request) => {
    const client = { projectId: request.params.projectId, socket, filters: readFilters(request.query), missed: 0 };
    socket.on('message', (data) => {
      try {
        const message = JSON.parse(String(data));
        if (message?.type !== 'filter') throw new Error('send {"type":"filter", "kind": [...], "issue": "…", "route": "…"}');
        client.filters = readFilters(message);
        socket.send(JSON.stringify({ type: 'filters', ...filtersJson(client.filters) }));
      } catch (error) {
        socket.send(JSON.stringify({ type: 'error', message: error instanceof SyntaxError ? 'messages must be JSON' : (error as Error).message }));
      }
    });
    const remove = hub.add(client);
    metrics.liveClients.inc();
    socket.on('close', () => {
      remove();
      metrics.liveClients.dec();
    });
    socket.send(JSON.stringify({ type: 'hello', project_id: client.projectId, ...filtersJson(client.filters) }));
  });
}
