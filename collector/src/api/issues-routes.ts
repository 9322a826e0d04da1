/**
 * Issues of a project:
 *   GET   /api/:projectId/issues?status=&release=&environment=&browser=&q=&sort=last_seen|events|users|first_seen&cursor=&limit=&since=&until=
 *         (each issue with `sparkline_24h`: events per hour over the last 24 hours, oldest first)
 *   GET   /api/issues/:id/project                which of the caller's projects has this issue (deep links)
 *   PATCH /api/:projectId/issues                 { ids: [...], status, release? }   (bulk)
 *   GET   /api/:projectId/issues/:id             issue, counts, latest event (symbolicated), breakdowns
 *   GET   /api/:projectId/issues/:id/events
 *   PATCH /api/:projectId/issues/:id             { status, release? }
 * Counts come from the rollups kept by materialised views (`issue_counts` per hour, `issue_daily`
 * per day, release and environment, `issue_days` per day), never from a scan of the errors table;
 * issue state from `issues`. In the list, users and sessions count the whole days the range
 * touches (daily sketches, ~1.6 % error); events and first/last seen are exact to the hour.
 * An issue's events: keys from `issue_events`, rows from `errors` by primary key.
 */
import type { FastifyInstance } from 'fastify';
import { type Authenticate, projectAccess } from '../auth/bearer.js';
import { ISSUE_STATUSES, issueColumns, issueFromRow, type IssueRecord, type IssueRow, type IssueStatus, type IssueStore } from '../issues/issue-store.js';
import { httpError } from '../server/http-error.js';
import type { Store } from '../store/types.js';
import { listIssueEvents, projectParams, readQuery, type EventsQuery } from './events-routes.js';
import type { ContextStore } from '../symbolicate/context-store.js';
import { SELECT_COLUMNS, rowToEvent } from './event-rows.js';
import { attachContexts } from './frame-contexts.js';
import { parseTimeRange } from './time-range.js';

export interface IssuesRoutesOptions {
  store: Store;
  issues: IssueStore;
  contexts: ContextStore;
  authenticate: Authenticate;
}

const SORTS = ['last_seen', 'first_seen', 'events', 'users'] as const;
type Sort = (typeof SORTS)[number];
/** Issues are listed over two weeks unless told otherwise (as Sentry does). */
const DEFAULT_LIST_WINDOW_MS = 14 * 24 * 3600_000;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const issueIdSchema = { type: 'string', pattern: '^[0-9a-f]{16}$' };

interface ListQuery {
  status?: IssueStatus;
  release?: string;
  environment?: string;
  browser?: string;
  q?: string;
  sort?: Sort;
  cursor?: string;
  limit?: number;
  since?: string;
  until?: string;
}

interface CountsRow {
  issue_id: string;
  events: string | number;
  users: string | number;
  sessions: string | number;
  first_ms: string | number;
  last_ms: string | number;
}

const counts = (row: CountsRow) => ({
  events: Number(row.events),
  users: Number(row.users),
  sessions: Number(row.sessions),
  first_seen_in_range: Number(row.first_ms),
  last_seen: Number(row.last_ms),
});

function issueJson(record: IssueRecord) {
  return {
    id: record.issueId,
    title: record.title,
    culprit: record.culprit,
    type: record.type,
    status: record.status,
    resolved_in_release: record.resolvedInRelease || null,
    first_seen: record.firstSeen,
    first_release: record.firstRelease || null,
    status_changed_at: record.statusChangedAt,
    regressed: record.regressionEventId !== '',
    grouping: { kind: record.groupingKind, parts: record.grouping },
  };
}

const SORT_EXPRESSION: Record<Sort, string> = {
  last_seen: 'toUnixTimestamp64Milli(c.last_seen)',
  first_seen: 'toUnixTimestamp64Milli(i.first_seen)',
  events: 'c.events',
  users: 'u.users',
};

