/**
 * Schema v5's rollups (`issue_daily`, `issue_days`, `issue_events`, `issue_breakdowns`, `release_counts`) agree with direct
 * counts over `errors` / `navigations`: after the migration's backfill of rows stored before it,
 * after live inserts through the materialised views, and after the migration runs again (as one
 * interrupted half-way would) without counting anything twice.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../collector/src/store/embedded.js';
import { migrate, migrationsTableStatement, schemaMigrations } from '../../collector/src/store/migrations.js';
import type { Store } from '../../collector/src/store/types.js';
import { listEvents, listIssueEvents } from '../../collector/src/api/events-routes.js';

const RETENTION_DAYS = 30;
const HOUR = 3600_000;
const START = Math.floor(Date.now() / HOUR) * HOUR - 3 * 24 * HOUR;
const ISSUES = ['a1a1a1a1a1a1a1a1', 'b2b2b2b2b2b2b2b2', 'c3c3c3c3c3c3c3c3'];
const BROWSERS: [string, string][] = [['Chrome', '131.0.1'], ['Firefox', '140.0'], ['Mobile Safari', '18.2']];

let seq = 0;
function errorRow() {
  const n = seq++;
  const timestamp = START + ((n * 7919) % (72 * 60)) * 60_000 + (n % 1000);
  const [browser_name, browser_version] = BROWSERS[n % BROWSERS.length];
  return {
    project_id: 1,
    timestamp,
    event_id: randomUUID(),
    received_at: timestamp + 5,
    retention_days: RETENTION_DAYS,
    release: `1.0.${n % 4}`,
    environment: n % 5 ? 'production' : 'staging',
    session_id: `s${n % 37}`,
    page_view_id: `pv${n}`,
    url: 'https://shop.example/cart',
    route: n % 3 ? '/cart' : '/checkout',
    user_id: n % 2 ? `u${n % 23}` : '',
    tags: n % 4 ? { plan: n % 8 ? 'free' : 'pro' } : {},
    sdk_name: 'lookout-agent',
    sdk_version: '0.1.0',
    browser_name,
    browser_version,
    os_name: 'Linux',
    os_version: n % 2 ? '' : '6',
    device_type: 'desktop',
    type: 'TypeError',
    message: 'x is undefined',
    stack: '',
    frame_functions: ['f', 'g'],
    frame_files: ['app.js', 'app.js'],
    frame_lines: [1, 2],
    frame_columns: [2, 3],
    frame_statuses: n % 3 ? ['mapped', 'no_artifact'] : ['source_missing', 'mapped'],
    mechanism: 'onerror',
    handled: false,
    count: 1 + (n % 3),
    fingerprint: [] as string[],
    issue_id: ISSUES[n % ISSUES.length],
  };
}

function navigationRow() {
  const n = seq++;
  const timestamp = START + ((n * 104729) % (72 * 60)) * 60_000;
  return {
    project_id: 1,
    timestamp,
    event_id: randomUUID(),
    received_at: timestamp + 5,
    retention_days: RETENTION_DAYS,
    release: `1.0.${n % 4}`,
    environment: 'production',
    session_id: `s${n % 41}`,
    page_view_id: `pv${n}`,
    url: 'https://shop.example/',
    route: '/',
    user_id: '',
    tags: {},
    sdk_name: 'lookout-agent',
    sdk_version: '0.1.0',
    browser_name: 'Chrome',
    browser_version: '131',
    os_name: 'Linux',
    os_version: '',
    device_type: 'desktop',
    type: n % 2 ? 'load' : 'route',
    duration: 100,
    status: 'ok',
    from_route: '',
  };
}

const rows = <T>(make: () => T, count: number) => Array.from({ length: count }, make);

/** Each rollup against the same figure computed from the events; sorted JSON so a mismatch shows where. */
async function compare(store: Store): Promise<void> {
  const daily = await store.query(
    `SELECT issue_id, toString(day) AS d, release, environment, toString(sum(events)) AS events, toString(sum(stored)) AS stored,
            toString(min(first_seen)) AS first, toString(max(last_seen)) AS last, toString(argMaxMerge(latest_event)) AS latest
     FROM issue_daily GROUP BY issue_id, d, release, environment ORDER BY ALL`,
  );
  const direct = await store.query(
    `SELECT issue_id, toString(toDate(timestamp)) AS d, release, environment, toString(sum(count)) AS events, toString(count()) AS stored,
            toString(min(timestamp)) AS first, toString(max(timestamp)) AS last, toString(argMax(event_id, timestamp)) AS latest
     FROM errors FINAL WHERE issue_id != '' GROUP BY issue_id, d, release, environment ORDER BY ALL`,
  );
  expect(daily).toEqual(direct);

  // Unique users and sessions: `uniqCombined(12)` sketches, exact at these sizes (a few dozen
  // values per issue; the estimate past them is checked below), per day, release and environment
  // in `issue_daily` and per day in `issue_days`, and merged over the whole range.
  const USER = `if(user_id != '', concat('u:', user_id), nullIf(concat('s:', session_id), 's:'))`;
  const uniques = (table: string, keys: string) =>
    store.query(`SELECT issue_id, ${keys}, toString(uniqCombinedMerge(12)(users)) AS users, toString(uniqCombinedMerge(12)(sessions)) AS sessions
                 FROM ${table} GROUP BY issue_id, ${keys} ORDER BY ALL`);
  const exact = (keys: string) =>
    store.query(`SELECT issue_id, ${keys}, toString(uniqExact(${USER})) AS users, toString(uniqExact(nullIf(session_id, ''))) AS sessions
                 FROM errors FINAL WHERE issue_id != '' GROUP BY issue_id, ${keys} ORDER BY ALL`);
  expect(await uniques('issue_daily', 'toString(day) AS d, release, environment')).toEqual(await exact('toString(toDate(timestamp)) AS d, release, environment'));
  expect(await uniques('issue_days', 'toString(day) AS d')).toEqual(await exact('toString(toDate(timestamp)) AS d'));
  expect(await uniques('issue_days', "'all' AS d")).toEqual(await exact("'all' AS d"));

  // `issue_days`: the same events and first/last seen per issue and day as the events.
  const days = await store.query(
    `SELECT issue_id, toString(day) AS d, toString(sum(events)) AS events, toString(min(first_seen)) AS first, toString(max(last_seen)) AS last
     FROM issue_days GROUP BY issue_id, d ORDER BY ALL`,
  );
  const directDays = await store.query(
    `SELECT issue_id, toString(toDate(timestamp)) AS d, toString(sum(count)) AS events, toString(min(timestamp)) AS first, toString(max(timestamp)) AS last
     FROM errors FINAL WHERE issue_id != '' GROUP BY issue_id, d ORDER BY ALL`,
  );
  expect(days).toEqual(directDays);

  // `issue_events`: one key per stored error (after merging duplicates, as `errors FINAL`).
  const keys = await store.query(`SELECT issue_id, toString(timestamp) AS ts, toString(event_id) AS id FROM issue_events FINAL ORDER BY ALL`);
  const directKeys = await store.query(`SELECT issue_id, toString(timestamp) AS ts, toString(event_id) AS id FROM errors FINAL WHERE issue_id != '' ORDER BY ALL`);
  expect(keys).toEqual(directKeys);

  const breakdowns = await store.query(
    `SELECT issue_id, dimension, key, value, toString(sum(events)) AS events FROM issue_breakdowns GROUP BY ALL ORDER BY ALL`,
  );
  const directBreakdowns = await store.query(
    `SELECT issue_id, dimension, key, value, toString(sum(count)) AS events FROM (
       SELECT issue_id, count, 'browser' AS dimension, browser_name AS key, trimBoth(concat(browser_name, ' ', splitByChar('.', browser_version)[1])) AS value FROM errors FINAL
       UNION ALL SELECT issue_id, count, 'os', '', trimBoth(concat(os_name, ' ', os_version)) FROM errors FINAL
       UNION ALL SELECT issue_id, count, 'environment', '', toString(environment) FROM errors FINAL
       UNION ALL SELECT issue_id, count, 'route', '', toString(route) FROM errors FINAL
       UNION ALL SELECT issue_id, count, 'tag', tag.1, tag.2 FROM errors FINAL ARRAY JOIN CAST(tags, 'Array(Tuple(String, String))') AS tag
     ) WHERE issue_id != '' GROUP BY ALL ORDER BY ALL`,
  );
  expect(breakdowns).toEqual(directBreakdowns);
  expect(breakdowns.some((row) => (row as { dimension: string }).dimension === 'tag')).toBe(true);

  const releases = await store.query(
    `SELECT release, toString(sum(errors)) AS errors, toString(sum(frames)) AS frames, toString(sum(mapped)) AS mapped, toString(sum(page_views)) AS page_views,
            toString(min(first_seen)) AS first, toString(max(last_seen)) AS last
     FROM release_counts GROUP BY release ORDER BY release`,
  );
  const directReleases = await store.query(
    `SELECT release, toString(sum(errors)) AS errors, toString(sum(frames)) AS frames, toString(sum(mapped)) AS mapped, toString(sum(page_views)) AS page_views,
            toString(min(first)) AS first, toString(max(last)) AS last
     FROM (
       SELECT release, sum(count) AS errors, sum(length(frame_statuses)) AS frames, sum(arrayCount(s -> s IN ('mapped', 'source_missing'), frame_statuses)) AS mapped,
              0 AS page_views, min(timestamp) AS first, max(timestamp) AS last
       FROM errors FINAL GROUP BY release
       UNION ALL
       SELECT release, 0, 0, 0, count(), min(timestamp), max(timestamp) FROM navigations FINAL GROUP BY release
     ) GROUP BY release ORDER BY release`,
  );
  expect(releases).toEqual(directReleases);
}

