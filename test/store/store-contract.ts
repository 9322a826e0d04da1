/**
 * What every Store backend must do, run by embedded-store.test.ts (chDB in-process) and
 * server-store.test.ts (@clickhouse/client over HTTP) against a real ClickHouse engine.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../collector/src/store/migrations.js';
import { StoreError, type Store } from '../../collector/src/store/types.js';
import { isSupportedClickHouseVersion } from '../../collector/src/store/version.js';

export interface ContractTarget {
  store: Store;
  /** Drops what the suite created. */
  cleanup(): Promise<void>;
}

const RETENTION_DAYS = 30;
export const TABLES = ['alert_claims', 'alert_history', 'alert_rules', 'artifacts', 'cert_checks', 'cert_targets', 'errors', 'issue_breakdowns', 'issue_breakdowns_mv', 'issue_counts', 'issue_counts_mv', 'issue_daily', 'issue_daily_mv', 'issue_days', 'issue_days_mv', 'issue_events', 'issue_events_mv', 'issues', 'load_run_requests', 'load_runs', 'navigations', 'projects', 'release_counts', 'release_counts_errors_mv', 'release_counts_navigations_mv', 'schema_migrations', 'settings', 'source_contexts', 'vitals'];
/** Quotes, backslashes, escapes, control characters, NUL, accents, CJK, an emoji and a surrogate-pair-heavy string. */
const AWKWARD = `it's "quoted" \\ back\\slash \\n not-a-newline\nnewline\ttab \u0000nul é 中文 😀 {curly:String} '); DROP TABLE errors; --`;

