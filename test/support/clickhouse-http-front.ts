/**
 * TEST-ONLY: never imported by the collector.
 *
 * A small HTTP server that speaks the part of ClickHouse's HTTP interface that
 * @clickhouse/client uses, executing every statement on a real ClickHouse engine
 * (chDB). It lets the server backend be tested over real HTTP, with the real client,
 * against real ClickHouse SQL, without installing a ClickHouse server.
 *
 * How it maps the protocol (ClickHouse docs, "HTTP interface"):
 *   - the statement is the `query` URL parameter, followed by the request body when
 *     both are present (that is how INSERT … FORMAT x carries its data);
 *   - `param_<name>` values are handed to the engine as text, exactly as a server gets
 *     them (`SET param_<name> = '…'`), so the engine parses them by the placeholder's
 *     type — arrays as `['a','b']`, strings TSV-escaped;
 *   - any other unknown URL parameter is a setting (`SET name = '…'`): an unknown one
 *     fails the way a server would fail;
 *   - each request runs on its own chDB connection, so SET/USE never leak between
 *     requests (a connection costs ~2 ms);
 *   - errors: the status a server would use, `X-ClickHouse-Exception-Code`, and a
 *     `Code: N. DB::Exception: …` body.
 * Only text formats (the body is read as UTF-8); no multipart parameters, no sessions;
 * X-ClickHouse-Summary carries read counts only (written_rows is always 0).
 *
 * chDB holds one data directory per process. Run this in-process only where nothing
 * else opens chDB; otherwise run it as its own process:
 *   npx tsx test/support/clickhouse-http-front.ts --data DIR --port N [--user U --password P]
 * It prints `{"url":"http://127.0.0.1:N"}` on one stdout line, then reads commands
 * from stdin, one JSON per line: `{"down":false|"http-503"|"refuse"}` (answered with
 * `{"ok":true}`). It exits when stdin closes. `spawnClickHouseHttpFront` does all that.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

/** `http-503`: every request gets 503 Service Unavailable. `refuse`: the port stops listening. */
export type FrontOutage = 'http-503' | 'refuse';

export interface ClickHouseHttpFront {
  /** `http://127.0.0.1:<port>`, to give to @clickhouse/client or `--clickhouse-url`. */
  url: string;
  /** Simulates an outage until called with `false`; the port stays the same. */
  setDown(down: boolean, how?: FrontOutage): Promise<void>;
  close(): Promise<void>;
}

export interface ClickHouseHttpFrontOptions {
  /** chDB data directory (created if missing). */
  dataDir: string;
  /** 0 or omitted: a free port. */
  port?: number;
  /** When set, requests must authenticate as this user (Basic auth, `user`/`password` params or X-ClickHouse-User/Key). */
  credentials?: { username: string; password: string };
}

