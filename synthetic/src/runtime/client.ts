/**
 * The HTTP side of a protocol: one undici Agent (keep-alive pools per origin) shared by every
 * virtual user of the simulation, and one exchange = one request with its redirects followed,
 * its cookies stored in the user's jar, its body read, all under one timeout.
 */
import { Agent, type Dispatcher } from 'undici';
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
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  followRedirects: boolean;
}

export type Exchange =
  | { ok: true; start: number; end: number; status: number; headers: Record<string, string[]>; body: Buffer; url: URL }
  | { ok: false; start: number; end: number; failure: string; status?: number };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createHttpClient(config: ProtocolConfig): HttpClient {
  const agent = new Agent({
    connections: config.maxConnectionsPerHost ?? null,
    keepAliveTimeout: 30_000,
    // Our own timer bounds the whole exchange; undici's own timeouts would only cut in later.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  return {
    config,
    exchange: (request, jar) => exchange(agent, request, jar, config.maxRedirects),
    close: () => agent.close(),
  };
}

async function exchange(agent: Dispatcher, request: OutgoingRequest, jar: CookieJar, maxRedirects: number): Promise<Exchange> {
  const controller = timeoutSignal();
  const timer = setTimeout(controller.abort, request.timeoutMs);
  const start = performance.now();
  let { method, url, body } = request;
  let headers = { ...request.headers };
  try {
    for (let hop = 0; ; hop++) {
      const cookie = jar.headerFor(url);
      const response = await agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: method as Dispatcher.HttpMethod,
        headers: cookie ? { ...headers, cookie } : headers,
        body,
        signal: controller,
      });
      const responseHeaders = normalizeHeaders(response.headers);
      jar.store(url, responseHeaders['set-cookie'] ?? []);
      const location = responseHeaders.location?.[0];
      if (request.followRedirects && REDIRECTS.has(response.statusCode) && location) {
        await response.body.dump();
        if (hop >= maxRedirects) return { ok: false, start, end: performance.now(), failure: `too many redirects (more than ${maxRedirects})`, status: response.statusCode };
        const next = new URL(location, url);
        // Browsers turn a redirected POST into a GET (always for 303); 307/308 repeat the request as is.
        if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method !== 'GET' && method !== 'HEAD')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          body = undefined;
          headers = withoutHeaders(headers, ['content-type', 'content-length']);
        }
        // Credentials meant for one origin are not handed to another (as fetch does).
        if (next.origin !== url.origin) headers = withoutHeaders(headers, ['authorization']);
        url = next;
        continue;
      }
      const bytes = Buffer.from(await response.body.arrayBuffer());
      return { ok: true, start, end: performance.now(), status: response.statusCode, headers: responseHeaders, body: bytes, url };
    }
  } catch (error) {
    const reason = controller.aborted ? `timeout after ${request.timeoutMs} ms` : describeError(error);
    return { ok: false, start, end: performance.now(), failure: reason };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The smallest signal undici accepts (an EventEmitter-like `once('abort')`, documented for
 * `request`). An AbortController per request costs ~7 µs of CPU in the generator — a quarter of
 * the runtime's own cost per request — and this costs next to nothing. No Error is built up
 * front either: capturing a stack per request is measurable at thousands of requests per second.
 */
function timeoutSignal() {
  let listeners: (() => void)[] = [];
  const signal = {
    aborted: false,
    reason: undefined as Error | undefined,
    // undici checks for `on` and subscribes with `once`; the signal fires at most once, so both add.
    on(_event: 'abort', listener: () => void) {
      listeners.push(listener);
    },
    once(_event: 'abort', listener: () => void) {
      listeners.push(listener);
    },
    removeListener(_event: 'abort', listener: () => void) {
      listeners = listeners.filter((l) => l !== listener);
    },
    abort() {
      if (signal.aborted) return;
      signal.aborted = true;
      signal.reason = new Error('timeout');
      const waiting = listeners;
      listeners = [];
      for (const listener of waiting) listener();
    },
  };
  return signal;
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

function normalizeHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value : [value];
  }
  return headers;
}

/** Short, stable reasons (the report groups errors by reason): the error code when there is one. */
function describeError(error: unknown): string {
  const err = error as { code?: string; message?: string; errors?: { code?: string }[]; cause?: { code?: string; message?: string } };
  const code = err.code && err.code !== 'UND_ERR_SOCKET' ? err.code : err.cause?.code ?? err.errors?.[0]?.code;
  const message = err.message || err.cause?.message || String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
