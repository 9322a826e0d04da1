/**
 * The one storage seam. Two backends implement it with the same ClickHouse SQL:
 * `embedded` (chDB in-process) and `server` (@clickhouse/client over HTTP).
 */

/** Values bound server-side to `{name:Type}` placeholders; never spliced into SQL. */
export type QueryParams = Record<string, string | number | boolean | null | readonly (string | number)[]>;

export interface InsertOptions {
  /**
   * Same token ⇒ ClickHouse drops the second identical insert (insert deduplication).
   * The processor derives it from the spool range, so a replay never double-writes.
   */
  dedupToken?: string;
  /**
   * With a column list, each row is a positional array in that order (sent as
   * JSONCompactEachRow: cheaper to build, encode and parse than keyed objects).
   */
  columns?: readonly string[];
}

export interface Store {
  readonly backend: 'embedded' | 'server';
  /** The database every unqualified table name refers to. */
  readonly database: string;
  /** A statement with no result rows (DDL, ALTER, INSERT … SELECT). */
  exec(sql: string, params?: QueryParams): Promise<void>;
  /** A SELECT; rows come back as objects (JSONEachRow; 64-bit integers as strings). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Rows as objects keyed by column name, or as arrays when `options.columns` is given. */
  insert(table: string, rows: readonly object[], options?: InsertOptions): Promise<void>;
  /** Resolves when the engine answers; rejects with a message saying what to check. */
  ping(): Promise<void>;
  /** `SELECT version()` of the engine. */
  version(): Promise<string>;
  close(): Promise<void>;
}

/** Thrown when the store is unreachable or refuses; `retryable` tells the processor to back off and retry. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
