/**
 * Load-test runs in ClickHouse (`load_runs`, `load_run_requests`, schema version 4): saved as
 * the CLI sends them, listed newest first, and the per-request series across runs that the
 * dashboard draws next to the release timeline.
 */
import { createHash } from 'node:crypto';
import type { RequestStats, RunSummary } from '../../../synthetic/src/contract.js';
import type { Store } from '../store/types.js';

export interface LoadRunFilter {
  simulation?: string;
  since?: number;
  until?: number;
  limit: number;
}

export interface LoadRunListItem {
  run_id: string;
  simulation: string;
  label: string | null;
  started_at: number;
  ended_at: number;
  duration_ms: number;
  stop_reason: string;
  requests: number;
  ok: number;
  ko: number;
  /** Failed requests in percent of all requests (0 without requests). */
  ko_percent: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
  rps: number;
  assertions: { passed: number; failed: number };
}

export interface TrendPoint {
  run_id: string;
  label: string | null;
  started_at: number;
  p95: number;
  /** Failed requests / requests, 0..1 (null without requests). */
  error_rate: number | null;
  count: number;
}

/** One request (or group, or the global figures) of one simulation across the listed runs, oldest run first. */
export interface Trend {
  simulation: string;
  kind: 'global' | 'group' | 'request';
  name: string;
  groups: string[];
  points: TrendPoint[];
}

export interface StoredRun {
  run_id: string;
  received_at: number;
  summary: RunSummary;
}

export interface LoadRunStore {
  /** Stores a run; the same summary sent twice is one run (the id is derived from it). */
  save(projectId: number, summary: RunSummary): Promise<string>;
  list(projectId: number, filter: LoadRunFilter): Promise<LoadRunListItem[]>;
  trends(projectId: number, runs: LoadRunListItem[]): Promise<Trend[]>;
  get(projectId: number, runId: string): Promise<StoredRun | undefined>;
}

type N = string | number;

/** 32 hex digits from the project and the summary: a retried POST lands on the same row. */
export const loadRunId = (projectId: number, summaryJson: string) =>
  createHash('sha256').update(`${projectId}\n${summaryJson}`).digest('hex').slice(0, 32);

const statsColumns = (stats: RequestStats) => ({ count: stats.count, ko: stats.ko, p50_ms: stats.p50, p95_ms: stats.p95, p99_ms: stats.p99, mean_ms: stats.mean, max_ms: stats.max, rps: stats.rps });

