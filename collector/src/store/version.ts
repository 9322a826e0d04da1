/**
 * Refuses ClickHouse servers older than the schema needs (Map, Bool, lightweight
 * settings like insert_deduplication_token…), before anything else talks to them.
 *
 * Asked with a bare `GET /?query=SELECT version()` rather than @clickhouse/client
 * because that is the one request every version answers: the client sends URL
 * parameters (`param_*`, newer settings) that old servers reject with "Unknown
 * setting" instead of telling us their version — and Debian still ships 18.16.
 */
import { displayUrl } from './errors.js';
import { StoreError } from './types.js';

export const MINIMUM_CLICKHOUSE_VERSION = '23.8';

export interface ServerCredentials {
  /** Default `default`. */
  username?: string;
  /** Default empty. */
  password?: string;
}

/** `23.8.1.1` → `[23, 8]`; undefined when the text is not a ClickHouse version. */
export function parseClickHouseVersion(text: string): [major: number, minor: number] | undefined {
  const match = /^(\d+)\.(\d+)(\.\d+)*$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function isSupportedClickHouseVersion(version: string): boolean {
  const found = parseClickHouseVersion(version);
  const [minMajor, minMinor] = parseClickHouseVersion(MINIMUM_CLICKHOUSE_VERSION)!;
  if (!found) return false;
  return found[0] > minMajor || (found[0] === minMajor && found[1] >= minMinor);
}

/**
 * Resolves with the server's version when it is new enough; rejects with a StoreError
 * that says what was found and what to do (retryable only when the server did not answer).
 */
export async function checkServerVersion(url: string, credentials: ServerCredentials = {}, options: { timeoutMs?: number } = {}): Promise<string> {
  const version = await fetchServerVersion(url, credentials, options.timeoutMs ?? 10_000);
  if (!isSupportedClickHouseVersion(version)) {
    throw new StoreError(
      `ClickHouse at ${displayUrl(url)} is version ${version}; Lookout needs ${MINIMUM_CLICKHOUSE_VERSION} or newer. ` +
        'Upgrade the server, or drop --clickhouse-url to use the embedded store.',
      false,
    );
  }
  return version;
}

async function fetchServerVersion(url: string, credentials: ServerCredentials, timeoutMs: number): Promise<string> {
  const where = displayUrl(url);
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    throw new StoreError(`--clickhouse-url ${JSON.stringify(url)} is not a URL; expected something like http://clickhouse:8123.`, false, { cause: error });
  }
  // fetch() refuses URLs with credentials in them; send them as Basic auth instead.
  const username = credentials.username ?? (decodeURIComponent(target.username) || 'default');
  const password = credentials.password ?? decodeURIComponent(target.password);
  target.username = '';
  target.password = '';
  target.searchParams.set('query', 'SELECT version()');

  let response: Response;
  let body: string;
  try {
    response = await fetch(target, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = (await response.text()).trim();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new StoreError(
      `Cannot reach ClickHouse at ${where} (${detail}). Check that the server is running and that --clickhouse-url is right.`,
      true,
      { cause: error },
    );
  }

  if (!response.ok) {
    const refusedLogin = response.status === 401 || response.status === 403 || /Code: (192|193|194|516)\b/.test(body);
    const hint = refusedLogin
      ? 'Check --clickhouse-user and --clickhouse-password.'
      : 'Check that --clickhouse-url points at the HTTP port of ClickHouse (usually 8123).';
    throw new StoreError(
      `ClickHouse at ${where} answered HTTP ${response.status} to SELECT version(): ${body.slice(0, 300)}. ${hint}`,
      response.status >= 500 && !refusedLogin,
    );
  }
  if (!parseClickHouseVersion(body)) {
    throw new StoreError(
      `The server at ${where} answered ${JSON.stringify(body.slice(0, 100))} to SELECT version(), which is not a ClickHouse version. ` +
        'Check that --clickhouse-url points at the HTTP port of ClickHouse (usually 8123).',
      false,
    );
  }
  return body;
}
