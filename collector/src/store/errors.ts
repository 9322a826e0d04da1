/**
 * Which ClickHouse exceptions are worth retrying. Most exceptions are about the
 * statement itself (syntax, unknown table, a value that does not parse) and will fail
 * the same way forever; these are about the server's state at that moment.
 */
const TRANSIENT_CLICKHOUSE_CODES = new Set<number>([
  3, // UNEXPECTED_END_OF_FILE: connection cut mid-request
  32, // ATTEMPT_TO_READ_AFTER_EOF
  159, // TIMEOUT_EXCEEDED
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED (server shutting down)
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY (replica lost Keeper)
  252, // TOO_MANY_PARTS: merges are behind, back off
  279, // ALL_CONNECTION_TRIES_FAILED
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  439, // CANNOT_SCHEDULE_TASK
  999, // KEEPER_EXCEPTION
]);

export function isTransientClickHouseCode(code: number | undefined): boolean {
  return code !== undefined && TRANSIENT_CLICKHOUSE_CODES.has(code);
}

/** First line(s) of a statement, enough to recognise it in an error message. */
export function describeStatement(sql: string): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine;
}

/** The URL without credentials, for messages. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}