function encodeCursor(value: number, id: string): string {
  return Buffer.from(`${value}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { value: number; id: string } {
  const [value, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!/^\d+$/.test(value ?? '') || !/^[0-9a-f]{16}$/.test(id ?? '')) throw httpError(400, '"cursor" is not one this API returned');
  return { value: Number(value), id };
}

/** Events per hour over the 24 hours up to `now` (the current hour last), for each issue. */
async function hourlyEvents(store: Store, projectId: number, issueIds: string[], now: number): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  if (issueIds.length === 0) return result;
  const currentHour = Math.floor(now / 3600_000) * 3600_000;
  const rows = await store.query<{ issue_id: string; hour_ms: string | number; events: string | number }>(
    `SELECT issue_id, toUnixTimestamp64Milli(toDateTime64(hour, 3)) AS hour_ms, sum(events) AS events
     FROM issue_counts
     WHERE project_id = {projectId:UInt32} AND issue_id IN {ids:Array(String)}
       AND hour >= fromUnixTimestamp64Milli({from:Int64})
     GROUP BY issue_id, hour`,
    { projectId, ids: issueIds, from: currentHour - 23 * 3600_000 },
  );
  for (const row of rows) {
    const slot = 23 - Math.round((currentHour - Number(row.hour_ms)) / 3600_000);
    if (slot < 0 || slot > 23) continue;
    const series = result.get(row.issue_id) ?? new Array(24).fill(0);
    series[slot] += Number(row.events);
    result.set(row.issue_id, series);
  }
  return result;
}

export async function issuesRoutes(app: FastifyInstance, { store, issues, contexts, authenticate }: IssuesRoutesOptions): Promise<void> {
  const access = projectAccess(authenticate);
  const issueParams = { type: 'object', required: ['projectId', 'id'], properties: { ...projectParams.properties, id: issueIdSchema } } as const;
  const statusBody = {
    status: { type: 'string', enum: ISSUE_STATUSES },
    release: { type: 'string', maxLength: 200 },
  };

  app.get<{ Params: { projectId: number }; Querystring: ListQuery }>('/api/:projectId/issues', {
    schema: {
      params: projectParams,
      querystring: readQuery({
        status: { type: 'string', enum: ISSUE_STATUSES },
        release: { type: 'string', maxLength: 200 },
        environment: { type: 'string', maxLength: 200 },
        browser: { type: 'string', maxLength: 100 },
        q: { type: 'string', maxLength: 200 },
        sort: { type: 'string', enum: SORTS, default: 'last_seen' },
        cursor: { type: 'string', maxLength: 200 },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      }),
    },
    onRequest: access,
  }, async (request) => {
    const { projectId } = request.params;
    const query = request.query;
    const now = Date.now();
    const { since, until } = parseTimeRange({ since: query.since ?? String(now - DEFAULT_LIST_WINDOW_MS), until: query.until }, now);
    const sort = query.sort ?? 'last_seen';
    const limit = query.limit ?? 50;
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const sinceHour = Math.floor(since / HOUR_MS) * HOUR_MS;
    const firstDay = Math.ceil(sinceHour / DAY_MS) * DAY_MS;
    const endDay = Math.floor((until + HOUR_MS - 1) / DAY_MS) * DAY_MS;
    const daily = endDay > firstDay;
    // Users and sessions count the whole days the range touches (from the day of `since` to the
    // end of the day of `until`): they come from the daily sketches alone, never from the hourly
    // states at the ends. Events and first/last seen stay exact to the hour.
    const outerFirstDay = Math.floor(since / DAY_MS) * DAY_MS;
    const outerEndDay = Math.ceil(until / DAY_MS) * DAY_MS;
    const params = {
      projectId, since, until, limit, sinceHour, firstDay, endDay, outerFirstDay, outerEndDay,
      release: query.release ?? '', environment: query.environment ?? '', browser: query.browser ?? '', status: query.status ?? '', q: query.q ?? '',
      afterValue: after?.value ?? 0, afterId: after?.id ?? '',
    };
    // Per release and environment only when the list is filtered by them; else one row per issue and day.
    const byRelease = query.release !== undefined || query.environment !== undefined;
    const dayTable = byRelease ? 'issue_daily' : 'issue_days';
    // The range is read from the daily rollup for the whole days inside it and from the hourly
    // `issue_counts` for the hours at either end (one GROUP BY over both). The hours counted are
    // those of the hourly view: from the hour of `since` up to the hour holding `until`.
    const filters = `${query.release !== undefined ? 'AND release = {release:String}' : ''}
           ${query.environment !== undefined ? 'AND environment = {environment:String}' : ''}
           ${query.browser !== undefined ? `AND issue_id IN (
             SELECT issue_id FROM issue_breakdowns
             WHERE project_id = {projectId:UInt32} AND dimension = 'browser' AND key = {browser:String}
               AND hour >= fromUnixTimestamp64Milli({sinceHour:Int64}) AND hour < fromUnixTimestamp64Milli({until:Int64}))` : ''}`;
    const ranged = (columns: string, extra = '') => `
         SELECT ${columns} FROM issue_counts
         WHERE project_id = {projectId:UInt32}
           AND hour >= fromUnixTimestamp64Milli({sinceHour:Int64}) AND hour < fromUnixTimestamp64Milli({until:Int64})
           ${daily ? 'AND (hour < fromUnixTimestamp64Milli({firstDay:Int64}) OR hour >= fromUnixTimestamp64Milli({endDay:Int64}))' : ''}
           ${filters} ${extra}
         ${daily ? `UNION ALL
         SELECT ${columns} FROM ${dayTable}
         WHERE project_id = {projectId:UInt32}
           AND day >= toDate(fromUnixTimestamp64Milli({firstDay:Int64}, 'UTC')) AND day < toDate(fromUnixTimestamp64Milli({endDay:Int64}, 'UTC'))
           ${filters} ${extra}` : ''}`;
    const uniques = (extra = '') => `
         SELECT issue_id, uniqCombinedMerge(12)(users) AS users, uniqCombinedMerge(12)(sessions) AS sessions FROM ${dayTable}
         WHERE project_id = {projectId:UInt32}
           AND day >= toDate(fromUnixTimestamp64Milli({outerFirstDay:Int64}, 'UTC')) AND day < toDate(fromUnixTimestamp64Milli({outerEndDay:Int64}, 'UTC'))
           ${filters} ${extra}
         GROUP BY issue_id`;
    // Two steps: the page's issues in order, then the counts of those issues only.
    const page = await store.query<{ issue_id: string; sort_value: string | number }>(
      `SELECT c.issue_id AS issue_id, ${SORT_EXPRESSION[sort]} AS sort_value
       FROM (
         SELECT issue_id, sum(events) AS events, max(last_seen) AS last_seen
         FROM (${ranged('issue_id, events, last_seen')})
         GROUP BY issue_id
       ) AS c
       ${sort === 'users' ? `INNER JOIN (${uniques()}) AS u ON u.issue_id = c.issue_id` : ''}
       INNER JOIN (
         SELECT issue_id, first_seen FROM issues FINAL
         WHERE project_id = {projectId:UInt32}
           ${query.status ? 'AND status = {status:String}' : ''}
           ${query.q ? 'AND (positionCaseInsensitiveUTF8(title, {q:String}) > 0 OR positionCaseInsensitiveUTF8(culprit, {q:String}) > 0 OR issue_id = {q:String})' : ''}
       ) AS i ON i.issue_id = c.issue_id
       ${after ? 'WHERE (sort_value, c.issue_id) < ({afterValue:Int64}, {afterId:String})' : ''}
       ORDER BY sort_value DESC, issue_id DESC
       LIMIT {limit:UInt32}`,
      params,
    );
    const ids = page.map((row) => row.issue_id);
    const details = ids.length
      ? await store.query<IssueRow & CountsRow>(
          `SELECT ${issueColumns('i')},
                  c.events AS events, u.users AS users, u.sessions AS sessions,
                  toUnixTimestamp64Milli(c.first_seen) AS first_ms, toUnixTimestamp64Milli(c.last_seen) AS last_ms
           FROM (
             SELECT issue_id, sum(events) AS events, min(first_seen) AS first_seen, max(last_seen) AS last_seen
             FROM (${ranged('issue_id, events, first_seen, last_seen', 'AND issue_id IN {ids:Array(String)}')})
             GROUP BY issue_id
           ) AS c
           LEFT JOIN (${uniques('AND issue_id IN {ids:Array(String)}')}) AS u ON u.issue_id = c.issue_id
           INNER JOIN (SELECT * FROM issues FINAL WHERE project_id = {projectId:UInt32} AND issue_id IN {ids:Array(String)}) AS i ON i.issue_id = c.issue_id`,
          { ...params, ids },
        )
      : [];
    const byId = new Map(details.map((row) => [row.issue_id, row]));
    const rows = page.flatMap((entry) => {
      const row = byId.get(entry.issue_id);
      return row ? [{ ...row, sort_value: entry.sort_value }] : [];
    });
    const last = rows[rows.length - 1];
    const sparklines = await hourlyEvents(store, projectId, rows.map((row) => row.issue_id), now);
    return {
      issues: rows.map((row) => ({ ...issueJson(issueFromRow(row)), ...counts(row), sparkline_24h: sparklines.get(row.issue_id) ?? new Array(24).fill(0) })),
      next_cursor: rows.length === limit && last ? encodeCursor(Number(last.sort_value), last.issue_id) : null,
    };
  });

  // Alert links and shared links name the issue only; the dashboard asks which project has it.
  app.get<{ Params: { id: string } }>('/api/issues/:id/project', {
    schema: { params: { type: 'object', required: ['id'], properties: { id: issueIdSchema } } },
  }, async (request) => {
    const access = authenticate(request);
    const rows = await store.query<{ project_id: number }>(
      'SELECT DISTINCT project_id FROM issues WHERE issue_id = {id:String} ORDER BY project_id',
      { id: request.params.id },
    );
    const visible = rows.map((row) => Number(row.project_id)).filter((projectId) => access.admin || projectId === access.projectId);
    if (visible.length === 0) throw httpError(404, `no issue ${request.params.id} in the projects this sign-in opens`);
    return { issue_id: request.params.id, project_id: visible[0], project_ids: visible };
  });

  app.get<{ Params: { projectId: number; id: string } }>('/api/:projectId/issues/:id', { schema: { params: issueParams }, onRequest: access }, async (request) => {
    const { projectId, id } = request.params;
    const record = (await issues.load(projectId, [id])).get(id);
    if (!record) throw httpError(404, `project ${projectId} has no issue ${id}`);
    // All-time counts from the daily rollup (the same states as the hourly view, ~24 times fewer rows).
    const rows = await store.query<CountsRow & { release: string; environment: string; latest_id: string; is_total: number }>(
      `SELECT release, environment, sum(events) AS events, uniqCombinedMerge(12)(users) AS users, uniqCombinedMerge(12)(sessions) AS sessions,
              toUnixTimestamp64Milli(min(first_seen)) AS first_ms, toUnixTimestamp64Milli(max(last_seen)) AS last_ms,
              toString(argMaxMerge(latest_event)) AS latest_id, grouping(release, environment) = 3 AS is_total
       FROM issue_daily WHERE project_id = {projectId:UInt32} AND issue_id = {id:String}
       GROUP BY GROUPING SETS ((release, environment), ())
       ORDER BY last_ms DESC`,
      { projectId, id },
    );
    // As a plain aggregate over no rows answered before: zeros.
    const total = rows.find((row) => Number(row.is_total)) ?? { issue_id: id, events: 0, users: 0, sessions: 0, first_ms: 0, last_ms: 0, latest_id: '' };
    const perRelease = rows.filter((row) => !Number(row.is_total));
    const lastSeen = Number(total.last_ms);
    // The latest event by primary key: (project, day of last seen, its id, kept by argMax in the rollup).
    let latestRows: Record<string, unknown>[] = [];
    if (lastSeen && total.latest_id) {
      latestRows = await store.query(
        `SELECT ${SELECT_COLUMNS.error} FROM errors FINAL
         WHERE project_id = {projectId:UInt32} AND toDate(timestamp) = toDate(fromUnixTimestamp64Milli({lastSeen:Int64}, 'UTC'))
           AND event_id = toUUID({latestId:String}) AND issue_id = {id:String}
         LIMIT 1`,
        { projectId, id, lastSeen, latestId: total.latest_id },
      );
    }
    // Breakdowns over the last two weeks of the issue, from the rollup per hour (the range starts
    // at the hour of `since`), all five in one read of the issue's rows of each dimension.
    const since = Math.max(record.firstSeen, lastSeen - DEFAULT_LIST_WINDOW_MS);
    const parts = await store.query<{ dimension: string; tag_key: string; value: string; events: string | number }>(
          `SELECT dimension, if(dimension = 'tag', key, '') AS tag_key, value, sum(events) AS events
           FROM issue_breakdowns
           WHERE project_id = {projectId:UInt32} AND dimension IN ('browser', 'os', 'environment', 'route', 'tag') AND issue_id = {id:String}
             AND hour >= toStartOfHour(fromUnixTimestamp64Milli({since:Int64}, 'UTC'))
           GROUP BY dimension, tag_key, value
           ORDER BY dimension, tag_key, events DESC, value LIMIT 10 BY dimension, tag_key`,
          { projectId, id, since },
        );
    const of = (dimension: string) => parts.filter((row) => row.dimension === dimension);
    const [browsers, os, environments, routes] = ['browser', 'os', 'environment', 'route'].map(of);
    const tags = of('tag').map((row) => ({ key: row.tag_key, value: row.value, events: row.events }));
    const latestEvent = latestRows.length ? rowToEvent('error', latestRows[0]) : null;
    if (latestEvent) await attachContexts(contexts, projectId, [latestEvent]);
    const share = (rows: { value: string; events: string | number }[]) => rows.map((row) => ({ value: row.value.trim(), events: Number(row.events) }));
    const tagGroups: Record<string, { value: string; events: number }[]> = {};
    for (const row of tags) (tagGroups[row.key] ??= []).push({ value: row.value, events: Number(row.events) });
    return {
      issue: {
        ...issueJson(record),
        ...counts(total),
        releases: perRelease.map((row) => ({ release: row.release || null, environment: row.environment || null, ...counts(row) })),
      },
      latest_event: latestEvent,
      breakdowns: { browsers: share(browsers), os: share(os), environments: share(environments), routes: share(routes), tags: tagGroups },
    };
  });

  app.get<{ Params: { projectId: number; id: string }; Querystring: EventsQuery }>('/api/:projectId/issues/:id/events', {
    schema: {
      params: issueParams,
      querystring: readQuery({ limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, cursor: { type: 'string', maxLength: 200 } }),
    },
    onRequest: access,
  }, async (request) => {
    const { projectId, id } = request.params;
    const record = (await issues.load(projectId, [id])).get(id);
    if (!record) throw httpError(404, `project ${projectId} has no issue ${id}`);
    const { since, until } = parseTimeRange({ since: request.query.since ?? String(record.firstSeen), until: request.query.until });
    const page = await listIssueEvents(store, projectId, id, { ...request.query, since: String(since), until: String(until) });
    await attachContexts(contexts, projectId, page.events);
    return page;
  });

  /** "Resolved in the next release" without a release named: the newest release the issue was seen in. */
  async function newestRelease(projectId: number, id: string): Promise<string> {
    const [row] = await store.query<{ release: string }>(
      `SELECT release FROM issue_counts WHERE project_id = {projectId:UInt32} AND issue_id = {id:String} AND release != ''
       GROUP BY release ORDER BY max(last_seen) DESC LIMIT 1`,
      { projectId, id },
    );
    return row?.release ?? '';
  }

  async function changeStatus(projectId: number, id: string, status: IssueStatus, release: string | undefined) {
    const resolvedIn = status === 'resolved_in_release' ? (release ?? (await newestRelease(projectId, id))) : undefined;
    const record = await issues.setStatus(projectId, id, status, resolvedIn);
    if (!record) throw httpError(404, `project ${projectId} has no issue ${id}`);
    return issueJson(record);
  }

  app.patch<{ Params: { projectId: number; id: string }; Body: { status: IssueStatus; release?: string } }>('/api/:projectId/issues/:id', {
    schema: { params: issueParams, body: { type: 'object', additionalProperties: false, required: ['status'], properties: statusBody } },
    onRequest: access,
  }, async (request) => ({ issue: await changeStatus(request.params.projectId, request.params.id, request.body.status, request.body.release) }));

  app.patch<{ Params: { projectId: number }; Body: { ids: string[]; status: IssueStatus; release?: string } }>('/api/:projectId/issues', {
    schema: {
      params: projectParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['ids', 'status'],
        properties: { ...statusBody, ids: { type: 'array', minItems: 1, maxItems: 500, uniqueItems: true, items: issueIdSchema } },
      },
    },
    onRequest: access,
  }, async (request) => {
    const { projectId } = request.params;
    const updated = [];
    for (const id of request.body.ids) updated.push(await changeStatus(projectId, id, request.body.status, request.body.release));
    return { issues: updated };
  });
}
