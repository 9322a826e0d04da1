/**
 * Schema v5's rollups (`issue_daily`, `issue_breakdowns`, `release_counts`) agree with direct
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

  // Unique users and sessions: the daily states merge to what the hourly view's states merge to.
  const users = (table: string) =>
    store.query(`SELECT issue_id, toString(uniqMerge(users)) AS users, toString(uniqMerge(sessions)) AS sessions FROM ${table} GROUP BY issue_id ORDER BY issue_id`);
  expect(await users('issue_daily')).toEqual(await users('issue_counts'));

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

    expect(await migrate(store, { retentionDays: RETENTION_DAYS })).toEqual({ applied: [5], version: 5 });
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
});
