/**
 * Issue state (status, first event, resolution) in ClickHouse's `issues` table: one row per
 * issue, the row with the newest `updated_at` wins. Counts do not live here: they come from
 * the `issue_counts` materialised view (issue-queries.ts).
 *
 * Each collector keeps recently used issues in memory. Entries expire after `ttlMs`, so a
 * status changed through another collector on the same ClickHouse is seen within that time.
 */
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/types.js';

export const ISSUE_STATUSES = ['unresolved', 'resolved', 'resolved_in_release', 'ignored'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

export interface IssueRecord {
  projectId: number;
  issueId: string;
  fingerprint: string;
  grouping: string[];
  groupingKind: string;
  title: string;
  culprit: string;
  type: string;
  firstSeen: number;
  firstRelease: string;
  firstEventId: string;
  status: IssueStatus;
  resolvedInRelease: string;
  statusChangedAt: number;
  /** The event that last reopened the issue ('' when it never regressed). */
  regressionEventId: string;
  updatedAt: number;
}

export interface IssueStore {
  /**
   * The issues among `ids` that exist (from memory, else one query). `fresh`: from ClickHouse
   * whatever is in memory — another collector may have changed their status since.
   */
  load(projectId: number, ids: string[], options?: { fresh?: boolean }): Promise<Map<string, IssueRecord>>;
  save(records: IssueRecord[]): Promise<void>;
  /** Changes the status; null when the issue does not exist. */
  setStatus(projectId: number, issueId: string, status: IssueStatus, resolvedInRelease?: string): Promise<IssueRecord | null>;
}

/** The columns `issueFromRow` reads, each optionally qualified by a table alias. */
export function issueColumns(alias = ''): string {
  const t = alias ? `${alias}.` : '';
  return `${t}project_id AS project_id, ${t}issue_id AS issue_id, ${t}fingerprint AS fingerprint, ${t}grouping AS grouping,
  ${t}grouping_kind AS grouping_kind, ${t}title AS title, ${t}culprit AS culprit, ${t}type AS type,
  toUnixTimestamp64Milli(${t}first_seen) AS first_seen_ms, ${t}first_release AS first_release, ${t}first_event_id AS first_event_id,
  ${t}status AS status, ${t}resolved_in_release AS resolved_in_release,
  toUnixTimestamp64Milli(${t}status_changed_at) AS status_changed_ms, ${t}regression_event_id AS regression_event_id,
  toUnixTimestamp64Milli(${t}updated_at) AS updated_ms`;
}

export interface IssueRow {
  project_id: number;
  issue_id: string;
  fingerprint: string;
  grouping: string[];
  grouping_kind: string;
  title: string;
  culprit: string;
  type: string;
  first_seen_ms: string | number;
  first_release: string;
  first_event_id: string;
  status: IssueStatus;
  resolved_in_release: string;
  status_changed_ms: string | number;
  regression_event_id: string;
  updated_ms: string | number;
}

export const issueFromRow = (row: IssueRow): IssueRecord => ({
  projectId: Number(row.project_id),
  issueId: row.issue_id,
  fingerprint: row.fingerprint,
  grouping: row.grouping,
  groupingKind: row.grouping_kind,
  title: row.title,
  culprit: row.culprit,
  type: row.type,
  firstSeen: Number(row.first_seen_ms),
  firstRelease: row.first_release,
  firstEventId: row.first_event_id,
  status: row.status,
  resolvedInRelease: row.resolved_in_release,
  statusChangedAt: Number(row.status_changed_ms),
  regressionEventId: row.regression_event_id,
  updatedAt: Number(row.updated_ms),
});

const toRow = (record: IssueRecord) => ({
  project_id: record.projectId,
  issue_id: record.issueId,
  fingerprint: record.fingerprint,
  grouping: record.grouping,
  grouping_kind: record.groupingKind,
  title: record.title,
  culprit: record.culprit,
  type: record.type,
  first_seen: record.firstSeen,
  first_release: record.firstRelease,
  first_event_id: record.firstEventId,
  status: record.status,
  resolved_in_release: record.resolvedInRelease,
  status_changed_at: record.statusChangedAt,
  regression_event_id: record.regressionEventId,
  updated_at: record.updatedAt,
});

export function createIssueStore(store: Store, options: { ttlMs?: number; maxEntries?: number } = {}): IssueStore {
  const cache = new LRUCache<string, IssueRecord>({ max: options.maxEntries ?? 50_000, ttl: options.ttlMs ?? 10_000 });
  const key = (projectId: number, issueId: string) => `${projectId}:${issueId}`;

  async function load(projectId: number, ids: string[], options: { fresh?: boolean } = {}): Promise<Map<string, IssueRecord>> {
    const found = new Map<string, IssueRecord>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = options.fresh ? undefined : cache.get(key(projectId, id));
      if (cached) found.set(id, cached);
      else missing.push(id);
    }
    if (missing.length) {
      const rows = await store.query<IssueRow>(
        `SELECT ${issueColumns()} FROM issues FINAL WHERE project_id = {projectId:UInt32} AND issue_id IN {ids:Array(String)}`,
        { projectId, ids: missing },
      );
      for (const row of rows) {
        const record = issueFromRow(row);
        cache.set(key(projectId, record.issueId), record);
        found.set(record.issueId, record);
      }
    }
    return found;
  }

  async function save(records: IssueRecord[]): Promise<void> {
    if (!records.length) return;
    await store.insert('issues', records.map(toRow));
    for (const record of records) cache.set(key(record.projectId, record.issueId), record);
  }

  return {
    load,
    save,
    async setStatus(projectId, issueId, status, resolvedInRelease = '') {
      cache.delete(key(projectId, issueId));
      const current = (await load(projectId, [issueId])).get(issueId);
      if (!current) return null;
      const now = Date.now();
      const next: IssueRecord = {
        ...current,
        status,
        resolvedInRelease: status === 'resolved_in_release' ? resolvedInRelease : '',
        statusChangedAt: now,
        // Strictly newer than the row it replaces, whatever the clocks of other collectors said.
        updatedAt: Math.max(now, current.updatedAt + 1),
      };
      await save([next]);
      return next;
    },
  };
}