/** URL parameters that belong to the HTTP interface itself rather than being settings. */
const HTTP_PARAMETERS = new Set([
  'query', 'database', 'query_id', 'default_format', 'user', 'password', 'quota_key', 'compress', 'decompress',
  'role', 'wait_end_of_query', 'buffer_size', 'session_timeout', 'session_check', 'stacktrace',
]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function startClickHouseHttpFront(options: ClickHouseHttpFrontOptions): Promise<ClickHouseHttpFront> {
  // Imported here so that spawning a front as a child process does not load the engine into the parent.
  const { Session } = await import('chdb');
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Held for the front's life so the engine stays up between requests.
  const anchor = new Session(dataDir);
  let outage: FrontOutage | false = false;

  const run = async (request: FrontRequest) => {
    const session = new Session(dataDir);
    try {
      const assignments = [...request.settings, ...request.params.map(([name, value]) => [`param_${name}`, value] as const)];
      if (assignments.length > 0) await session.queryAsync(`SET ${assignments.map(([name, value]) => `${name} = ${sqlString(value)}`).join(', ')}`);
      if (request.database) await session.queryAsync(`USE \`${request.database}\``);
      return await session.queryAsync(request.sql, { format: request.defaultFormat });
    } finally {
      session.close();
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (outage === 'http-503') return sendText(res, 503, 'Service Unavailable: the test ClickHouse front is down.\n');
    const url = new URL(req.url ?? '/', 'http://front');
    const queryId = url.searchParams.get('query_id') ?? randomUUID();
    if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))) {
      return sendText(res, 200, 'Ok.\n');
    }
    try {
      if (url.pathname !== '/') throw clickHouseException(404, 'UNKNOWN_HANDLER', `There is no handle ${url.pathname}`);
      if (options.credentials) authenticate(req, url, options.credentials);
      const body = await readBody(req);
      const request = parseRequest(url, body, req.headers['content-type']);
      const started = process.hrtime.bigint();
      const result = await run(request);
      const payload = Buffer.from(result.bytes());
      const summary = {
        read_rows: String(result.rowsRead),
        read_bytes: String(result.bytesRead),
        written_rows: '0',
        written_bytes: '0',
        total_rows_to_read: '0',
        result_rows: '0',
        result_bytes: String(payload.length),
        elapsed_ns: String(process.hrtime.bigint() - started),
      };
      const gzip = request.settings.some(([name, value]) => name === 'enable_http_compression' && value === '1') &&
        /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      res.writeHead(200, {
        'Content-Type': /^JSON/i.test(request.format) ? 'application/json; charset=UTF-8' : 'text/plain; charset=UTF-8',
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Format': request.format,
        'X-ClickHouse-Summary': JSON.stringify(summary),
        'X-ClickHouse-Server-Display-Name': 'clickhouse-http-front',
        'Keep-Alive': 'timeout=10',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      });
      res.end(gzip ? gzipSync(payload) : payload);
    } catch (error) {
      const failure = asClickHouseFailure(error);
      res.writeHead(failure.status, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Exception-Code': String(failure.code),
        'Keep-Alive': 'timeout=10',
      });
      res.end(`${failure.message}\n`);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => sendText(res, 500, `${String(error)}\n`));
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<number>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolveListen(typeof address === 'object' && address ? address.port : port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      for (const socket of sockets) socket.destroy();
    });

  const port = await listen(options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    async setDown(down, how = 'http-503') {
      const wasRefusing = outage === 'refuse';
      outage = down ? how : false;
      if (outage === 'refuse' && !wasRefusing) await stopListening();
      if (outage !== 'refuse' && wasRefusing) await listen(port);
    },
    async close() {
      if (outage !== 'refuse') await stopListening();
      anchor.close();
    },
  };
}

interface FrontRequest {
  sql: string;
  database?: string;
  settings: (readonly [string, string])[];
  params: (readonly [string, string])[];
  /** Format used when the statement has no FORMAT clause. */
  defaultFormat: string;
  /** The format the answer is in. */
  format: string;
}

function parseRequest(url: URL, body: string, contentType: string | undefined): FrontRequest {
  if (contentType?.startsWith('multipart/form-data')) {
    throw clickHouseException(400, 'BAD_ARGUMENTS', 'The test ClickHouse front does not support multipart query parameters');
  }
  const urlQuery = url.searchParams.get('query') ?? '';
  const sql = urlQuery && body ? `${urlQuery}\n${body}` : urlQuery || body;
  if (!sql.trim()) throw clickHouseException(400, 'SYNTAX_ERROR', 'Empty query');
  const settings: [string, string][] = [];
  const params: [string, string][] = [];
  for (const [name, value] of url.searchParams) {
    if (name.startsWith('param_')) params.push([checkName(name.slice('param_'.length)), value]);
    else if (!HTTP_PARAMETERS.has(name)) settings.push([checkName(name), value]);
  }
  const database = url.searchParams.get('database') || undefined;
  if (database !== undefined) checkName(database);
  const defaultFormat = url.searchParams.get('default_format') ?? 'TabSeparated';
  // INSERT … FORMAT x names the format of the data it reads, not of an answer.
  const statement = urlQuery || body;
  const formatClause = /^\s*INSERT\b/i.test(statement) ? undefined : /\bFORMAT\s+(\w+)\s*;?\s*$/i.exec(statement)?.[1];
  return { sql, database, settings, params, defaultFormat, format: formatClause ?? defaultFormat };
}

