/**
 * GET /api/:projectId/events — newest first, keyset pagination with an opaque cursor
 * (timestamp + event id of the last event returned), so pages stay stable while events arrive.
 */
import type { FastifyInstance } from 'fastify';
import { EVENT_KINDS, type EventKind } from '../../../protocol/wire.js';
import { type Authenticate, projectAccess } from '../auth/bearer.js';
import { TABLE_OF_KIND } from '../process/rows.js';
import { httpError } from '../server/http-error.js';
import type { Store } from '../store/types.js';
import type { ContextStore } from '../symbolicate/context-store.js';
import { SELECT_COLUMNS, rowToEvent } from './event-rows.js';
import { attachContexts } from './frame-contexts.js';
import { parseTimeRange } from './time-range.js';

export interface ReadRoutesOptions {
  store: Store;
  authenticate: Authenticate;
}

export interface EventsQuery {
  kind?: EventKind;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

export const projectParams = {
  type: 'object',
  required: ['projectId'],
  properties: { projectId: { type: 'integer', minimum: 1, maximum: 4294967295 } },
} as const;

/** Query-string schema of a read route: its own properties plus the time range. */
export const readQuery = (properties: Record<string, object>) => ({
  type: 'object',
  additionalProperties: false,
  properties: { ...properties, since: { type: 'string' }, until: { type: 'string' } },
});

export async function eventsRoutes(app: FastifyInstance, { store, contexts, authenticate }: ReadRoutesOptions & { contexts: ContextStore }): Promise<void> {
  app.get<{ Params: { projectId: number }; Querystring: EventsQuery }>('/api/:projectId/events', {
    schema: {
      params: projectParams,
      querystring: readQuery({
        kind: { type: 'string', enum: EVENT_KINDS },
        limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        cursor: { type: 'string', maxLength: 200 },
      }),
    },
    onRequest: projectAccess(authenticate),
  }, async (request) => {
    const kinds = request.query.kind ? [request.query.kind] : EVENT_KINDS;
    const page = await listEvents(store, request.params.projectId, kinds, request.query);
    await attachContexts(contexts, request.params.projectId, page.events);
    return page;
  });
}

/** A page of events, newest first; `issueId` keeps one issue's errors. */
export async function listEvents(
  store: Store,
  projectId: number,
  kinds: readonly EventKind[],
  query: EventsQuery,
  issueId?: string,
): Promise<{ events: Record<string, unknown>[]; next_cursor: string | null }> {
  const { since, until } = parseTimeRange(query);
  const limit = query.limit ?? 100;
  const after = query.cursor ? decodeCursor(query.cursor) : { timestamp: until, eventId: MAX_UUID };

  // One query per table, merged here: the tables have different columns, and each query
  // reads only `limit` rows from its sorted, deduplicated (FINAL) table.
  const perKind = await Promise.all(
    kinds.map(async (kind) => {
      const rows = await store.query(
        `SELECT ${SELECT_COLUMNS[kind]} FROM ${TABLE_OF_KIND[kind]} FINAL
         WHERE project_id = {projectId:UInt32}
           ${issueId === undefined ? '' : 'AND issue_id = {issueId:String}'}
           AND timestamp >= fromUnixTimestamp64Milli({since:Int64})
           AND timestamp < fromUnixTimestamp64Milli({until:Int64})
           AND (timestamp, toString(event_id)) < (fromUnixTimestamp64Milli({afterTs:Int64}), {afterId:String})
         ORDER BY timestamp DESC, toString(event_id) DESC
         LIMIT {limit:UInt32}`,
        { projectId, since, until, afterTs: after.timestamp, afterId: after.eventId, limit, issueId: issueId ?? '' },
      );
      return rows.map((row) => ({ row, event: rowToEvent(kind, row) }));
    }),
  );
  const merged = perKind
    .flat()
    .sort((a, b) => (b.event.timestamp as number) - (a.event.timestamp as number) || compareUuidDesc(a.event, b.event))
    .slice(0, limit);
  const last = merged[merged.length - 1];
  return {
    events: merged.map((m) => m.event),
    next_cursor: merged.length === limit && last ? encodeCursor(last.event.timestamp as number, last.event.event_id as string) : null,
  };
}

/** Ties on the millisecond are ordered by the id's text, as the SQL above orders them, so cursors never skip one. */
function compareUuidDesc(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const x = String(a.event_id);
  const y = String(b.event_id);
  return x < y ? 1 : x > y ? -1 : 0;
}

function encodeCursor(timestamp: number, eventId: string): string {
  return Buffer.from(`${timestamp}|${eventId}`).toString('base64url');
}

function decodeCursor(cursor: string): { timestamp: number; eventId: string } {
  const [ts, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!/^\d+$/.test(ts ?? '') || !/^[0-9a-f-]{36}$/i.test(id ?? '')) throw httpError(400, '"cursor" is not one this API returned');
  return { timestamp: Number(ts), eventId: id };
}

/**
 * A page of one issue's errors, newest first, with the same cursor and order as `listEvents`.
 * The page's event ids come from `issue_events` (one narrow row per error, sorted by project,
 * issue and time): the newest `2 × limit` keys before the cursor, read in key order, give the
 * oldest timestamp the page can reach; every key from there up to the cursor is then read again
 * (so ties on that millisecond are all seen), ordered as `listEvents` orders (id as text), and
 * cut to `limit`. The rows are then read from `errors` by primary key (project, day, event id).
 * Duplicates of a replayed insert (not yet merged) are dropped by id; the newest received wins.
 */
export async function listIssueEvents(
  store: Store,
  projectId: number,
  issueId: string,
  query: EventsQuery,
): Promise<{ events: Record<string, unknown>[]; next_cursor: string | null }> {
  const { since, until } = parseTimeRange(query);
  const limit = query.limit ?? 100;
  const after = query.cursor ? decodeCursor(query.cursor) : { timestamp: until, eventId: MAX_UUID };
  const params = { projectId, issueId, since, until, afterTs: after.timestamp, afterId: after.eventId, limit, window: 2 * limit };
  const range = `project_id = {projectId:UInt32} AND issue_id = {issueId:String}
           AND timestamp < fromUnixTimestamp64Milli({until:Int64}) AND timestamp <= fromUnixTimestamp64Milli({afterTs:Int64})
           AND (timestamp, toString(event_id)) < (fromUnixTimestamp64Milli({afterTs:Int64}), {afterId:String})`;
  const keys = await store.query<{ ts: string | number; id: string; day: string }>(
    `SELECT toUnixTimestamp64Milli(timestamp) AS ts, toString(event_id) AS id, toString(toDate(timestamp)) AS day
     FROM issue_events
     WHERE ${range}
       AND timestamp >= greatest(fromUnixTimestamp64Milli({since:Int64}), (
         SELECT min(timestamp) FROM (
           SELECT timestamp FROM issue_events
           WHERE ${range} AND timestamp >= fromUnixTimestamp64Milli({since:Int64})
           ORDER BY timestamp DESC, event_id DESC
           LIMIT {window:UInt32})))
     ORDER BY ts DESC, id DESC
     LIMIT 1 BY id
     LIMIT {limit:UInt32}`,
    params,
  );
  if (keys.length === 0) return { events: [], next_cursor: null };
  const rows = await store.query(
    `SELECT ${SELECT_COLUMNS.error} FROM errors
     WHERE project_id = {projectId:UInt32} AND toDate(timestamp) IN {days:Array(Date)} AND event_id IN {ids:Array(UUID)}
       AND issue_id = {issueId:String}
     ORDER BY received_at DESC
     LIMIT 1 BY event_id`,
    { projectId, issueId, days: [...new Set(keys.map((key) => key.day))], ids: keys.map((key) => key.id) },
  );
  const events = rows
    .map((row) => rowToEvent('error', row))
    .sort((a, b) => (b.timestamp as number) - (a.timestamp as number) || compareUuidDesc(a, b));
  const last = events[events.length - 1];
  return {
    events,
    next_cursor: keys.length === limit && last ? encodeCursor(last.timestamp as number, last.event_id as string) : null,
  };
}
