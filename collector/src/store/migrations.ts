/**
 * The schema, as numbered migrations recorded in `schema_migrations`.
 *
 * Every statement is `IF NOT EXISTS`, so two collectors starting together against the
 * same server both succeed, and a migration interrupted half-way is finished by the
 * next start. A migration is recorded only after all its statements ran.
 *
 * With a cluster (`--clickhouse-cluster`): every statement runs `ON CLUSTER`; event
 * tables become `<table>_local` Replicated tables on each shard plus a Distributed table
 * under the plain name; the small metadata tables are replicated to every node (no
 * `{shard}` in their Keeper path). The server needs the `{shard}` and `{replica}` macros.
 * Sharding keeps one issue together: `errors`, `issue_events` and the issue rollups are
 * sharded by `cityHash64(issue_id)` (the grouping stage sets it before the insert), so the
 * views on each shard's `errors_local` hold every row of the issues stored there, and a
 * replayed event (same event_id, same issue) lands on the shard holding its first copy,
 * where FINAL finds both. `vitals` and `navigations` have no issue: by `cityHash64(event_id)`.
 */
import { clusterIdentifier, checkClusterName, checkDatabaseName } from './identifiers.js';
import { StoreError, type Store } from './types.js';

export interface SchemaOptions {
  /** The database the tables are created in. */
  database: string;
  /** Cluster name from `<remote_servers>`; omit for a single server or the embedded engine. */
  cluster?: string;
  /**
   * Default for the `retention_days` column. The processor writes the configured value on
   * every row (TTL reads the column, so changing retention needs no ALTER); the default
   * only matters for rows written without it, which would otherwise expire at once.
   */
  retentionDays: number;
}

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export type MigrateOptions = Omit<SchemaOptions, 'database'>;

export interface MigrationReport {
  /** Versions applied by this call, in order (empty when the schema was current). */
  applied: number[];
  /** The schema version the database is at now. */
  version: number;
}

