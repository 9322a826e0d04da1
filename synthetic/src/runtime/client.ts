/**
 * The HTTP side of a protocol: one undici Agent (keep-alive pools per origin) shared by every
 * virtual user of the simulation, and one exchange = one request with its redirects followed,
 * its cookies stored in the user's jar, its body read, all under one timeout.
 *
 * This is the load generator's hot path (one call per request, tens of thousands per second), so
 * it avoids per-request garbage: it drives undici's low-level `dispatch` with one handler object
 * per exchange (no response stream, no header object unless asked for), bounds the exchange with
 * one shared timer per timeout value instead of a timer and an abort signal per request, builds
 * the timeout error only when one fires, and keeps the body only when something reads it.
 */
import { Agent, Client, type Dispatcher } from 'undici';
import type { CookieJar } from './cookies.js';

export interface ProtocolConfig {
  baseUrl?: string;
  /** Default headers of every request (lower-cased names). */
  headers: Record<string, string>;
  timeoutMs: number;
  /** undefined: as many connections per origin as there are requests in flight. */
  maxConnectionsPerHost?: number;
  followRedirects: boolean;
  maxRedirects: number;
  inferHtmlResources: boolean;
  /** Concurrent resource downloads per host and per user, as a browser does. */
  resourceConnectionsPerHost: number;
}

export const DEFAULT_PROTOCOL: ProtocolConfig = {
  headers: {},
  timeoutMs: 60_000,
  followRedirects: true,
  maxRedirects: 20,
  inferHtmlResources: false,
  resourceConnectionsPerHost: 6,
};

export interface HttpClient {
  config: ProtocolConfig;
  exchange(request: OutgoingRequest, jar: CookieJar): Promise<Exchange>;
  close(): Promise<void>;
}

export interface OutgoingRequest {
  method: string;
  url: URL;
  /** `url.origin` and `url.pathname + url.search`, when the caller has them precomputed. */
  origin?: string;
  path?: string;
  /** Not modified by the client (it may be shared between requests). */
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  followRedirects: boolean;
  /** false: nothing reads the body, so it is drained and dropped (`Exchange.body` is then undefined). */
  keepBody?: boolean;
}

export type Exchange =
  | {
      ok: true;
      start: number;
      end: number;
      status: number;
      /** As received: name, value, name, value… (see `headersOf`). */
      rawHeaders: Buffer[];
      /** undefined when the request said `keepBody: false`. */
      body: Buffer | undefined;
      url: URL;
    }
  | { ok: false; start: number; end: number; failure: string; status?: number };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const CONNECTION_OPTIONS = {
  keepAliveTimeout: 30_000,
  // Our own deadline bounds the whole exchange; undici's own timeouts would only cut in later.
  headersTimeout: 0,
  bodyTimeout: 0,
};

export function createHttpClient(config: ProtocolConfig): HttpClient {
  const connections: Connections = config.maxConnectionsPerHost === undefined ? new OpenConnections() : new CappedConnections(config.maxConnectionsPerHost);
  const timeouts = new Map<number, TimeoutQueue>();
  const queueFor = (ms: number) => {
    let queue = timeouts.get(ms);
    if (!queue) timeouts.set(ms, (queue = new TimeoutQueue(ms)));
    return queue;
  };
  return {
    config,
    exchange: (request, jar) =>
      new Promise<Exchange>((resolve) => {
        new ExchangeHandler(connections, request, jar, config.maxRedirects, queueFor(request.timeoutMs), resolve).send();
      }),
    close: () => connections.close(),
  };
}

/** Where a request goes: `take` a connection for it, `release` it once undici is done with the request. */
interface Connections {
  take(origin: string): Dispatcher;
  release(origin: string, connection: Dispatcher): void;
  close(): Promise<void>;
}

