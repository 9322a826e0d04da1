/**
 * The DDL for a single server and for `--clickhouse-cluster`. A cluster cannot be
 * started here, so the cluster statements are checked as text and parsed by the real
 * ClickHouse parser (chDB's formatQuery); single-server DDL is also executed by the
 * store contract.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaMigrations, schemaStatements } from '../../collector/src/store/migrations.js';

/** `issue_events` (v5) is an index of `errors`, partitioned, expired and sharded like it. */
const EVENT_TABLES = ['errors', 'vitals', 'navigations', 'issue_events'];
const METADATA_TABLES = ['schema_migrations', 'projects', 'settings', 'artifacts', 'source_contexts', 'issues', 'alert_rules', 'alert_claims', 'alert_history', 'load_runs', 'load_run_requests', 'cert_targets', 'cert_checks'];
/** Sharded like events, but rolled up: merged by key instead of replaced. */
const AGGREGATE_TABLES = ['issue_counts', 'issue_daily', 'issue_days', 'issue_breakdowns', 'release_counts'];

const single = schemaStatements({ database: 'lookout', retentionDays: 30 });
const clustered = schemaStatements({ database: 'lookout', cluster: 'analytics', retentionDays: 30 });

/** The statement creating `database.table`. */
function createStatement(statements: string[], table: string): string {
  const found = statements.filter((statement) => new RegExp(`^CREATE TABLE IF NOT EXISTS lookout\\.${table}[ \n]`).test(statement));
  expect(found, `CREATE for ${table}`).toHaveLength(1);
  return found[0];
}

