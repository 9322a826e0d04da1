/**
 * The default backend: ClickHouse running inside the collector process (chDB), with
 * its files in `<dataDir>/clickhouse`. Nothing to install or operate.
 *
 * chDB binds one data directory per process: a second embedded store on another
 * directory is refused until the first is closed. The collector opens exactly one.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Session } from 'chdb';
import { describeStatement, isTransientClickHouseCode } from './errors.js';
import { checkDatabaseName, checkTableName } from './identifiers.js';
import { StoreError, type InsertOptions, type QueryParams, type Store } from './types.js';

export interface EmbeddedStoreOptions {
  /** Lookout's data folder; the engine keeps its files in `<dataDir>/clickhouse`. */
  dataDir: string;
  /** Created if missing; every unqualified table name refers to it. */
  database: string;
}

/**
 * The same input/output behaviour the server backend asks for on every request, so
 * code above the Store sees one behaviour whichever backend runs: 64-bit integers come
 * back as JSON strings (chDB's default prints them as numbers, losing precision past
 * 2^53), and a misspelt column in an insert is an error instead of silently dropped.
 */
const SESSION_SETTINGS = 'SET output_format_json_quote_64bit_integers = 1, input_format_skip_unknown_fields = 0';

export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<Store> {
  const database = checkDatabaseName(options.database);
  const path = join(options.dataDir, 'clickhouse');
  const where = `chDB at ${path}`;
  await mkdir(path, { recursive: true });

  let session: Session;
  try {
    session = new Session(path);
  } catch (error) {
    const message = messageOf(error);
    const hint = /one active data directory/.test(message)
      ? 'Only one embedded store can be open per process: close the other one, or use --clickhouse-url.'
      : `Check that ${path} is writable and not used by another program.`;
    throw new StoreError(`Cannot open the embedded ClickHouse store at ${path}: ${message}. ${hint}`, false, { cause: error });
  }

  const fail = (error: unknown, action: string): StoreError =>
    new StoreError(`Embedded ClickHouse (${where}) could not ${action}: ${messageOf(error)}`, isTransientClickHouseCode(codeOf(error)), {
      cause: error,
    });

  const run = async (sql: string, params: QueryParams | undefined, format: string): Promise<string> => {
    try {
      // Unbound statements skip chDB's process-wide lock for parameterised queries.
      const result =
        params && Object.keys(params).length > 0
          ? await session.queryBindAsync(sql, params, { format })
          : await session.queryAsync(sql, { format });
      return result.text();
    } catch (error) {
      throw fail(error, `run "${describeStatement(sql)}"`);
    }
  };

  try {
    await run(SESSION_SETTINGS, undefined, 'TabSeparated');
    await run(`CREATE DATABASE IF NOT EXISTS ${database}`, undefined, 'TabSeparated');
    // USE sticks to the session, so unqualified names resolve to the Lookout database.
    await run(`USE ${database}`, undefined, 'TabSeparated');
  } catch (error) {
    session.close();
    throw error;
  }

  return {
    backend: 'embedded',
    database,

    async exec(sql, params) {
      await run(sql, params, 'TabSeparated');
    },

    async query<T>(sql: string, params?: QueryParams): Promise<T[]> {
      return parseJsonEachRow<T>(await run(sql, params, 'JSONEachRow'));
    },

    async insert(table: string, rows: readonly object[], insertOptions: InsertOptions = {}) {
      if (rows.length === 0) return;
      const payload = await encodeRows(rows);
      const settings: Record<string, string> = {};
      if (insertOptions.dedupToken !== undefined) settings.insert_deduplication_token = insertOptions.dedupToken;
      try {
        await session.insert({
          table: checkTableName(table),
          values: payload,
          ...(insertOptions.columns ? { format: 'JSONCompactEachRow', columns: insertOptions.columns } : { format: 'JSONEachRow' }),
          settings,
        });
      } catch (error) {
        if (error instanceof StoreError) throw error;
        throw fail(error, `insert ${rows.length} row(s) into ${table}`);
      }
    },

    async ping() {
      await run('SELECT 1', undefined, 'TabSeparated');
    },

    async version() {
      return (await run('SELECT version()', undefined, 'TabSeparated')).trim();
    },

    async close() {
      session.close();
    },
  };
}

/** One JSON object per line; an empty result is an empty string. */
/** Rows → NDJSON, letting the event loop breathe between slices (large batches take tens of ms). */
async function encodeRows(rows: readonly object[]): Promise<Buffer> {
  const slices: Buffer[] = [];
  for (let i = 0; i < rows.length; i += 2000) {
    let text = '';
    for (const row of rows.slice(i, i + 2000)) text += `${JSON.stringify(row)}\n`;
    slices.push(Buffer.from(text));
    if (i + 2000 < rows.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return Buffer.concat(slices);
}

export function parseJsonEachRow<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (line.length > 0) rows.push(JSON.parse(line) as T);
  }
  return rows;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}

function codeOf(error: unknown): number | undefined {
  const code = (error as { clickhouseCode?: unknown } | null)?.clickhouseCode;
  return typeof code === 'number' ? code : undefined;
}