/** A cap per origin: undici's pools (one per origin, behind an Agent) queue what exceeds it. */
class CappedConnections implements Connections {
  private readonly agent: Agent;
  constructor(perOrigin: number) {
    this.agent = new Agent({ ...CONNECTION_OPTIONS, connections: perOrigin });
  }
  take(): Dispatcher {
    return this.agent;
  }
  release(): void {}
  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * No cap: one keep-alive connection per request in flight, so exactly as many connections as the
 * most requests ever in flight at once. Each origin keeps a stack of idle connections (undici
 * Clients); a request takes the most recently used one or opens a new one. (undici's own Pool
 * picks a connection by its drain state, which lags a microtask behind a response: a closed model
 * replacing users as fast as they end opened twice the connections it needed, and every request
 * then scanned them all.)
 */
class OpenConnections implements Connections {
  private readonly idle = new Map<string, Client[]>();
  private readonly all = new Set<Client>();
  take(origin: string): Dispatcher {
    const connection = this.idle.get(origin)?.pop();
    if (connection !== undefined) return connection;
    const created = new Client(origin, CONNECTION_OPTIONS);
    this.all.add(created);
    return created;
  }
  release(origin: string, connection: Dispatcher): void {
    const client = connection as Client;
    if (client.closed || client.destroyed) {
      this.all.delete(client);
      return;
    }
    let idle = this.idle.get(origin);
    if (!idle) this.idle.set(origin, (idle = []));
    idle.push(client);
  }
  async close(): Promise<void> {
    const clients = [...this.all];
    this.all.clear();
    this.idle.clear();
    await Promise.all(clients.map((client) => client.close()));
  }
}

/**
 * The exchanges in flight with one timeout value. They join in order of deadline (now + the
 * same ms), so a doubly linked list is sorted by construction: joining and leaving are O(1),
 * and one timer, armed for the oldest, serves them all.
 */
class TimeoutQueue {
  head: ExchangeHandler | null = null;
  tail: ExchangeHandler | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly ms: number) {}

  add(entry: ExchangeHandler): void {
    entry.deadline = entry.start + this.ms;
    entry.prev = this.tail;
    entry.next = null;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    entry.queued = true;
    if (this.timer === null) this.arm(entry.deadline);
  }

  remove(entry: ExchangeHandler): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = null;
    // Nothing left to time: no timer holds the process open. Otherwise the timer stays armed
    // for an earlier deadline and re-arms itself for the new head when it fires.
    if (this.head === null && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private arm(at: number): void {
    this.timer = setTimeout(this.fire, Math.max(0, at - performance.now()));
  }

  private fire = (): void => {
    this.timer = null;
    const now = performance.now();
    // A timer may fire a hair early (it counts whole ms): what is due within 1 ms goes now.
    while (this.head !== null && this.head.deadline <= now + 1) {
      const entry = this.head;
      this.remove(entry);
      entry.timeout();
    }
    if (this.head !== null && this.timer === null) this.arm(this.head.deadline);
  };
}

const NO_HEADERS: Buffer[] = [];

/** One exchange (its redirects included): undici's handler for each hop, and its place in the timeout queue. */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  // Timeout queue links.
  prev: ExchangeHandler | null = null;
  next: ExchangeHandler | null = null;
  deadline = 0;
  queued = false;

  readonly start = performance.now();
  private done = false;
  private hop = 0;
  private method: string;
  private url: URL;
  private origin: string;
  private path: string;
  private headers: Record<string, string>;
  private body: string | Buffer | undefined;
  private abort: ((reason?: Error) => void) | null = null;
  /** The connection of the hop in flight, until undici is done with it. */
  private connection: Dispatcher | null = null;
  private connectionOrigin = '';
  // The current hop's response.
  private status = 0;
  private rawHeaders: Buffer[] = NO_HEADERS;
  private setCookies: string[] | null = null;
  private location: string | undefined = undefined;
  private chunks: Buffer[] | null = null;

  constructor(
    private readonly connections: Connections,
    private readonly request: OutgoingRequest,
    private readonly jar: CookieJar,
    private readonly maxRedirects: number,
    private readonly timeouts: TimeoutQueue,
    private readonly resolve: (exchange: Exchange) => void,
  ) {
    this.method = request.method;
    this.url = request.url;
    this.origin = request.origin ?? request.url.origin;
    this.path = request.path ?? request.url.pathname + request.url.search;
    this.headers = request.headers;
    this.body = request.body;
    timeouts.add(this);
  }

  send(): void {
    const cookie = this.jar.headerFor(this.url);
    this.status = 0;
    this.rawHeaders = NO_HEADERS;
    this.setCookies = null;
    this.location = undefined;
    this.chunks = null;
    this.abort = null;
    const connection = this.connections.take(this.origin);
    this.connection = connection;
    this.connectionOrigin = this.origin;
    try {
      connection.dispatch(
        {
          origin: this.origin,
          path: this.path,
          method: this.method as Dispatcher.HttpMethod,
          headers: cookie ? { ...this.headers, cookie } : this.headers,
          body: this.body,
        },
        this,
      );
    } catch (error) {
      this.releaseConnection();
      this.fail(describeError(error));
    }
  }

  private releaseConnection(): void {
    const connection = this.connection;
    if (connection === null) return;
    this.connection = null;
    this.connections.release(this.connectionOrigin, connection);
  }