/** Brings the store's database to the latest schema version. */
export async function migrate(store: Store, options: MigrateOptions): Promise<MigrationReport> {
  const schema: SchemaOptions = { ...options, database: store.database };
  const migrations = schemaMigrations(schema);
  const latest = migrations[migrations.length - 1].version;

  await store.exec(migrationsTableStatement(schema));
  const recorded = await store.query<{ version: number }>('SELECT DISTINCT version FROM schema_migrations');
  const done = new Set(recorded.map((row) => Number(row.version)));
  const newest = Math.max(0, ...done);
  if (newest > latest) {
    throw new StoreError(
      `Database ${store.database} is at schema version ${newest}, written by a newer Lookout; this collector knows versions up to ${latest}. ` +
        'Upgrade this collector, or point it at another database.',
      false,
    );
  }

  const applied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    try {
      for (const statement of migration.statements) await store.exec(statement);
      await store.insert('schema_migrations', [{ version: migration.version, name: migration.name, applied_at: Date.now() }], {
        dedupToken: `lookout-schema-migration-${migration.version}`,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const retryable = error instanceof StoreError && error.retryable;
      throw new StoreError(`Schema migration ${migration.version} (${migration.name}) failed: ${reason}`, retryable, { cause: error });
    }
    applied.push(migration.version);
  }
  return { applied, version: latest };
}

/** Every DDL statement `migrate` may run, in order: for tests and for reading. */
export function schemaStatements(options: SchemaOptions): string[] {
  return [migrationsTableStatement(options), ...schemaMigrations(options).flatMap((migration) => migration.statements)];
}

export function migrationsTableStatement(options: SchemaOptions): string {
  checkSchemaOptions(options);
  return createTable(options, {
    name: 'schema_migrations',
    columns: ['version UInt32', 'name String', "applied_at DateTime64(3,'UTC')"],
    orderBy: 'version',
    sharded: false,
  })[0];
}

export function schemaMigrations(options: SchemaOptions): Migration[] {
  checkSchemaOptions(options);
  return [
    { version: 1, name: 'initial schema', statements: initialSchema(options) },
    { version: 2, name: 'source maps and issues', statements: sourceMapsAndIssues(options) },
    { version: 3, name: 'alerts', statements: alerts(options) },
    { version: 4, name: 'load runs', statements: loadRuns(options) },
    { version: 5, name: 'issue rollups', statements: issueRollups(options) },
    { version: 6, name: 'certificate checks', statements: certificateChecks(options) },
  ];
}

/**
 * Cluster: the sharding key of `errors` and of every table derived from it per issue. Each shard's
 * views read its own `errors_local`, so a rollup row lives where its errors live: one key for all
 * of them keeps an issue's events, counts and breakdowns on one shard.
 */
const ISSUE_SHARD_KEY = 'cityHash64(issue_id)';

function initialSchema(options: SchemaOptions): string[] {
  const eventColumns = [
    'project_id UInt32',
    "timestamp DateTime64(3,'UTC')",
    'event_id UUID',
    "received_at DateTime64(3,'UTC')",
    `retention_days UInt16 DEFAULT ${options.retentionDays}`,
    'release LowCardinality(String)',
    'environment LowCardinality(String)',
    'session_id String',
    'page_view_id String',
    'url String',
    'route LowCardinality(String)',
    'user_id String',
    'viewport LowCardinality(String)',
    'connection LowCardinality(String)',
    'tags Map(LowCardinality(String), String)',
    'sdk_name LowCardinality(String)',
    'sdk_version LowCardinality(String)',
    'browser_name LowCardinality(String)',
    'browser_version LowCardinality(String)',
    'os_name LowCardinality(String)',
    'os_version LowCardinality(String)',
    'device_type LowCardinality(String)',
  ];
  // Partitions hold one retention class and one day, so with ttl_only_drop_parts
  // expiry drops whole parts instead of rewriting them.
  const events = {
    partitionBy: '(retention_days, toYYYYMMDD(timestamp))',
    ttl: 'toDateTime(timestamp) + toIntervalDay(retention_days)',
    settings: ['ttl_only_drop_parts = 1'],
    sharded: true,
  };
  return [
    ...createTable(options, {
      ...events,
      name: 'errors',
      columns: [
        ...eventColumns,
        'type LowCardinality(String)',
        'message String',
        'stack String',
        'frame_functions Array(String)',
        'frame_files Array(String)',
        'frame_lines Array(UInt32)',
        'frame_columns Array(UInt32)',
        'mechanism LowCardinality(String)',
        'handled Bool',
        'level LowCardinality(String)',
        'hint String',
        'count UInt32',
        'fingerprint Array(String)',
        "breadcrumb_timestamps Array(DateTime64(3,'UTC'))",
        'breadcrumb_categories Array(LowCardinality(String))',
        'breadcrumb_messages Array(String)',
        'breadcrumb_levels Array(LowCardinality(String))',
      ],
      orderBy: '(project_id, toDate(timestamp), event_id)',
    }),
    ...createTable(options, {
      ...events,
      name: 'vitals',
      columns: [
        ...eventColumns,
        'name LowCardinality(String)',
        'value Float64',
        'rating LowCardinality(String)',
        'target String',
        'navigation_type LowCardinality(String)',
      ],
      orderBy: '(project_id, name, toDate(timestamp), route, event_id)',
    }),
    ...createTable(options, {
      ...events,
      name: 'navigations',
      columns: [
        ...eventColumns,
        'type LowCardinality(String)',
        'duration Float64',
        'router_duration Nullable(Float64)',
        'requests Nullable(UInt32)',
        'status LowCardinality(String)',
        'from_route LowCardinality(String)',
      ],
      orderBy: '(project_id, type, toDate(timestamp), route, event_id)',
    }),
    ...createTable(options, {
      name: 'projects',
      columns: [
        'id UInt32',
        'name String',
        'ingest_key String',
        'token_hash String',
        'allowed_origins Array(String)',
        "created_at DateTime64(3,'UTC')",
        "updated_at DateTime64(3,'UTC')",
        'deleted UInt8',
      ],
      versionColumn: 'updated_at',
      orderBy: 'id',
      sharded: false,
    }),
    ...createTable(options, {
      name: 'settings',
      columns: ['key String', 'value String', "updated_at DateTime64(3,'UTC')"],
      versionColumn: 'updated_at',
      orderBy: 'key',
      sharded: false,
    }),
  ];
}

/**
 * Version 2: symbolicated frames and the issue on each error; uploaded artifacts; issue state
 * (one row per issue, newest version wins) and issue counts kept by a materialised view so
 * that lists and counts never scan the errors table.
 */
function sourceMapsAndIssues(options: SchemaOptions): string[] {
  const { database, cluster } = options;
  const onCluster = cluster ? ` ON CLUSTER ${clusterIdentifier(cluster)}` : '';
  const errorsTables = cluster ? ['errors_local', 'errors'] : ['errors'];
  const errorColumns = [
    'issue_id String',
    // The frames after symbolication, parallel to frame_* (the minified frames as sent):
    // columns, not a JSON blob, so that nothing is stored twice and inserts stay cheap.
    'frame_statuses Array(LowCardinality(String))',
    'frame_reasons Array(String)',
    'original_functions Array(String)',
    'original_files Array(LowCardinality(String))',
    'original_lines Array(UInt32)',
    'original_columns Array(UInt32)',
    'original_function_sources Array(LowCardinality(String))',
    'frame_in_app Array(UInt8)',
    'frame_ignored Array(UInt8)',
    'frame_context_ids Array(String)',
  ];
  const alters = errorsTables.map(
    (table) =>
      `ALTER TABLE ${database}.${table}${onCluster}\n` + errorColumns.map((column) => `    ADD COLUMN IF NOT EXISTS ${column}`).join(',\n'),
  );
  // Reading one issue's events (latest event, breakdowns) skips granules without it.
  alters.push(`ALTER TABLE ${database}.${cluster ? 'errors_local' : 'errors'}${onCluster}\n    ADD INDEX IF NOT EXISTS issue_id_index issue_id TYPE bloom_filter GRANULARITY 4`);
  // Cluster: now that errors have their issue, shard them by it (v1 could not: a Distributed
  // table's sharding key must name an existing column). An atomic replace of the Distributed
  // table only; the rows stay in errors_local. Inserts are synchronous, so nothing is queued in it.
  if (cluster) {
    alters.push(
      `CREATE OR REPLACE TABLE ${database}.errors${onCluster} AS ${database}.errors_local\n` +
        `ENGINE = Distributed(${clusterIdentifier(cluster)}, ${database}, errors_local, ${ISSUE_SHARD_KEY})`,
    );
  }
  const countsTarget = cluster ? 'issue_counts_local' : 'issue_counts';
  const errorsSource = cluster ? 'errors_local' : 'errors';
  return [
    ...alters,
    ...createTable(options, {
      name: 'artifacts',
      columns: [
        'project_id UInt32',
        'release String',
        'name String',
        'debug_id String',
        'kind LowCardinality(String)',
        'invalid_status LowCardinality(String)',
        'invalid_reason String',
        'file String',
        'source_map_url String',
        'sources UInt32',
        'sources_content Bool',
        'size UInt64',
        'sha256 String',
        'content String CODEC(ZSTD(3))',
        "uploaded_at DateTime64(3,'UTC')",
        'deleted UInt8',
      ],
      indexes: ['INDEX debug_id_index debug_id TYPE bloom_filter GRANULARITY 1'],
      versionColumn: 'uploaded_at',
      orderBy: '(project_id, release, name, debug_id)',
      sharded: false,
    }),
    // Source context lines, stored once per distinct context: error frames refer to them by id.
    ...createTable(options, {
      name: 'source_contexts',
      columns: ['project_id UInt32', 'context_id String', 'pre Array(String)', 'line String', 'post Array(String)'],
      orderBy: '(project_id, context_id)',
      sharded: false,
    }),
    ...createTable(options, {
      name: 'issues',
      columns: [
        'project_id UInt32',
        'issue_id String',
        'fingerprint String',
        'grouping Array(String)',
        'grouping_kind LowCardinality(String)',
        'title String',
        'culprit String',
        'type String',
        "first_seen DateTime64(3,'UTC')",
        'first_release String',
        'first_event_id String',
        'status LowCardinality(String)',
        'resolved_in_release String',
        "status_changed_at DateTime64(3,'UTC')",
        'regression_event_id String',
        "updated_at DateTime64(3,'UTC')",
      ],
      versionColumn: 'updated_at',
      orderBy: '(project_id, issue_id)',
      sharded: false,
    }),
    ...createTable(options, {
      name: 'issue_counts',
      engine: 'aggregating',
      columns: [
        'project_id UInt32',
        'issue_id String',
        "hour DateTime('UTC')",
        'release LowCardinality(String)',
        'environment LowCardinality(String)',
        'retention_days UInt16',
        'events SimpleAggregateFunction(sum, UInt64)',
        'users AggregateFunction(uniq, Nullable(String))',
        'sessions AggregateFunction(uniq, Nullable(String))',
        "first_seen SimpleAggregateFunction(min, DateTime64(3,'UTC'))",
        "last_seen SimpleAggregateFunction(max, DateTime64(3,'UTC'))",
      ],
      partitionBy: '(retention_days, toYYYYMM(hour))',
      ttl: 'hour + toIntervalDay(retention_days)',
      orderBy: '(project_id, issue_id, hour, release, environment, retention_days)',
      sharded: true,
      shardKey: ISSUE_SHARD_KEY,
    }),
    // Users: distinct user ids; an event without one counts its session as one user.
    [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.issue_counts_mv${onCluster} TO ${database}.${countsTarget} AS`,
      'SELECT project_id, issue_id, toStartOfHour(timestamp) AS hour, release, environment, retention_days,',
      '    toUInt64(sum(count)) AS events,',
      "    uniqState(if(user_id != '', concat('u:', user_id), nullIf(concat('s:', session_id), 's:'))) AS users,",
      "    uniqState(nullIf(session_id, '')) AS sessions,",
      '    min(timestamp) AS first_seen, max(timestamp) AS last_seen',
      `FROM ${database}.${errorsSource}`,
      "WHERE issue_id != ''",
      'GROUP BY project_id, issue_id, hour, release, environment, retention_days',
    ].join('\n'),
  ];
}

/** Version 3: alert rules made through the API, the claims that make an alert fire once across collectors, alert history. */
function alerts(options: SchemaOptions): string[] {
  return [
    ...createTable(options, {
      name: 'alert_rules',
      columns: ['project_id UInt32', 'rule_id String', 'definition String', "updated_at DateTime64(3,'UTC')", 'deleted UInt8'],
      versionColumn: 'updated_at',
      orderBy: '(project_id, rule_id)',
      sharded: false,
    }),
    ...createTable(options, {
      name: 'alert_claims',
      columns: ['project_id UInt32', 'claim_key String', 'collector_id String', 'nonce String', "claimed_at DateTime64(3,'UTC')"],
      orderBy: '(project_id, claim_key, claimed_at, nonce)',
      ttl: "toDateTime(claimed_at) + INTERVAL 30 DAY",
      sharded: false,
    }),
    ...createTable(options, {
      name: 'alert_history',
      columns: [
        'project_id UInt32',
        "sent_at DateTime64(3,'UTC')",
        'history_id String',
        'rule_id String',
        'rule_name String',
        'issue_id String',
        'kind LowCardinality(String)',
        'destination String',
        'title String',
        'summary String',
        'ok UInt8',
        'status UInt16',
        'attempts UInt8',
        'error String',
      ],
      orderBy: '(project_id, sent_at, history_id)',
      ttl: "toDateTime(sent_at) + INTERVAL 90 DAY",
      sharded: false,
    }),
  ];
}

/**
 * Version 4: load-test runs sent by `lookout load run --report-to`: one row per run (its global
 * figures, and the whole summary for the run's page) and one per request or group (what trends
 * across runs read). Few rows, kept until deleted: replicated to every node, no TTL. The run id
 * is derived from the summary, so a resent summary replaces its row instead of adding a run.
 */
function loadRuns(options: SchemaOptions): string[] {
  return [
    ...createTable(options, {
      name: 'load_runs',
      columns: [
        'project_id UInt32',
        'run_id String',
        "started_at DateTime64(3,'UTC')",
        "ended_at DateTime64(3,'UTC')",
        'duration_ms UInt64',
        'simulation String',
        'label String',
        'stop_reason LowCardinality(String)',
        'requests UInt64',
        'ok UInt64',
        'ko UInt64',
        'min_ms Float64',
        'p50_ms Float64',
        'p75_ms Float64',
        'p95_ms Float64',
        'p99_ms Float64',
        'mean_ms Float64',
        'max_ms Float64',
        'rps Float64',
        'assertions_passed UInt32',
        'assertions_failed UInt32',
        'summary String CODEC(ZSTD(3))',
        "received_at DateTime64(3,'UTC')",
      ],
      versionColumn: 'received_at',
      orderBy: '(project_id, started_at, run_id)',
      sharded: false,
    }),
    ...createTable(options, {
      name: 'load_run_requests',
      columns: [
        'project_id UInt32',
        'run_id String',
        'kind LowCardinality(String)',
        'position UInt32',
        'name String',
        'groups Array(String)',
        'count UInt64',
        'ko UInt64',
        'p50_ms Float64',
        'p95_ms Float64',
        'p99_ms Float64',
        'mean_ms Float64',
        'max_ms Float64',
        'rps Float64',
      ],
      orderBy: '(project_id, run_id, kind, position)',
      sharded: false,
    }),
  ];
}

/**
 * Version 5: more rollups of `errors`, kept by materialised views and backfilled from the
 * rows already stored, so that the dashboard's issue calls read neither `errors` nor thousands of
 * hourly states (bench/README.md, ## npm run bench:dashboard).
 *
 * - `issue_daily`: `issue_counts` per day instead of per hour (same keys, so a list merges daily
 *   rows for the whole days of its range and hourly rows for the ends), with users and sessions as
 *   `uniqCombined(12)` sketches (see SKETCH below), plus `stored` (rows, not Σcount) and
 *   `latest_event` (argMax of the event id by timestamp: the issue page reads its latest event by
 *   primary key). Read by the issue page and by lists filtered by release or environment.
 * - `issue_days`: the same per issue and day only (no release or environment): the unfiltered
 *   list's order, counts and users/sessions.
 * - `issue_events`: (project, issue, timestamp, event id) of every error, sorted so: an issue's
 *   newest events are a short range read, then read from `errors` by primary key.
 * - `release_counts`: per release and hour, what the releases page shows (errors, frames and
 *   mapped frames, page views, sessions, first/last seen), from `errors` and `navigations`.
 * - `issue_breakdowns`: events per issue, hour and value of each breakdown the issue page shows
 *   (`browser` with the browser name as key, `os`, `environment`, `route`, and `tag` with the tag
 *   key), from one ARRAY JOIN per inserted block. Ordered by dimension first, so the list's
 *   `browser=` filter reads the browser rows only.
 *
 * Like `issue_counts`, the views count what is inserted: a batch replayed with its dedup token is
 * dropped before the views see it, so they agree with `errors FINAL` unless an insert was retried
 * past the deduplication window.
 *
 * Backfill: each view is created first, then its table is emptied and refilled from `errors`
 * (`INSERT … SELECT`), so a migration interrupted half-way and run again does not count twice.
 * The embedded store migrates before it accepts events; on a server, events inserted between the
 * TRUNCATE and the start of the INSERT's read would be counted twice (start collectors after the
 * migration, or upgrade them together, as `IF NOT EXISTS` DDL already assumes).
 */
/**
 * Unique users and sessions in the v5 rollups: `uniqCombined(12)` sketches (exact up to a few
 * hundred values, then HyperLogLog with 2^12 cells: ~3 KB, relative error ~1.6 % (σ), fixed-size
 * merges), where `issue_counts` keeps full `uniq` states (up to 64 k hashes each).
 * Users: the user id, or the session for an event without one.
 */
const SKETCH = 'uniqCombined';
const SKETCH_PRECISION = 12;
const USER_KEY = "if(user_id != '', concat('u:', user_id), nullIf(concat('s:', session_id), 's:'))";

function issueRollups(options: SchemaOptions): string[] {
  const { database, cluster } = options;
  const onCluster = cluster ? ` ON CLUSTER ${clusterIdentifier(cluster)}` : '';
  const errorsSource = cluster ? 'errors_local' : 'errors';
  const stored = (name: string) => (cluster ? `${name}_local` : name);
  const aggregate = { engine: 'aggregating' as const, sharded: true, shardKey: ISSUE_SHARD_KEY };

  const dailySelect = [
    'SELECT project_id, issue_id, toDate(timestamp) AS day, release, environment, retention_days,',
    '    toUInt64(sum(count)) AS events, count() AS stored,',
    `    ${SKETCH}State(${SKETCH_PRECISION})(${USER_KEY}) AS users,`,
    `    ${SKETCH}State(${SKETCH_PRECISION})(nullIf(session_id, '')) AS sessions,`,
    '    min(timestamp) AS first_seen, max(timestamp) AS last_seen,',
    '    argMaxState(event_id, timestamp) AS latest_event',
  ];
  const dailyWhere = ["WHERE issue_id != ''", 'GROUP BY project_id, issue_id, day, release, environment, retention_days'];
  // The same per issue and day over every release and environment: the unfiltered list's users,
  // sessions and order read ~1 row per issue and day.
  const daysSelect = [
    'SELECT project_id, issue_id, toDate(timestamp) AS day, retention_days,',
    '    toUInt64(sum(count)) AS events,',
    `    ${SKETCH}State(${SKETCH_PRECISION})(${USER_KEY}) AS users,`,
    `    ${SKETCH}State(${SKETCH_PRECISION})(nullIf(session_id, '')) AS sessions,`,
    '    min(timestamp) AS first_seen, max(timestamp) AS last_seen',
  ];
  const daysWhere = ["WHERE issue_id != ''", 'GROUP BY project_id, issue_id, day, retention_days'];
  const eventsSelect = ['SELECT project_id, issue_id, timestamp, event_id, retention_days'];
  const eventsWhere = ["WHERE issue_id != ''"];
  // Browser: "Chrome 131" (name and major version) with the name as key, for the list's browser= filter.
  const breakdownSelect = [
    'SELECT project_id, dimension_value.1 AS dimension, issue_id, toStartOfHour(timestamp) AS hour,',
    '    dimension_value.2 AS key, dimension_value.3 AS value, retention_days, toUInt64(sum(count)) AS events',
  ];
  const breakdownJoin = [
    "ARRAY JOIN arrayConcat(CAST([('browser', browser_name, trimBoth(concat(browser_name, ' ', splitByChar('.', browser_version)[1]))),",
    "                             ('os', '', trimBoth(concat(os_name, ' ', os_version))),",
    "                             ('environment', '', environment), ('route', '', route)], 'Array(Tuple(String, String, String))'),",
    "                        arrayMap((k, v) -> ('tag', k, v), CAST(mapKeys(tags), 'Array(String)'), mapValues(tags))) AS dimension_value",
  ];
  const breakdownWhere = ["WHERE issue_id != ''", 'GROUP BY project_id, dimension, issue_id, hour, key, value, retention_days'];

  const releaseErrorsSelect = [
    'SELECT project_id, release, toStartOfHour(timestamp) AS hour, retention_days,',
    "    toUInt64(sum(count)) AS errors, toUInt64(sum(length(frame_statuses))) AS frames,",
    "    toUInt64(sum(arrayCount(s -> s IN ('mapped', 'source_missing'), frame_statuses))) AS mapped, toUInt64(0) AS page_views,",
    "    uniqState(nullIf(session_id, '')) AS sessions, min(timestamp) AS first_seen, max(timestamp) AS last_seen",
  ];
  const releaseNavigationsSelect = [
    'SELECT project_id, release, toStartOfHour(timestamp) AS hour, retention_days,',
    '    toUInt64(0) AS errors, toUInt64(0) AS frames, toUInt64(0) AS mapped, count() AS page_views,',
    "    uniqState(nullIf(session_id, '')) AS sessions, min(timestamp) AS first_seen, max(timestamp) AS last_seen",
  ];
  const releaseGroup = 'GROUP BY project_id, release, hour, retention_days';

  return [
    ...createTable(options, {
      ...aggregate,
      name: 'issue_daily',
      columns: [
        'project_id UInt32',
        'issue_id String',
        'day Date',
        'release LowCardinality(String)',
        'environment LowCardinality(String)',
        'retention_days UInt16',
        'events SimpleAggregateFunction(sum, UInt64)',
        'stored SimpleAggregateFunction(sum, UInt64)',
        `users AggregateFunction(${SKETCH}(${SKETCH_PRECISION}), Nullable(String))`,
        `sessions AggregateFunction(${SKETCH}(${SKETCH_PRECISION}), Nullable(String))`,
        "first_seen SimpleAggregateFunction(min, DateTime64(3,'UTC'))",
        "last_seen SimpleAggregateFunction(max, DateTime64(3,'UTC'))",
        "latest_event AggregateFunction(argMax, UUID, DateTime64(3,'UTC'))",
      ],
      partitionBy: '(retention_days, toYYYYMM(day))',
      ttl: 'day + toIntervalDay(retention_days)',
      orderBy: '(project_id, issue_id, day, release, environment, retention_days)',
    }),
    ...createTable(options, {
      ...aggregate,
      name: 'issue_days',
      columns: [
        'project_id UInt32',
        'issue_id String',
        'day Date',
        'retention_days UInt16',
        'events SimpleAggregateFunction(sum, UInt64)',
        `users AggregateFunction(${SKETCH}(${SKETCH_PRECISION}), Nullable(String))`,
        `sessions AggregateFunction(${SKETCH}(${SKETCH_PRECISION}), Nullable(String))`,
        "first_seen SimpleAggregateFunction(min, DateTime64(3,'UTC'))",
        "last_seen SimpleAggregateFunction(max, DateTime64(3,'UTC'))",
      ],
      partitionBy: '(retention_days, toYYYYMM(day))',
      ttl: 'day + toIntervalDay(retention_days)',
      orderBy: '(project_id, issue_id, day, retention_days)',
    }),
    // One narrow row per error, sorted by issue and time: an issue's newest events are a short
    // range read (then their rows come from `errors` by primary key). Partitioned like `errors`,
    // so expiry drops whole parts; sharded by issue like `errors`, so the view's rows (written on
    // the shard of their error) and the backfill's (through the Distributed table) agree.
    ...createTable(options, {
      name: 'issue_events',
      columns: [
        'project_id UInt32',
        'issue_id String',
        "timestamp DateTime64(3,'UTC')",
        'event_id UUID',
        `retention_days UInt16 DEFAULT ${options.retentionDays}`,
      ],
      partitionBy: '(retention_days, toYYYYMMDD(timestamp))',
      ttl: 'toDateTime(timestamp) + toIntervalDay(retention_days)',
      settings: ['ttl_only_drop_parts = 1'],
      orderBy: '(project_id, issue_id, timestamp, event_id)',
      sharded: true,
      shardKey: ISSUE_SHARD_KEY,
    }),
    ...createTable(options, {
      ...aggregate,
      name: 'issue_breakdowns',
      columns: [
        'project_id UInt32',
        'dimension LowCardinality(String)',
        'issue_id String',
        "hour DateTime('UTC')",
        'key LowCardinality(String)',
        'value String',
        'retention_days UInt16',
        'events SimpleAggregateFunction(sum, UInt64)',
      ],
      partitionBy: '(retention_days, toYYYYMM(hour))',
      ttl: 'hour + toIntervalDay(retention_days)',
      orderBy: '(project_id, dimension, issue_id, hour, key, value, retention_days)',
    }),
    [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.issue_daily_mv${onCluster} TO ${database}.${stored('issue_daily')} AS`,
      ...dailySelect,
      `FROM ${database}.${errorsSource}`,
      ...dailyWhere,
    ].join('\n'),
    [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.issue_days_mv${onCluster} TO ${database}.${stored('issue_days')} AS`,
      ...daysSelect,
      `FROM ${database}.${errorsSource}`,
      ...daysWhere,
    ].join('\n'),
    [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.issue_events_mv${onCluster} TO ${database}.${stored('issue_events')} AS`,
      ...eventsSelect,
      `FROM ${database}.${errorsSource}`,
      ...eventsWhere,
    ].join('\n'),
    [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.issue_breakdowns_mv${onCluster} TO ${database}.${stored('issue_breakdowns')} AS`,
      ...breakdownSelect,
      `FROM ${database}.${errorsSource}`,
      ...breakdownJoin,
      ...breakdownWhere,
    ].join('\n'),
    // Releases page: per release and hour, errors (Σcount), frames and mapped frames from `errors`,
    // page views from `navigations`, sessions from both (two views into one table).
    ...createTable(options, {
      engine: 'aggregating',
      sharded: true,
      shardKey: 'cityHash64(release)',
      name: 'release_counts',
      columns: [
        'project_id UInt32',
        'release LowCardinality(String)',
        "hour DateTime('UTC')",
        'retention_days UInt16',
        'errors SimpleAggregateFunction(sum, UInt64)',
        'frames SimpleAggregateFunction(sum, UInt64)',
        'mapped SimpleAggregateFunction(sum, UInt64)',
        'page_views SimpleAggregateFunction(sum, UInt64)',
        'sessions AggregateFunction(uniq, Nullable(String))',
        "first_seen SimpleAggregateFunction(min, DateTime64(3,'UTC'))",
        "last_seen SimpleAggregateFunction(max, DateTime64(3,'UTC'))",
      ],
      partitionBy: '(retention_days, toYYYYMM(hour))',
      ttl: 'hour + toIntervalDay(retention_days)',
      orderBy: '(project_id, hour, release, retention_days)',
    }),
    [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.release_counts_errors_mv${onCluster} TO ${database}.${stored('release_counts')} AS`,
      ...releaseErrorsSelect,
      `FROM ${database}.${errorsSource}`,
      releaseGroup,
    ].join('\n'),
    [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.release_counts_navigations_mv${onCluster} TO ${database}.${stored('release_counts')} AS`,
      ...releaseNavigationsSelect,
      `FROM ${database}.${cluster ? 'navigations_local' : 'navigations'}`,
      releaseGroup,
    ].join('\n'),
    // Backfill (see above): through the Distributed tables on a cluster, which re-shard by issue.
    `TRUNCATE TABLE IF EXISTS ${database}.${stored('issue_daily')}${onCluster}`,
    [`INSERT INTO ${database}.issue_daily`, ...dailySelect, `FROM ${database}.errors`, ...dailyWhere].join('\n'),
    `TRUNCATE TABLE IF EXISTS ${database}.${stored('issue_days')}${onCluster}`,
    [`INSERT INTO ${database}.issue_days`, ...daysSelect, `FROM ${database}.errors`, ...daysWhere].join('\n'),
    `TRUNCATE TABLE IF EXISTS ${database}.${stored('issue_events')}${onCluster}`,
    [`INSERT INTO ${database}.issue_events`, ...eventsSelect, `FROM ${database}.errors`, ...eventsWhere].join('\n'),
    `TRUNCATE TABLE IF EXISTS ${database}.${stored('issue_breakdowns')}${onCluster}`,
    [`INSERT INTO ${database}.issue_breakdowns`, ...breakdownSelect, `FROM ${database}.errors`, ...breakdownJoin, ...breakdownWhere].join('\n'),
    `TRUNCATE TABLE IF EXISTS ${database}.${stored('release_counts')}${onCluster}`,
    [`INSERT INTO ${database}.release_counts`, ...releaseErrorsSelect, `FROM ${database}.errors`, releaseGroup].join('\n'),
    [`INSERT INTO ${database}.release_counts`, ...releaseNavigationsSelect, `FROM ${database}.navigations`, releaseGroup].join('\n'),
  ];
}

/**
 * Version 6: certificate monitoring (docs/certs.md). `cert_targets`: the targets added through the
 * API (newest definition wins, deletion is a tombstone), shared by every collector on the store.
 * `cert_checks`: one row per target × address × check — state, days left, verdicts, the leaf's
 * fingerprint and the whole chain as JSON — kept 400 days (longer than any certificate lives, so
 * the fingerprint history shows the renewals), replicated to every node like the alert tables.
 */
function certificateChecks(options: SchemaOptions): string[] {
  return [
    ...createTable(options, {
      name: 'cert_targets',
      columns: [
        'project_id UInt32',
        'target_id String',
        'host String',
        'port UInt16',
        'protocol LowCardinality(String)',
        'server_name String',
        'warn_days UInt16',
        'crit_days UInt16',
        "updated_at DateTime64(3,'UTC')",
        'deleted UInt8',
      ],
      versionColumn: 'updated_at',
      orderBy: '(project_id, target_id)',
      sharded: false,
    }),
    ...createTable(options, {
      name: 'cert_checks',
      columns: [
        'project_id UInt32',
        'target_id String',
        "checked_at DateTime64(3,'UTC')",
        'check_id String',
        'host String',
        'port UInt16',
        'protocol LowCardinality(String)',
        'server_name String',
        'address String',
        'family UInt8',
        'connected UInt8',
        'error String',
        'state LowCardinality(String)',
        'min_days_left Nullable(Int32)',
        'verdict_codes Array(LowCardinality(String))',
        'verdict_severities Array(LowCardinality(String))',
        'verdict_messages Array(String)',
        'leaf_fingerprint String',
        'leaf_subject String',
        'leaf_issuer String',
        'leaf_not_after String',
        'protocol_version LowCardinality(String)',
        'cipher String',
        'chain String CODEC(ZSTD(3))',
        'ocsp String',
        'collector_id String',
      ],
      orderBy: '(project_id, target_id, checked_at, address, check_id)',
      ttl: 'toDateTime(checked_at) + INTERVAL 400 DAY',
      sharded: false,
    }),
  ];
}

interface TableSpec {
  name: string;
  columns: string[];
  /** Skip indexes (`INDEX name expr TYPE … GRANULARITY n`). */
  indexes?: string[];
  orderBy: string;
  /** Default `replacing`: ReplacingMergeTree. `aggregating`: AggregatingMergeTree (rows merged by key). */
  engine?: 'replacing' | 'aggregating';
  /** Sharding expression of the Distributed table (sharded tables on a cluster). Default `cityHash64(event_id)`. */
  shardKey?: string;
  /** ReplacingMergeTree keeps the row with the highest value of this column; else the last inserted. */
  versionColumn?: string;
  partitionBy?: string;
  ttl?: string;
  settings?: string[];
  /** Event tables: one shard holds each row (cluster: `_local` + Distributed). Else: a full copy on every node. */
  sharded: boolean;
}

/** The CREATE statement(s) for one logical table: one without a cluster, two for a sharded table on a cluster. */
function createTable(options: SchemaOptions, spec: TableSpec): string[] {
  const { database, cluster } = options;
  const onCluster = cluster ? ` ON CLUSTER ${clusterIdentifier(cluster)}` : '';
  const storedName = cluster && spec.sharded ? `${spec.name}_local` : spec.name;
  const versionArgument = spec.versionColumn ? `, ${spec.versionColumn}` : '';
  const keeperPath = spec.sharded ? `/clickhouse/tables/{shard}/{database}/${storedName}` : `/clickhouse/tables/{database}/${storedName}`;
  const family = spec.engine === 'aggregating' ? 'AggregatingMergeTree' : 'ReplacingMergeTree';
  const engine = cluster
    ? `Replicated${family}('${keeperPath}', '{replica}'${versionArgument})`
    : `${family}(${spec.versionColumn ?? ''})`;
  // Insert deduplication (by token or by block hash) is what makes a replayed insert a no-op.
  const dedupWindow = cluster ? 'replicated_deduplication_window = 1000' : 'non_replicated_deduplication_window = 1000';

  const statements = [
    [
      `CREATE TABLE IF NOT EXISTS ${database}.${storedName}${onCluster}`,
      `(\n${[...spec.columns, ...(spec.indexes ?? [])].map((column) => `    ${column}`).join(',\n')}\n)`,
      `ENGINE = ${engine}`,
      spec.partitionBy ? `PARTITION BY ${spec.partitionBy}` : '',
      `ORDER BY ${spec.orderBy}`,
      spec.ttl ? `TTL ${spec.ttl}` : '',
      `SETTINGS ${[...(spec.settings ?? []), dedupWindow].join(', ')}`,
    ]
      .filter(Boolean)
      .join('\n'),
  ];
  if (cluster && spec.sharded) {
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${database}.${spec.name}${onCluster} AS ${database}.${storedName}\n` +
        `ENGINE = Distributed(${clusterIdentifier(cluster)}, ${database}, ${storedName}, ${spec.shardKey ?? 'cityHash64(event_id)'})`,
    );
  }
  return statements;
}

function checkSchemaOptions(options: SchemaOptions): void {
  checkDatabaseName(options.database);
  if (options.cluster !== undefined) checkClusterName(options.cluster);
  const days = options.retentionDays;
  if (!Number.isInteger(days) || days < 1 || days > 65_535) {
    throw new StoreError(`Retention of ${days} days is not usable: give a whole number of days from 1 to 65535.`, false);
  }
}