describe('schema on a single server (and the embedded engine)', () => {
  it('creates every table once, IF NOT EXISTS, as plain ReplacingMergeTree (AggregatingMergeTree for counts)', () => {
    const creates = single.filter((statement) => statement.startsWith('CREATE TABLE'));
    expect(creates).toHaveLength(EVENT_TABLES.length + METADATA_TABLES.length + AGGREGATE_TABLES.length);
    for (const table of AGGREGATE_TABLES) expect(createStatement(single, table)).toMatch(/ENGINE = AggregatingMergeTree\(\)/);
    for (const statement of creates) {
      expect(statement).toMatch(/^CREATE TABLE IF NOT EXISTS lookout\.\w+\n/);
      if (!AGGREGATE_TABLES.some((table) => statement.startsWith(`CREATE TABLE IF NOT EXISTS lookout.${table}\n`))) {
        expect(statement).toMatch(/ENGINE = ReplacingMergeTree\(/);
      }
      expect(statement).toContain('non_replicated_deduplication_window = 1000');
      expect(statement).not.toMatch(/ON CLUSTER|Replicated|Distributed/);
    }
  });

  it('makes event tables expire by their own retention_days column, dropping whole parts', () => {
    for (const table of EVENT_TABLES) {
      const statement = createStatement(single, table);
      expect(statement).toContain('PARTITION BY (retention_days, toYYYYMMDD(timestamp))');
      expect(statement).toContain('TTL toDateTime(timestamp) + toIntervalDay(retention_days)');
      expect(statement).toContain('SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000');
      expect(statement).toMatch(/ORDER BY \(project_id, .*event_id\)\n/);
      expect(statement).toContain('retention_days UInt16 DEFAULT 30');
    }
    expect(createStatement(single, 'errors')).toContain('ORDER BY (project_id, toDate(timestamp), event_id)');
    expect(createStatement(single, 'vitals')).toContain('ORDER BY (project_id, name, toDate(timestamp), route, event_id)');
    expect(createStatement(single, 'navigations')).toContain('ORDER BY (project_id, type, toDate(timestamp), route, event_id)');
  });

  it('keeps the newest version of a project or setting', () => {
    expect(createStatement(single, 'projects')).toContain('ENGINE = ReplacingMergeTree(updated_at)\nORDER BY id');
    expect(createStatement(single, 'settings')).toContain('ENGINE = ReplacingMergeTree(updated_at)\nORDER BY key');
  });

  it('puts the configured retention in as the column default', () => {
    const statements = schemaStatements({ database: 'lookout', retentionDays: 90 });
    expect(createStatement(statements, 'errors')).toContain('retention_days UInt16 DEFAULT 90');
  });
});

describe('schema on a cluster', () => {
  it('runs every statement ON CLUSTER', () => {
    // v5's backfills are plain INSERT … SELECT through the Distributed tables (one run re-shards every row).
    for (const statement of clustered.filter((statement) => !statement.startsWith('INSERT INTO'))) expect(statement.split('\n')[0]).toMatch(/ ON CLUSTER analytics( |$)/);
  });

  it('stores events in sharded Replicated tables, reached through Distributed tables named as the plain table', () => {
    for (const table of EVENT_TABLES) {
      const local = createStatement(clustered, `${table}_local`);
      expect(local).toContain(`ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}')`);
      expect(local).toContain('replicated_deduplication_window = 1000');
      expect(local).not.toContain('non_replicated_deduplication_window');
      expect(createStatement(clustered, table)).toMatch(
        new RegExp(`^CREATE TABLE IF NOT EXISTS lookout\\.${table} ON CLUSTER analytics AS lookout\\.${table}_local\nENGINE = Distributed\\(analytics, lookout, ${table}_local, cityHash64\\((event_id|issue_id)\\)\\)$`),
      );
    }
  });

  it('replicates the small metadata tables to every node, without a shard in their path', () => {
    for (const table of METADATA_TABLES) {
      const statement = createStatement(clustered, table);
      expect(statement).toContain(`ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/${table}', '{replica}'`);
      expect(statement).not.toContain('{shard}');
      expect(clustered.some((other) => other.includes(`${table}_local`))).toBe(false);
    }
    expect(createStatement(clustered, 'projects')).toContain("'{replica}', updated_at)");
  });

  it('adds the issue columns to both the shard tables and the Distributed table, and counts issues per shard', () => {
    const alters = clustered.filter((statement) => statement.startsWith('ALTER TABLE'));
    expect(alters.map((statement) => statement.split('\n')[0])).toEqual([
      'ALTER TABLE lookout.errors_local ON CLUSTER analytics',
      'ALTER TABLE lookout.errors ON CLUSTER analytics',
      'ALTER TABLE lookout.errors_local ON CLUSTER analytics',
    ]);
    expect(alters[2]).toContain('ADD INDEX IF NOT EXISTS issue_id_index issue_id TYPE bloom_filter');
    const view = clustered.find((statement) => statement.startsWith('CREATE MATERIALIZED VIEW'))!;
    expect(view).toContain('lookout.issue_counts_mv ON CLUSTER analytics TO lookout.issue_counts_local AS');
    expect(view).toContain('FROM lookout.errors_local');
    expect(createStatement(clustered, 'issue_counts_local')).toContain(
      "ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/issue_counts_local', '{replica}')",
    );
    expect(createStatement(clustered, 'issue_counts')).toContain('Distributed(analytics, lookout, issue_counts_local, cityHash64(issue_id))');
  });

  it('v5: rolls issues and releases up per shard, and backfills through the Distributed tables', () => {
    for (const [table, source] of [['issue_daily', 'errors_local'], ['issue_days', 'errors_local'], ['issue_breakdowns', 'errors_local'], ['release_counts', 'errors_local'], ['release_counts', 'navigations_local']]) {
      const view = clustered.find((statement) => statement.startsWith('CREATE MATERIALIZED VIEW') && statement.includes(`TO lookout.${table}_local AS`) && statement.includes(`FROM lookout.${source}\n`));
      expect(view, `${table} view on ${source}`).toMatch(/ ON CLUSTER analytics TO /);
      expect(createStatement(clustered, `${table}_local`)).toContain(`ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}')`);
      expect(createStatement(clustered, table)).toContain(`Distributed(analytics, lookout, ${table}_local, cityHash64(`);
      expect(clustered).toContain(`TRUNCATE TABLE IF EXISTS lookout.${table}_local ON CLUSTER analytics`);
    }
    const backfills = clustered.filter((statement) => statement.startsWith('INSERT INTO'));
    expect(backfills.map((statement) => statement.split('\n')[0])).toEqual([
      'INSERT INTO lookout.issue_daily', 'INSERT INTO lookout.issue_days', 'INSERT INTO lookout.issue_events', 'INSERT INTO lookout.issue_breakdowns', 'INSERT INTO lookout.release_counts', 'INSERT INTO lookout.release_counts',
    ]);
    for (const statement of backfills) expect(statement).toMatch(/FROM lookout\.(errors|navigations)\n/);
    // Each table is emptied before it is backfilled, after its views exist.
    const index = (prefix: string) => clustered.findIndex((statement) => statement.startsWith(prefix));
    expect(index('CREATE MATERIALIZED VIEW IF NOT EXISTS lookout.issue_daily_mv')).toBeLessThan(index('TRUNCATE TABLE IF EXISTS lookout.issue_daily_local'));
    expect(index('TRUNCATE TABLE IF EXISTS lookout.issue_daily_local')).toBeLessThan(index('INSERT INTO lookout.issue_daily'));
  });

  it("keeps one issue's events and rollups on one shard: errors and everything derived from them sharded by issue_id", () => {
    // The sharding key of a table as the last statement creating its Distributed table leaves it.
    const distributed = (table: string) => {
      const creates = clustered.filter((statement) =>
        new RegExp(`^CREATE (TABLE IF NOT EXISTS|OR REPLACE TABLE) lookout\\.${table} ON CLUSTER analytics AS lookout\\.${table}_local\n`).test(statement),
      );
      expect(creates.length, `Distributed ${table}`).toBeGreaterThan(0);
      const match = creates[creates.length - 1].match(new RegExp(`ENGINE = Distributed\\(analytics, lookout, ${table}_local, (.+)\\)$`));
      expect(match, creates[creates.length - 1]).not.toBeNull();
      return match![1];
    };
    const ISSUE_TABLES = ['errors', 'issue_events', 'issue_counts', 'issue_daily', 'issue_days', 'issue_breakdowns'];
    for (const table of ISSUE_TABLES) expect(distributed(table), table).toBe('cityHash64(issue_id)');
    // No issue on these: spread by event (a replayed event still meets its first copy).
    for (const table of ['vitals', 'navigations']) expect(distributed(table), table).toBe('cityHash64(event_id)');
    expect(distributed('release_counts')).toBe('cityHash64(release)');

    // errors gets its issue_id column in v2 (a Distributed sharding key must name an existing
    // column), so v2 replaces the v1 Distributed table, after the columns are added to both.
    const v2 = schemaMigrations({ database: 'lookout', cluster: 'analytics', retentionDays: 30 })[1].statements;
    const replace = v2.findIndex((statement) => statement.startsWith('CREATE OR REPLACE TABLE lookout.errors ON CLUSTER analytics AS lookout.errors_local\n'));
    expect(replace).toBeGreaterThan(v2.findIndex((statement) => statement.startsWith('ALTER TABLE lookout.errors_local ON CLUSTER analytics\n') && statement.includes('issue_id String')));
    expect(replace).toBeGreaterThan(v2.findIndex((statement) => statement.startsWith('ALTER TABLE lookout.errors ON CLUSTER analytics\n')));
    expect(clustered.filter((statement) => statement.startsWith('CREATE OR REPLACE'))).toHaveLength(1);
    // The single server has no Distributed table to replace.
    expect(single.some((statement) => statement.startsWith('CREATE OR REPLACE'))).toBe(false);

    // Every issue table on each shard: Replicated, its Keeper path per shard, its replica by macro.
    for (const table of ISSUE_TABLES) {
      expect(createStatement(clustered, `${table}_local`)).toMatch(
        new RegExp(`ENGINE = Replicated(Replacing|Aggregating)MergeTree\\('/clickhouse/tables/\\{shard\\}/\\{database\\}/${table}_local', '\\{replica\\}'\\)`),
      );
    }

    // Every view runs on each shard, from a _local table into a _local table: a view's rows stay
    // on the shard of the rows it read, so source and target must share the sharding key.
    const views = clustered.filter((statement) => statement.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views.length).toBe(7);
    for (const view of views) {
      const target = view.match(/^CREATE MATERIALIZED VIEW IF NOT EXISTS lookout\.\w+ ON CLUSTER analytics TO lookout\.(\w+)_local AS\n/)?.[1];
      const source = view.match(/\nFROM lookout\.(\w+)_local\n/)?.[1];
      expect(target, view).toBeDefined();
      expect(source, view).toBeDefined();
      // release_counts is per release (fed by errors and navigations): read by GROUP BY across shards.
      if (target !== 'release_counts') expect(distributed(target!), view).toBe(distributed(source!));
    }
  });

  it('quotes a cluster name with a dash, and refuses names that are not names', () => {
    const dashed = schemaStatements({ database: 'lookout', cluster: 'prod-eu', retentionDays: 30 });
    expect(dashed[0]).toContain('ON CLUSTER `prod-eu`');
    expect(() => schemaStatements({ database: 'lookout', cluster: "x' --", retentionDays: 30 })).toThrow(/Cluster name .* is not usable/);
    expect(() => schemaStatements({ database: 'lookout`; DROP', retentionDays: 30 })).toThrow(/Database name .* is not usable/);
    expect(() => schemaStatements({ database: 'lookout', retentionDays: 0 })).toThrow(/whole number of days from 1 to 65535/);
  });

  it('numbers migrations from 1 upwards without gaps', () => {
    const versions = schemaMigrations({ database: 'lookout', retentionDays: 30 }).map((migration) => migration.version);
    expect(versions).toEqual(versions.map((_, index) => index + 1));
  });
});

describe('every statement parses with the real ClickHouse parser', () => {
  let dataDir: string;
  let session: Session;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lookout-ddl-parse-'));
    session = new Session(dataDir);
  });
  afterAll(async () => {
    session?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['single server', single],
    ['cluster', clustered],
    ['dashed cluster', schemaStatements({ database: 'lookout', cluster: 'prod-eu', retentionDays: 30 })],
  ])('%s', async (_, statements) => {
    for (const statement of statements) {
      const result = await session.queryBindAsync('SELECT formatQuery({statement:String}) AS formatted', { statement }, { format: 'JSONEachRow' });
      expect(result.text(), statement).toMatch(/CREATE TABLE IF NOT EXISTS|CREATE OR REPLACE TABLE|CREATE MATERIALIZED VIEW IF NOT EXISTS|ALTER TABLE|TRUNCATE TABLE IF EXISTS|INSERT INTO/);
    }
  });
});