  // undici's handler (the callback API: raw header buffers, no stream).

  onConnect(abort: (reason?: Error) => void): void {
    if (this.done) abort(timeoutError(this.request.timeoutMs));
    else this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, _resume: () => void): boolean {
    if (this.done) return false;
    // 1xx informational responses (100 Continue, 103 Early Hints) precede the real one.
    if (statusCode < 200) return true;
    this.status = statusCode;
    const raw = (rawHeaders ?? NO_HEADERS) as Buffer[];
    this.rawHeaders = raw;
    // Only the headers the client itself acts on are decoded here; the rest when a check asks.
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i];
      if (name.length === 10 && isName(name, 'set-cookie')) (this.setCookies ??= []).push(text(raw[i + 1]));
      else if (name.length === 8 && this.location === undefined && isName(name, 'location')) this.location = text(raw[i + 1]);
    }
    if (this.request.keepBody !== false) this.chunks = [];
    return true;
  }

  onData(chunk: Buffer): boolean {
    // Drained either way; kept only when something reads it.
    if (this.chunks !== null && !this.done) this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    this.releaseConnection();
    if (this.done) return;
    const { status, url } = this;
    if (this.setCookies !== null) this.jar.store(url, this.setCookies);
    const location = this.location;
    if (this.request.followRedirects && location && REDIRECTS.has(status)) {
      if (this.hop >= this.maxRedirects) return this.fail(`too many redirects (more than ${this.maxRedirects})`, status);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch (error) {
        return this.fail(describeError(error));
      }
      const method = this.method;
      // Browsers turn a redirected POST into a GET (always for 303); 307/308 repeat the request as is.
      if (status === 303 || ((status === 301 || status === 302) && method !== 'GET' && method !== 'HEAD')) {
        this.method = method === 'HEAD' ? 'HEAD' : 'GET';
        this.body = undefined;
        this.headers = withoutHeaders(this.headers, ['content-type', 'content-length']);
      }
      // Credentials meant for one origin are not handed to another (as fetch does).
      const origin = next.origin;
      if (origin !== this.origin) this.headers = withoutHeaders(this.headers, ['authorization']);
      this.url = next;
      this.origin = origin;
      this.path = next.pathname + next.search;
      this.hop++;
      this.send();
      return;
    }
    const chunks = this.chunks;
    const body = chunks === null ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    this.finish({ ok: true, start: this.start, end: performance.now(), status, rawHeaders: this.rawHeaders, body, url });
  }

  onError(error: Error): void {
    this.releaseConnection();
    if (this.done) return;
    this.fail(describeError(error));
  }

  onUpgrade(): void {
    this.fail('unexpected protocol upgrade');
  }

  /** Called by the timeout queue at the deadline. */
  timeout(): void {
    if (this.done) return;
    this.finish({ ok: false, start: this.start, end: performance.now(), failure: `timeout after ${this.request.timeoutMs} ms` });
    // A request still queued for a connection is aborted when it gets one (onConnect).
    this.abort?.(timeoutError(this.request.timeoutMs));
  }

  private fail(failure: string, status?: number): void {
    this.finish(status === undefined ? { ok: false, start: this.start, end: performance.now(), failure } : { ok: false, start: this.start, end: performance.now(), failure, status });
  }

  private finish(exchange: Exchange): void {
    if (this.done) return;
    this.done = true;
    this.chunks = null;
    this.timeouts.remove(this);
    this.resolve(exchange);
  }
}

function timeoutError(ms: number): Error {
  return new Error(`timeout after ${ms} ms`);
}

/** Whether a raw header name (any case) is `lower` (lower-case ASCII of the same length). */
function isName(name: Buffer, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((name[i] | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Response headers by lower-cased name (a header sent several times, like set-cookie, has several values). */
export function headersOf(raw: Buffer[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = text(raw[i]).toLowerCase();
    const value = text(raw[i + 1]);
    if (Object.hasOwn(headers, name)) headers[name].push(value);
    else Object.defineProperty(headers, name, { value: [value], enumerable: true, configurable: true, writable: true });
  }
  return headers;
}

/** Header bytes as undici decodes them (latin1). */
function text(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

/** Short, stable reasons (the report groups errors by reason): the error code when there is one. */
function describeError(error: unknown): string {
  const err = error as { code?: string; message?: string; errors?: { code?: string }[]; cause?: { code?: string; message?: string } };
  const code = err.code && err.code !== 'UND_ERR_SOCKET' ? err.code : err.cause?.code ?? err.errors?.[0]?.code;
  const message = err.message || err.cause?.message || String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