function authenticate(req: IncomingMessage, url: URL, expected: { username: string; password: string }): void {
  let username = url.searchParams.get('user') ?? header(req, 'x-clickhouse-user') ?? 'default';
  let password = url.searchParams.get('password') ?? header(req, 'x-clickhouse-key') ?? '';
  const basic = /^Basic\s+(.+)$/i.exec(header(req, 'authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (username !== expected.username || password !== expected.password) {
    throw clickHouseException(
      401,
      'AUTHENTICATION_FAILED',
      `${username}: Authentication failed: password is incorrect, or there is no user with such name`,
      516,
    );
  }
}

interface ClickHouseFailure {
  status: number;
  code: number;
  message: string;
}

function clickHouseException(status: number, type: string, text: string, code = CODES[type] ?? 1001): Error & { failure: ClickHouseFailure } {
  return Object.assign(new Error(text), { failure: { status, code, message: `Code: ${code}. DB::Exception: ${text}. (${type})` } });
}

const CODES: Record<string, number> = { BAD_ARGUMENTS: 36, SYNTAX_ERROR: 62, UNKNOWN_HANDLER: 631 };

/** The status ClickHouse's HTTP handler gives the common exception codes; 500 for the rest. */
const STATUS_BY_CODE: Record<number, number> = {
  6: 400, 27: 400, 36: 400, 38: 400, 41: 400, 53: 400, 62: 400, 70: 400, 72: 400, 73: 400, 115: 400, 117: 400, 376: 400, 456: 400, 457: 400,
  46: 404, 47: 404, 60: 404, 81: 404, 631: 404,
  164: 403, 497: 403,
  192: 401, 193: 401, 194: 401, 516: 401,
};

function asClickHouseFailure(error: unknown): ClickHouseFailure {
  const prepared = (error as { failure?: ClickHouseFailure }).failure;
  if (prepared) return prepared;
  const message = (error instanceof Error ? error.message : String(error)).trim();
  const reported = (error as { clickhouseCode?: unknown }).clickhouseCode;
  const code = typeof reported === 'number' ? reported : Number(/^Code: (\d+)/.exec(message)?.[1] ?? 1001);
  return {
    status: STATUS_BY_CODE[code] ?? 500,
    code,
    message: message.startsWith('Code:') ? message : `Code: ${code}. DB::Exception: ${message}. (UNKNOWN_EXCEPTION)`,
  };
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw clickHouseException(400, 'BAD_ARGUMENTS', `Invalid name in URL parameters: ${JSON.stringify(name)}`);
  return name;
}

/** A single-quoted ClickHouse string literal holding `text` byte for byte. */
function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (header(req, 'content-encoding') === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8' });
  res.end(text);
}

/**
 * Starts a front in a child process (its own chDB engine), so a test process can also
 * hold an embedded store. Same handle as the in-process front.
 */
export async function spawnClickHouseHttpFront(options: ClickHouseHttpFrontOptions): Promise<ClickHouseHttpFront> {
  const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
  const args = ['--data', options.dataDir, '--port', String(options.port ?? 0)];
  if (options.credentials) args.push('--user', options.credentials.username, '--password', options.credentials.password);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    cwd: repositoryRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line));
  const nextLine = () =>
    Promise.race([
      new Promise<string>((resolveLine) => waiting.push(resolveLine)),
      exited.then((code) => {
        throw new Error(`The ClickHouse HTTP front process exited (code ${code}) before answering; see its stderr above.`);
      }),
    ]);

  const { url } = JSON.parse(await nextLine()) as { url: string };
  return {
    url,
    async setDown(down, how = 'http-503') {
      child.stdin!.write(`${JSON.stringify({ down: down ? how : false })}\n`);
      await nextLine();
    },
    async close() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function runAsProcess(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const dataDir = flag('--data');
  if (!dataDir) {
    process.stderr.write('usage: npx tsx test/support/clickhouse-http-front.ts --data DIR [--port N] [--user NAME --password PASSWORD]\n');
    process.exit(2);
  }
  const username = flag('--user');
  const front = await startClickHouseHttpFront({
    dataDir,
    port: Number(flag('--port') ?? 0),
    credentials: username === undefined ? undefined : { username, password: flag('--password') ?? '' },
  });
  process.stdout.write(`${JSON.stringify({ url: front.url })}\n`);
  const commands = createInterface({ input: process.stdin });
  for await (const line of commands) {
    if (!line.trim()) continue;
    const { down } = JSON.parse(line) as { down: FrontOutage | false };
    await front.setDown(down !== false, down || undefined);
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  }
  // stdin closed: the parent is done (or gone).
  await front.close();
  process.exit(0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAsProcess(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`clickhouse-http-front: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