describe('schema v5 rollups', () => {
  let dataDir: string;
  let store: Store;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lookout-rollups-'));
    store = await openEmbeddedStore({ dataDir, database: 'lookout_rollups' });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('backfills the rows stored before version 5, then follows live inserts, and a second run counts nothing twice', async () => {
    // A store at version 4 with events in it.
    const options = { database: 'lookout_rollups', retentionDays: RETENTION_DAYS };
    const before = schemaMigrations(options).filter((migration) => migration.version < 5);
    await store.exec(migrationsTableStatement(options));
    for (const migration of before) for (const statement of migration.statements) await store.exec(statement);
    for (const migration of before) await store.insert('schema_migrations', [{ version: migration.version, name: migration.name, applied_at: Date.now() }]);
    await store.insert('errors', rows(errorRow, 600));
    await store.insert('errors', rows(errorRow, 300));
    await store.insert('navigations', rows(navigationRow, 400));

    expect((await migrate(store, { retentionDays: RETENTION_DAYS })).applied).toContain(5);
    await compare(store);

    // Live: the materialised views.
    await store.insert('errors', rows(errorRow, 500));
    await store.insert('navigations', rows(navigationRow, 200));
    await compare(store);

    // Version 5 again from the start (an interrupted migration finished by the next start).
    const v5 = schemaMigrations(options).find((migration) => migration.version === 5)!;
    for (const statement of v5.statements) await store.exec(statement);
    await compare(store);
  }, 120_000);

  it('estimates many users and sessions within 5 % (uniqCombined(12): ~1.6 % relative error, σ)', async () => {
    // 30,000 errors of one issue over two days: 20,000 distinct users and 12,000 sessions (a
    // third of the events without a user id count their session as the user).
    const issue = 'd4d4d4d4d4d4d4d4';
    const many = Array.from({ length: 30_000 }, (_, k) => ({
      ...errorRow(),
      issue_id: issue,
      timestamp: START + (k % 2) * 24 * HOUR + k,
      user_id: k % 3 ? `user-${k % 20_000}` : '',
      session_id: `session-${k % 12_000}`,
    }));
    await store.insert('errors', many);
    const [exact] = await store.query<{ users: string; sessions: string }>(
      `SELECT uniqExact(if(user_id != '', concat('u:', user_id), nullIf(concat('s:', session_id), 's:'))) AS users, uniqExact(nullIf(session_id, '')) AS sessions
       FROM errors FINAL WHERE issue_id = {issue:String}`,
      { issue },
    );
    for (const table of ['issue_daily', 'issue_days']) {
      const [estimate] = await store.query<{ users: string; sessions: string }>(
        `SELECT uniqCombinedMerge(12)(users) AS users, uniqCombinedMerge(12)(sessions) AS sessions FROM ${table} WHERE issue_id = {issue:String}`,
        { issue },
      );
      expect(Math.abs(Number(estimate.users) / Number(exact.users) - 1), `${table} users ${estimate.users} vs ${exact.users}`).toBeLessThan(0.05);
      expect(Math.abs(Number(estimate.sessions) / Number(exact.sessions) - 1), `${table} sessions ${estimate.sessions} vs ${exact.sessions}`).toBeLessThan(0.05);
    }
  }, 60_000);

  it('pages an issue\'s events from `issue_events` exactly as a scan of `errors` does (ties on the millisecond, a replayed batch)', async () => {
    const issue = 'e5e5e5e5e5e5e5e5';
    // 5 events on each of 9 milliseconds (ties), on two days, one batch inserted twice without a dedup token.
    const batch = Array.from({ length: 45 }, (_, k) => ({ ...errorRow(), issue_id: issue, timestamp: START + Math.floor(k / 5) * 7 * HOUR + 123 }));
    await store.insert('errors', batch);
    await store.insert('errors', batch.slice(0, 10).map((row) => ({ ...row, received_at: row.received_at + 1 })));
    const query = { since: String(START - HOUR), until: String(START + 4 * 24 * HOUR) };
    for (const limit of [1, 4, 5, 7, 50]) {
      const walk = async (page: (cursor?: string) => Promise<{ events: Record<string, unknown>[]; next_cursor: string | null }>) => {
        const ids: unknown[] = [];
        let cursor: string | undefined;
        for (let n = 0; n < 100; n++) {
          const result = await page(cursor);
          ids.push(...result.events.map((event) => `${event.timestamp} ${event.event_id}`));
          if (!result.next_cursor) break;
          cursor = result.next_cursor;
        }
        return ids;
      };
      const indexed = await walk((cursor) => listIssueEvents(store, 1, issue, { ...query, limit, cursor }));
      const scanned = await walk((cursor) => listEvents(store, 1, ['error'], { ...query, limit, cursor }, issue));
      expect(indexed).toHaveLength(45);
      expect(indexed).toEqual(scanned);
    }
  }, 60_000);
});