export function describeStoreContract(backend: 'embedded' | 'server', open: () => Promise<ContractTarget>): void {
  describe(`Store contract: ${backend}`, () => {
    let target: ContractTarget;
    let store: Store;
    // Each test uses its own project so tests do not see each other's rows.
    let nextProject = 100;
    const project = () => nextProject++;

    beforeAll(async () => {
      target = await open();
      store = target.store;
    }, 60_000);
    afterAll(async () => {
      await target?.cleanup();
    }, 30_000);

    it('reports its backend, a supported version, and answers pings', async () => {
      expect(store.backend).toBe(backend);
      await expect(store.ping()).resolves.toBeUndefined();
      const version = await store.version();
      expect(isSupportedClickHouseVersion(version), `version ${version}`).toBe(true);
    });

    it('migrates once, and a second run changes nothing', async () => {
      const first = await migrate(store, { retentionDays: RETENTION_DAYS });
      const second = await migrate(store, { retentionDays: RETENTION_DAYS });
      expect(first).toEqual({ applied: [1, 2, 3, 4, 5, 6], version: 6 });
      expect(second).toEqual({ applied: [], version: 6 });
      const tables = await store.query<{ name: string }>(
        'SELECT name FROM system.tables WHERE database = {database:String} ORDER BY name',
        { database: store.database },
      );
      expect(tables.map((table) => table.name)).toEqual(TABLES);
      const recorded = await store.query<{ version: number; n: string }>(
        'SELECT version, count() AS n FROM schema_migrations GROUP BY version',
      );
      // count() is UInt64: a JSON string on both backends.
      expect(recorded.sort((a, b) => a.version - b.version)).toEqual([{ version: 1, n: '1' }, { version: 2, n: '1' }, { version: 3, n: '1' }, { version: 4, n: '1' }, { version: 5, n: '1' }, { version: 6, n: '1' }]);
    });

    it('refuses a database written by a newer Lookout', async () => {
      await store.insert('schema_migrations', [{ version: 999, name: 'from the future', applied_at: Date.now() }]);
      try {
        await expect(migrate(store, { retentionDays: RETENTION_DAYS })).rejects.toThrow(/schema version 999.*Upgrade this collector/);
      } finally {
        await store.exec('ALTER TABLE schema_migrations DELETE WHERE version = {version:UInt32} SETTINGS mutations_sync = 2', { version: 999 });
      }
    });

    it('inserts rows and reads them back with bound parameters of every kind', async () => {
      const projectId = project();
      const rows = [
        errorRow({ project_id: projectId, type: 'TypeError', fingerprint: ['a', 'b'], tags: { plan: 'pro' } }),
        errorRow({ project_id: projectId, type: 'RangeError', fingerprint: ['c'], handled: true }),
        errorRow({ project_id: projectId + 1000, type: 'TypeError' }),
      ];
      await store.insert('errors', rows);
      const found = await store.query<{ type: string; handled: boolean; fingerprint: string[]; plan: string; ms: string }>(
        `SELECT type, handled, fingerprint, tags['plan'] AS plan, toString(toUnixTimestamp64Milli(timestamp)) AS ms
           FROM errors FINAL
          WHERE project_id = {project:UInt32}
            AND type IN {types:Array(String)}
            AND hasAny(fingerprint, {fingerprints:Array(String)})
            AND handled = {handled:Bool}
            AND timestamp >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')`,
        { project: projectId, types: ['TypeError', 'RangeError'], fingerprints: ['b', 'zzz'], handled: false, since: rows[0].timestamp - 1 },
      );
      // Epoch milliseconds, as the processor writes them, land as DateTime64(3).
      expect(found).toEqual([{ type: 'TypeError', handled: false, fingerprint: ['a', 'b'], plan: 'pro', ms: String(rows[0].timestamp) }]);
      const [counted] = await store.query<{ n: string }>('SELECT count() AS n FROM errors WHERE project_id = {project:UInt32}', {
        project: projectId,
      });
      expect(counted.n).toBe('2');
    });

    it('keeps nulls and binds null to a Nullable parameter', async () => {
      const projectId = project();
      await store.insert('navigations', [
        navigationRow({ project_id: projectId, router_duration: null, requests: null }),
        navigationRow({ project_id: projectId, router_duration: 12.5, requests: 3 }),
      ]);
      const rows = await store.query<{ router_duration: number | null; requests: number | null }>(
        `SELECT router_duration, requests FROM navigations
          WHERE project_id = {project:UInt32} AND (requests IS NULL) = isNull({requests:Nullable(UInt32)})`,
        { project: projectId, requests: null },
      );
      expect(rows).toEqual([{ router_duration: null, requests: null }]);
    });

    it('does not double count an insert replayed with the same dedup token', async () => {
      const projectId = project();
      const batch = [errorRow({ project_id: projectId }), errorRow({ project_id: projectId })];
      const count = async () =>
        (await store.query<{ n: string }>('SELECT count() AS n FROM errors WHERE project_id = {project:UInt32}', { project: projectId }))[0].n;
      await store.insert('errors', batch, { dedupToken: `spool:1-2:errors:${projectId}` });
      await store.insert('errors', batch, { dedupToken: `spool:1-2:errors:${projectId}` });
      expect(await count()).toBe('2');
      // A different token is a different batch, even with a row already seen.
      await store.insert('errors', [errorRow({ project_id: projectId })], { dedupToken: `spool:3-3:errors:${projectId}` });
      expect(await count()).toBe('3');
    });

    it('collapses rows with the same event_id under FINAL', async () => {
      const projectId = project();
      await store.exec('SYSTEM STOP MERGES errors');
      try {
        const first = errorRow({ project_id: projectId, message: 'first delivery' });
        // Same event delivered twice (e.g. the agent retried): separate inserts, different received_at.
        await store.insert('errors', [first]);
        await store.insert('errors', [{ ...first, message: 'second delivery', received_at: first.received_at + 1 }]);
        const all = await store.query<{ n: string }>('SELECT count() AS n FROM errors WHERE project_id = {project:UInt32}', { project: projectId });
        const final = await store.query<{ message: string }>('SELECT message FROM errors FINAL WHERE project_id = {project:UInt32}', {
          project: projectId,
        });
        expect(all).toEqual([{ n: '2' }]);
        expect(final).toEqual([{ message: 'second delivery' }]);
      } finally {
        await store.exec('SYSTEM START MERGES errors');
      }
    });

    it('keeps quotes, backslashes, control characters and unicode intact, in rows and in parameters', async () => {
      const projectId = project();
      await store.insert('errors', [
        errorRow({ project_id: projectId, message: AWKWARD, fingerprint: [AWKWARD, "'"], tags: { [AWKWARD]: AWKWARD } }),
      ]);
      const rows = await store.query<{ message: string; fingerprint: string[]; tag: string }>(
        `SELECT message, fingerprint, tags[{key:String}] AS tag FROM errors
          WHERE project_id = {project:UInt32} AND message = {message:String} AND has(fingerprint, {needle:String})
            AND fingerprint = {fingerprint:Array(String)}`,
        { project: projectId, key: AWKWARD, message: AWKWARD, needle: "'", fingerprint: [AWKWARD, "'"] },
      );
      expect(rows).toEqual([{ message: AWKWARD, fingerprint: [AWKWARD, "'"], tag: AWKWARD }]);
      const [echo] = await store.query<{ value: string }>('SELECT {value:String} AS value', { value: AWKWARD });
      expect(echo.value).toBe(AWKWARD);
    });

    it('returns no rows as an empty array', async () => {
      expect(await store.query('SELECT * FROM settings WHERE key = {key:String}', { key: `absent-${randomUUID()}` })).toEqual([]);
      await expect(store.insert('errors', [])).resolves.toBeUndefined();
    });

    it('explains a statement it cannot run, and does not ask for a retry', async () => {
      const error = await store.query('SELECT * FROM no_such_table').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(false);
      expect((error as StoreError).message).toMatch(/no_such_table/);
      expect((error as StoreError).message).toMatch(/UNKNOWN_TABLE/);

      const syntax = await store.exec('SELEC 1').catch((caught: unknown) => caught);
      expect(syntax).toBeInstanceOf(StoreError);
      expect((syntax as StoreError).message).toMatch(/SELEC 1/);
      expect((syntax as StoreError).message).toMatch(/Syntax error/);
    });

    it('explains a row it cannot store: bad value, unknown column, unknown table', async () => {
      const badUuid = await store.insert('errors', [errorRow({ event_id: 'not-a-uuid' })]).catch((caught: unknown) => caught);
      expect(badUuid).toBeInstanceOf(StoreError);
      expect((badUuid as StoreError).retryable).toBe(false);
      expect((badUuid as StoreError).message).toMatch(/insert 1 row\(s\) into errors/);
      expect((badUuid as StoreError).message).toMatch(/CANNOT_PARSE_UUID/);
      expect((badUuid as StoreError).message).toMatch(/event_id/);

      const typo = await store.insert('errors', [{ ...errorRow(), mesage: 'typo' }]).catch((caught: unknown) => caught);
      expect(typo).toBeInstanceOf(StoreError);
      expect((typo as StoreError).message).toMatch(/mesage/);

      const noTable = await store.insert('no_such_table', [{ a: 1 }]).catch((caught: unknown) => caught);
      expect((noTable as StoreError).message).toMatch(/no_such_table/);

      await expect(store.insert('errors; DROP TABLE errors', [errorRow()])).rejects.toThrow(/Table name .* is not usable/);
    });
  });
}

