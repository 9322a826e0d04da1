/**
 * GET /api/:projectId/releases?since=&until= — per release: first and last seen, sessions,
 * page views, errors, error rate (errors per page view), new issues (issues first seen in it),
 * and source-map coverage (share of its error frames that were mapped).
 * Over the time range (default: the last 30 days); a handful of grouped reads, newest release first.
 */
import type { FastifyInstance } from 'fastify';
import { type Authenticate, projectAccess } from '../auth/bearer.js';
import type { Store } from '../store/types.js';
import { projectParams, readQuery } from './events-routes.js';
import { parseTimeRange } from './time-range.js';

export interface ReleasesRoutesOptions {
  store: Store;
  authenticate: Authenticate;
}

const DEFAULT_WINDOW_MS = 30 * 24 * 3600_000;
type N = string | number;

export async function releasesRoutes(app: FastifyInstance, { store, authenticate }: ReleasesRoutesOptions): Promise<void> {
  app.get<{ Params: { projectId: number }; Querystring: { since?: string; until?: string; limit?: number } }>('/api/:projectId/releases', {
    schema: { params: projectParams, querystring: readQuery({ limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }) },
    onRequest: projectAccess(authenticate),
  }, async (request) => {
    const { projectId } = request.params;
    const now = Date.now();
    const { since, until } = parseTimeRange({ since: request.query.since ?? String(now - DEFAULT_WINDOW_MS), until: request.query.until }, now);
    const params = { projectId, since, until };
    // From the hourly `release_counts` rollup (filled from errors and navigations by materialised
    // views): the hours from the one holding `since` up to the one holding `until`, as the issue
    // counts are read. It never scans the events (10 M errors took seconds).
    const [activity, fresh] = await Promise.all([
      store.query<{ release: string; first_ms: N; last_ms: N; sessions: N; page_views: N; errors: N; frames: N; mapped: N }>(
        `SELECT release, toUnixTimestamp64Milli(min(first_seen)) AS first_ms, toUnixTimestamp64Milli(max(last_seen)) AS last_ms,
                uniqMerge(sessions) AS sessions, sum(page_views) AS page_views, sum(errors) AS errors, sum(frames) AS frames, sum(mapped) AS mapped
         FROM release_counts
         WHERE project_id = {projectId:UInt32}
           AND hour >= toStartOfHour(fromUnixTimestamp64Milli({since:Int64}, 'UTC')) AND hour < fromUnixTimestamp64Milli({until:Int64}, 'UTC')
         GROUP BY release`,
        params,
      ),
      store.query<{ release: string; new_issues: N }>(
        `SELECT first_release AS release, count() AS new_issues FROM issues FINAL
         WHERE project_id = {projectId:UInt32} AND first_seen >= fromUnixTimestamp64Milli({since:Int64}) AND first_seen < fromUnixTimestamp64Milli({until:Int64})
         GROUP BY first_release`,
        params,
      ),
    ]);
    const errors = activity.filter((row) => Number(row.errors) > 0);
    const errorsOf = new Map(errors.map((row) => [row.release, row]));
    const freshOf = new Map(fresh.map((row) => [row.release, Number(row.new_issues)]));
    const releases = activity
      .map((row) => {
        const e = errorsOf.get(row.release);
        const pageViews = Number(row.page_views);
        const errorCount = Number(e?.errors ?? 0);
        const frames = Number(e?.frames ?? 0);
        return {
          release: row.release || null,
          first_seen: Number(row.first_ms),
          last_seen: Number(row.last_ms),
          sessions: Number(row.sessions),
          page_views: pageViews,
          errors: errorCount,
          error_rate: pageViews ? errorCount / pageViews : null,
          new_issues: freshOf.get(row.release) ?? 0,
          source_maps: { frames, mapped: Number(e?.mapped ?? 0), coverage: frames ? Number(e?.mapped ?? 0) / frames : null },
        };
      })
      .sort((a, b) => b.first_seen - a.first_seen)
      .slice(0, request.query.limit ?? 100);
    return { releases };
  });
}
