/** What an issue alert tells besides the event: counts, users, first seen, top browsers (from ClickHouse). */
import type { Store } from '../store/types.js';

export interface IssueFacts {
  events: number;
  users: number;
  firstSeen: number | null;
  topBrowsers: { name: string; events: number }[];
}

export type IssueFactsReader = (projectId: number, issueId: string) => Promise<IssueFacts>;

export function createIssueFacts(store: Store): IssueFactsReader {
  return async (projectId, issueId) => {
    const params = { projectId, issueId };
    const [[counts], browsers] = await Promise.all([
      store.query<{ events: string | number; users: string | number; first_ms: string | number | null }>(
        `SELECT sum(events) AS events, uniqMerge(users) AS users, toUnixTimestamp64Milli(min(first_seen)) AS first_ms
         FROM issue_counts WHERE project_id = {projectId:UInt32} AND issue_id = {issueId:String}`,
        params,
      ),
      store.query<{ name: string; events: string | number }>(
        `SELECT browser_name AS name, sum(count) AS events FROM errors
         WHERE project_id = {projectId:UInt32} AND issue_id = {issueId:String} AND timestamp >= now() - INTERVAL 14 DAY
         GROUP BY name ORDER BY events DESC LIMIT 3`,
        params,
      ),
    ]);
    return {
      events: Number(counts?.events ?? 0),
      users: Number(counts?.users ?? 0),
      firstSeen: counts?.first_ms ? Number(counts.first_ms) : null,
      topBrowsers: browsers.map((row) => ({ name: row.name, events: Number(row.events) })),
    };
  };
}

/** Events and users of an issue received in a time span (digests: what happened since the last message). */
export async function issueActivity(store: Store, projectId: number, issueId: string, since: number, until: number): Promise<{ events: number; users: number }> {
  const [row] = await store.query<{ events: string | number; users: string | number }>(
    `SELECT sum(count) AS events, uniqExact(if(user_id != '', user_id, session_id)) AS users FROM errors FINAL
     WHERE project_id = {projectId:UInt32} AND issue_id = {issueId:String}
       AND received_at > fromUnixTimestamp64Milli({since:Int64}) AND received_at <= fromUnixTimestamp64Milli({until:Int64})
       AND timestamp >= fromUnixTimestamp64Milli({since:Int64}) - INTERVAL 1 DAY`,
    { projectId, issueId, since, until },
  );
  return { events: Number(row?.events ?? 0), users: Number(row?.users ?? 0) };
}