// Recent, so retention (TTL) never removes rows while a test looks at them.
let clock = Date.now() - 24 * 60 * 60 * 1000;

function commonColumns(overrides: Record<string, unknown>) {
  clock += 1000;
  return {
    project_id: 1,
    timestamp: clock,
    event_id: randomUUID(),
    received_at: clock + 50,
    retention_days: RETENTION_DAYS,
    release: '1.2.3',
    environment: 'production',
    session_id: 's1',
    page_view_id: 'pv1',
    url: 'https://shop.example/cart?x=1',
    route: '/cart',
    user_id: '',
    tags: {},
    sdk_name: 'lookout-agent',
    sdk_version: '0.1.0',
    browser_name: 'Firefox',
    browser_version: '140',
    os_name: 'Linux',
    os_version: '',
    device_type: 'desktop',
    ...overrides,
  };
}

function errorRow(overrides: Record<string, unknown> = {}) {
  return {
    ...commonColumns({}),
    type: 'TypeError',
    message: 'x is undefined',
    stack: 'TypeError: x is undefined\n    at f (app.js:1:2)',
    frame_functions: ['f'],
    frame_files: ['app.js'],
    frame_lines: [1],
    frame_columns: [2],
    mechanism: 'onerror',
    handled: false,
    count: 1,
    fingerprint: [] as string[],
    breadcrumb_timestamps: [clock - 10],
    breadcrumb_categories: ['click'],
    breadcrumb_messages: ['button#buy'],
    breadcrumb_levels: ['info'],
    ...overrides,
  } as ReturnType<typeof commonColumns> & Record<string, unknown> & { timestamp: number; received_at: number };
}

function navigationRow(overrides: Record<string, unknown> = {}) {
  return {
    ...commonColumns({}),
    type: 'route',
    duration: 120,
    router_duration: null,
    requests: null,
    status: 'ok',
    from_route: '/',
    ...overrides,
  };
}
