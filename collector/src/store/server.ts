/**
 * The backend for an existing ClickHouse server (`--clickhouse-url`), over its HTTP
 * interface with @clickhouse/client. The same SQL as the embedded backend.
 *
 * Failures are split for the processor: anything that is not an answer from ClickHouse
 * (connection refused, reset, timeout, a 5xx page from a proxy) and ClickHouse's own
 * "busy right now" exceptions are retryable; an exception about the statement is not.
 */
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { describeStatement, displayUrl, isTransientClickHouseCode } from './errors.js';
import { checkClusterName, checkDatabaseName, checkTableName, clusterIdentifier } from './identifiers.js';
import { StoreError, type InsertOptions, type QueryParams, type Store } from './types.js';

export interface ServerStoreOptions {
  /** `http(s)://host:port`, as given to `--clickhouse-url`. */
  url: string;
  /** Default `default`. */
  username?: string;
  /** Default empty. */
  password?: string;
  /** Created if missing (`ON CLUSTER` when `cluster` is set). */
  database: string;
  /** `--clickhouse-cluster`: the database is created on every node of this cluster. */
  cluster?: string;
  /** How long one request may take before it counts as a (retryable) failure. Default 30 s. */
  requestTimeoutMs?: number;
}

const AUTHENTICATION_CODES = new Set([192, 193, 194, 516]); // UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, AUTHENTICATION_FAILED

export async function openServerStore(options: ServerStoreOptions): Promise<Store> {
  const database = checkDatabaseName(options.database);
  const cluster = options.cluster === undefined ? undefined : checkClusterName(options.cluster);
  const where = displayUrl(options.url);
  const fail = (error: unknown, action: string) => toStoreError(error, action, where);

  const settings: ClickHouseSettings = {
    // Same behaviour as the embedded backend sets (see embedded.ts), whatever the server's defaults.
    output_format_json_quote_64bit_integers: 1,
    input_format_skip_unknown_fields: 0,
    // Through a Distributed table an acknowledged insert must already be on the shards:
    // the processor drops its spool range once the insert returns.
    ...(cluster ? { insert_distributed_sync: 1 } : {}),
  };
  const connect = (withDatabase: boolean): ClickHouseClient =>
    createClient({
      url: options.url,
      username: options.username ?? 'default',
      password: options.password ?? '',
      database: withDatabase ? database : undefined,
      request_timeout: options.requestTimeoutMs ?? 30_000,
      application: 'lookout',
      clickhouse_settings: settings,
      // Failures reach the caller as StoreError; the client's own console logging would say it twice.
      log: { level: ClickHouseLogLevel.OFF },
    });

  // The database has to exist before a client may name it in every request.
  const bootstrap = connect(false);
  const createDatabase = `CREATE DATABASE IF NOT EXISTS ${database}${cluster ? ` ON CLUSTER ${clusterIdentifier(cluster)}` : ''}`;
  try {
    await bootstrap.command({ query: createDatabase });
  } catch (error) {
    throw fail(error, `run "${createDatabase}"`);
  } finally {
    await bootstrap.close();
  }

  const client = connect(true);
  const query = async <T>(sql: string, params?: QueryParams): Promise<T[]> => {
    try {
      const result = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
      return await result.json<T>();
    } catch (error) {
      throw fail(error, `run "${describeStatement(sql)}"`);
    }
  };

  return {
    backend: 'server',
    database,

    async exec(sql, params) {
      try {
        await client.command({ query: sql, query_params: params });
      } catch (error) {
        throw fail(error, `run "${describeStatement(sql)}"`);
      }
    },

    query,

    async insert(table: string, rows: readonly object[], insertOptions: InsertOptions = {}) {
      if (rows.length === 0) return;
      try {
        await client.insert({
          table: checkTableName(table),
          values: rows as object[],
          ...(insertOptions.columns
            ? { format: 'JSONCompactEachRow' as const, columns: insertOptions.columns as [string, ...string[]] }
            : { format: 'JSONEachRow' as const }),
          clickhouse_settings:
            insertOptions.dedupToken === undefined ? {} : { insert_deduplication_token: insertOptions.dedupToken },
        });
      } catch (error) {
        throw fail(error, `insert ${rows.length} row(s) into ${table}`);
      }
    },

    async ping() {
      const result = await client.ping();
      if (!result.success) throw fail(result.error, 'answer a ping');
    },

    async version() {
      const [row] = await query<{ version: string }>('SELECT version() AS version');
      return row.version;
    },

    async close() {
      await client.close();
    },
  };
}

function toStoreError(error: unknown, action: string, where: string): StoreError {
  if (error instanceof StoreError) return error;
  if (error instanceof ClickHouseError) {
    const code = Number(error.code);
    const hint = AUTHENTICATION_CODES.has(code) ? ' Check --clickhouse-user and --clickhouse-password.' : '';
    return new StoreError(
      `ClickHouse at ${where} could not ${action}: ${error.message.trim()} (code ${error.code}, ${error.type}).${hint}`,
      isTransientClickHouseCode(code),
      { cause: error },
    );
  }
  // No ClickHouse exception in the answer: the request did not get through (refused,
  // reset, timed out) or something in between answered (a proxy's 502/503 page).
  const message = error instanceof Error ? error.message.trim() : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  return new StoreError(
    `Could not ${action} on ClickHouse at ${where}: ${detail || 'no details'}. ` +
      'No answer came from ClickHouse itself (server down, network, proxy or timeout), so it will be retried; ' +
      'check that the server is running and reachable and that --clickhouse-url is right.',
    true,
    { cause: error },
  );
}
