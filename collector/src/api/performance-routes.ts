/**
 * GET /api/:projectId/vitals and /navigations — percentiles per group;
 * GET /api/:projectId/vitals/series (p75 per time bucket) and /navigations/series (page loads
 * and route changes per bucket) — for charts; buckets are picked so a range has ≤ 120 of them. Ratings are recomputed
 * here from the value and web.dev's thresholds, not taken from the client.
 */
import type { FastifyInstance } from 'fastify';
import { VITAL_THRESHOLDS } from '../../../protocol/wire.js';
import { projectAccess } from '../auth/bearer.js';
import { projectParams, readQuery, type ReadRoutesOptions } from './events-routes.js';
import { parseTimeRange } from './time-range.js';

/** Group-by choices map to fixed column expressions: nothing the client sends reaches the SQL text. */
const VITAL_GROUPS = { route: 'route', browser: 'browser_name', none: "''" } as const;
const NAVIGATION_GROUPS = { route: 'route', none: "''" } as const;

type Percentiles = { count: number; p50: number; p75: number; p95: number };

const percentiles = (row: { count: string | number; q: number[] }): Percentiles => ({
  count: Number(row.count),
  p50: row.q[0],
  p75: row.q[1],
  p95: row.q[2],
});

/** Bucket widths a chart can label: 1, 5, 15, 30 minutes, 1, 3, 6, 12 hours, 1 day. */
const STEPS_S = [60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400];
export const bucketSeconds = (since: number, until: number) => STEPS_S.find((step) => (until - since) / 1000 / step <= 120) ?? 86400;