export function createLoadRunStore(store: Store): LoadRunStore {
  return {
    async save(projectId, summary) {
      const json = JSON.stringify(summary);
      const runId = loadRunId(projectId, json);
      const passed = summary.assertions.filter((assertion) => assertion.passed).length;
      const { global } = summary;
      // Requests first: a run listed is a run whose trends are complete.
      const requestRows = [
        { kind: 'global', stats: global },
        ...summary.groups.map((stats) => ({ kind: 'group', stats })),
        ...summary.requests.map((stats) => ({ kind: 'request', stats })),
      ].map(({ kind, stats }, position) => ({ project_id: projectId, run_id: runId, kind, position, name: stats.name, groups: stats.groups, ...statsColumns(stats) }));
      await store.insert('load_run_requests', requestRows, { dedupToken: `load-run-requests-${runId}` });
      await store.insert('load_runs', [
        {
          project_id: projectId,
          run_id: runId,
          started_at: summary.startedAt,
          ended_at: summary.endedAt,
          duration_ms: summary.durationMs,
          simulation: summary.simulation,
          label: summary.label ?? '',
          stop_reason: summary.stopReason,
          requests: global.count,
          ok: global.ok,
          ko: global.ko,
          min_ms: global.min,
          p50_ms: global.p50,
          p75_ms: global.p75,
          p95_ms: global.p95,
          p99_ms: global.p99,
          mean_ms: global.mean,
          max_ms: global.max,
          rps: global.rps,
          assertions_passed: passed,
          assertions_failed: summary.assertions.length - passed,
          summary: json,
          received_at: Date.now(),
        },
      ]);
      return runId;
    },

    async list(projectId, { simulation, since, until, limit }) {
      const rows = await store.query<Record<string, N>>(
        `SELECT run_id, simulation, label, toUnixTimestamp64Milli(started_at) AS started_ms, toUnixTimestamp64Milli(ended_at) AS ended_ms,
                duration_ms, stop_reason, requests, ok, ko, p50_ms, p95_ms, p99_ms, mean_ms, max_ms, rps, assertions_passed, assertions_failed
         FROM load_runs FINAL
         WHERE project_id = {projectId:UInt32}
           ${simulation !== undefined ? 'AND simulation = {simulation:String}' : ''}
           ${since !== undefined ? 'AND started_at >= fromUnixTimestamp64Milli({since:Int64})' : ''}
           ${until !== undefined ? 'AND started_at < fromUnixTimestamp64Milli({until:Int64})' : ''}
         ORDER BY started_at DESC, run_id DESC LIMIT {limit:UInt32}`,
        { projectId, simulation: simulation ?? '', since: since ?? 0, until: until ?? 0, limit },
      );
      return rows.map((row) => {
        const requests = Number(row.requests);
        const ko = Number(row.ko);
        return {
          run_id: String(row.run_id),
          simulation: String(row.simulation),
          label: row.label === '' ? null : String(row.label),
          started_at: Number(row.started_ms),
          ended_at: Number(row.ended_ms),
          duration_ms: Number(row.duration_ms),
          stop_reason: String(row.stop_reason),
          requests,
          ok: Number(row.ok),
          ko,
          ko_percent: requests ? (ko / requests) * 100 : 0,
          p50: Number(row.p50_ms),
          p95: Number(row.p95_ms),
          p99: Number(row.p99_ms),
          mean: Number(row.mean_ms),
          max: Number(row.max_ms),
          rps: Number(row.rps),
          assertions: { passed: Number(row.assertions_passed), failed: Number(row.assertions_failed) },
        };
      });
    },

    async trends(projectId, runs) {
      if (runs.length === 0) return [];
      const rows = await store.query<{ run_id: string; kind: Trend['kind']; name: string; groups: string[]; count: N; ko: N; p95_ms: N }>(
        `SELECT run_id, kind, name, groups, count, ko, p95_ms FROM load_run_requests FINAL
         WHERE project_id = {projectId:UInt32} AND run_id IN {runIds:Array(String)}
         ORDER BY kind, position`,
        { projectId, runIds: runs.map((run) => run.run_id) },
      );
      const runOf = new Map(runs.map((run) => [run.run_id, run]));
      const trends = new Map<string, Trend>();
      for (const row of rows) {
        const run = runOf.get(row.run_id)!;
        const key = JSON.stringify([run.simulation, row.kind, row.groups, row.name]);
        let trend = trends.get(key);
        if (!trend) trends.set(key, (trend = { simulation: run.simulation, kind: row.kind, name: row.name, groups: row.groups, points: [] }));
        const requests = Number(row.count);
        trend.points.push({ run_id: run.run_id, label: run.label, started_at: run.started_at, p95: Number(row.p95_ms), error_rate: requests ? Number(row.ko) / requests : null, count: requests });
      }
      const kindOrder = { global: 0, group: 1, request: 2 };
      return [...trends.values()]
        .map((trend) => ({ ...trend, points: trend.points.sort((a, b) => a.started_at - b.started_at || a.run_id.localeCompare(b.run_id)) }))
        .sort((a, b) => a.simulation.localeCompare(b.simulation) || kindOrder[a.kind] - kindOrder[b.kind]);
    },

    async get(projectId, runId) {
      const [row] = await store.query<{ run_id: string; received_ms: N; summary: string }>(
        `SELECT run_id, toUnixTimestamp64Milli(received_at) AS received_ms, summary FROM load_runs FINAL
         WHERE project_id = {projectId:UInt32} AND run_id = {runId:String} LIMIT 1`,
        { projectId, runId },
      );
      return row ? { run_id: row.run_id, received_at: Number(row.received_ms), summary: JSON.parse(row.summary) as RunSummary } : undefined;
    },
  };
}