export async function performanceRoutes(app: FastifyInstance, { store, authenticate }: ReadRoutesOptions): Promise<void> {
  const guard = projectAccess(authenticate);

  app.get<{ Params: { projectId: number }; Querystring: { metric: keyof typeof VITAL_THRESHOLDS; groupBy: keyof typeof VITAL_GROUPS; since?: string; until?: string } }>(
    '/api/:projectId/vitals',
    {
      schema: {
        params: projectParams,
        querystring: readQuery({
          metric: { type: 'string', enum: Object.keys(VITAL_THRESHOLDS), default: 'LCP' },
          groupBy: { type: 'string', enum: Object.keys(VITAL_GROUPS), default: 'route' },
        }),
      },
      onRequest: guard,
    },
    async (request) => {
      const { metric, groupBy } = request.query;
      const { since, until } = parseTimeRange(request.query);
      const [good, poor] = VITAL_THRESHOLDS[metric];
      const rows = await store.query<{ group: string; count: string; q: number[]; good: string; ni: string; poor: string }>(
        `SELECT ${VITAL_GROUPS[groupBy]} AS group, count() AS count,
                quantiles(0.5, 0.75, 0.95)(value) AS q,
                countIf(value <= {good:Float64}) AS good,
                countIf(value > {good:Float64} AND value <= {poor:Float64}) AS ni,
                countIf(value > {poor:Float64}) AS poor
         FROM vitals FINAL
         WHERE project_id = {projectId:UInt32} AND name = {metric:String}
           AND timestamp >= fromUnixTimestamp64Milli({since:Int64}) AND timestamp < fromUnixTimestamp64Milli({until:Int64})
         GROUP BY group ORDER BY count DESC, group LIMIT 1000`,
        { projectId: request.params.projectId, metric, good, poor, since, until },
      );
      return {
        metric,
        groupBy,
        since,
        until,
        thresholds: { good, poor },
        groups: rows.map((row) => {
          const count = Number(row.count);
          return {
            ...(groupBy === 'none' ? {} : { [groupBy]: row.group }),
            ...percentiles(row),
            good: Number(row.good) / count,
            needs_improvement: Number(row.ni) / count,
            poor: Number(row.poor) / count,
          };
        }),
      };
    },
  );

  app.get<{ Params: { projectId: number }; Querystring: { metric: keyof typeof VITAL_THRESHOLDS; since?: string; until?: string } }>('/api/:projectId/vitals/series', {
    schema: { params: projectParams, querystring: readQuery({ metric: { type: 'string', enum: Object.keys(VITAL_THRESHOLDS), default: 'LCP' } }) },
    onRequest: guard,
  }, async (request) => {
    const { metric } = request.query;
    const { since, until } = parseTimeRange(request.query);
    const step = bucketSeconds(since, until);
    const rows = await store.query<{ t: string | number; count: string; p75: number }>(
      `SELECT toUnixTimestamp(toStartOfInterval(timestamp, INTERVAL {step:UInt32} SECOND)) * 1000 AS t, count() AS count, quantile(0.75)(value) AS p75
       FROM vitals FINAL
       WHERE project_id = {projectId:UInt32} AND name = {metric:String}
         AND timestamp >= fromUnixTimestamp64Milli({since:Int64}) AND timestamp < fromUnixTimestamp64Milli({until:Int64})
       GROUP BY t ORDER BY t`,
      { projectId: request.params.projectId, metric, step, since, until },
    );
    const [good, poor] = VITAL_THRESHOLDS[metric];
    return { metric, since, until, step_ms: step * 1000, thresholds: { good, poor }, points: rows.map((row) => ({ t: Number(row.t), p75: row.p75, count: Number(row.count) })) };
  });

  app.get<{ Params: { projectId: number }; Querystring: { since?: string; until?: string } }>('/api/:projectId/navigations/series', {
    schema: { params: projectParams, querystring: readQuery({}) },
    onRequest: guard,
  }, async (request) => {
    const { since, until } = parseTimeRange(request.query);
    const step = bucketSeconds(since, until);
    const rows = await store.query<{ t: string | number; loads: string; routes: string }>(
      `SELECT toUnixTimestamp(toStartOfInterval(timestamp, INTERVAL {step:UInt32} SECOND)) * 1000 AS t,
              countIf(type = 'load') AS loads, countIf(type = 'route') AS routes
       FROM navigations FINAL
       WHERE project_id = {projectId:UInt32}
         AND timestamp >= fromUnixTimestamp64Milli({since:Int64}) AND timestamp < fromUnixTimestamp64Milli({until:Int64})
       GROUP BY t ORDER BY t`,
      { projectId: request.params.projectId, step, since, until },
    );
    return { since, until, step_ms: step * 1000, points: rows.map((row) => ({ t: Number(row.t), page_loads: Number(row.loads), route_changes: Number(row.routes) })) };
  });

  app.get<{ Params: { projectId: number }; Querystring: { groupBy: keyof typeof NAVIGATION_GROUPS; since?: string; until?: string } }>(
    '/api/:projectId/navigations',
    {
      schema: {
        params: projectParams,
        querystring: readQuery({ groupBy: { type: 'string', enum: Object.keys(NAVIGATION_GROUPS), default: 'route' } }),
      },
      onRequest: guard,
    },
    async (request) => {
      const { groupBy } = request.query;
      const { since, until } = parseTimeRange(request.query);
      const rows = await store.query<{ group: string; type: 'load' | 'route'; count: string; q: number[] }>(
        `SELECT ${NAVIGATION_GROUPS[groupBy]} AS group, type, count() AS count, quantiles(0.5, 0.75, 0.95)(duration) AS q
         FROM navigations FINAL
         WHERE project_id = {projectId:UInt32}
           AND timestamp >= fromUnixTimestamp64Milli({since:Int64}) AND timestamp < fromUnixTimestamp64Milli({until:Int64})
         GROUP BY group, type ORDER BY group, type LIMIT 2000`,
        { projectId: request.params.projectId, since, until },
      );
      const groups = new Map<string, { page_load: Percentiles | null; route_change: Percentiles | null }>();
      for (const row of rows) {
        const entry = groups.get(row.group) ?? { page_load: null, route_change: null };
        entry[row.type === 'load' ? 'page_load' : 'route_change'] = percentiles(row);
        groups.set(row.group, entry);
      }
      return {
        groupBy,
        since,
        until,
        groups: [...groups].map(([group, split]) => ({ ...(groupBy === 'none' ? {} : { route: group }), ...split })),
      };
    },
  );
}

