/**
 * `httpProtocol()` (base URL, default headers, timeouts, pools, redirects, resources) and
 * `http(name).get(url)…` requests with headers, bodies, checks and resources. Builders are
 * immutable: every call returns a new builder, so one can be the base of several.
 */
import type { Check } from './checks.js';
import { DEFAULT_PROTOCOL, type ProtocolConfig } from '../runtime/client.js';
import type { Expression } from '../runtime/template.js';
import type { Session } from '../runtime/session.js';

export type Body =
  | { kind: 'string'; template: Expression<string>; contentType?: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: Record<string, Expression<unknown>> | ((session: Session) => Record<string, unknown>) };

/** A body from a template or a function: `StringBody('{"id": #{id}}')`. */
export function StringBody(template: Expression<string>): Body {
  return { kind: 'string', template };
}

/**
 * A JSON body from a value or a function of the session. Strings inside the value are templates:
 * `JsonBody({ id: '#{id}', note: 'for #{user.name}' })`; a string that is exactly one placeholder
 * keeps the attribute's type (`'#{id}'` sends the number 7, not "7").
 */
export function JsonBody(value: unknown): Body {
  return { kind: 'json', value };
}

/** An application/x-www-form-urlencoded body; values are templates or functions. */
export function FormBody(fields: Record<string, Expression<unknown>> | ((session: Session) => Record<string, unknown>)): Body {
  return { kind: 'form', fields };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';

export interface HttpRequestSpec {
  name: string;
  method: HttpMethod;
  url: Expression<string>;
  headers: [string, Expression<string>][];
  queryParams: [string, Expression<unknown>][];
  body?: Body;
  checks: Check[];
  resources: HttpRequestSpec[];
  inferHtmlResources?: boolean;
  timeoutMs?: number;
  followRedirects?: boolean;
}

export interface HttpRequestBuilder {
  readonly spec: HttpRequestSpec;
  header(name: string, value: Expression<string>): HttpRequestBuilder;
  headers(headers: Record<string, Expression<string>>): HttpRequestBuilder;
  queryParam(name: string, value: Expression<unknown>): HttpRequestBuilder;
  body(body: Body): HttpRequestBuilder;
  /** accept and content-type: application/json. */
  asJson(): HttpRequestBuilder;
  check(...checks: Check[]): HttpRequestBuilder;
  /** Requests fetched concurrently once this one is done (each recorded under its own name). */
  resources(...requests: HttpRequestBuilder[]): HttpRequestBuilder;
  /** Fetch the scripts, stylesheets, icons and images the HTML page embeds (see docs/load-testing.md). */
  inferHtmlResources(enabled?: boolean): HttpRequestBuilder;
  timeout(ms: number): HttpRequestBuilder;
  disableFollowRedirect(): HttpRequestBuilder;
}

function requestBuilder(spec: HttpRequestSpec): HttpRequestBuilder {
  const next = (change: Partial<HttpRequestSpec>) => requestBuilder({ ...spec, ...change });
  const withHeader = (name: string, value: Expression<string>) => next({ headers: [...spec.headers.filter(([n]) => n !== name.toLowerCase()), [name.toLowerCase(), value]] });
  return {
    spec,
    header: withHeader,
    headers: (headers) => Object.entries(headers).reduce<HttpRequestBuilder>((builder, [name, value]) => builder.header(name, value), requestBuilder(spec)),
    queryParam: (name, value) => next({ queryParams: [...spec.queryParams, [name, value]] }),
    body: (body) => next({ body }),
    asJson: () => withHeader('accept', 'application/json').header('content-type', 'application/json'),
    check: (...checks) => next({ checks: [...spec.checks, ...checks] }),
    resources: (...requests) => next({ resources: [...spec.resources, ...requests.map((r) => r.spec)] }),
    inferHtmlResources: (enabled = true) => next({ inferHtmlResources: enabled }),
    timeout: (ms) => next({ timeoutMs: ms }),
    disableFollowRedirect: () => next({ followRedirects: false }),
  };
}

/** `http('Login').post('/login')`: a named request; the name is what reports and assertions use. */
export function http(name: string) {
  const start = (method: HttpMethod) => (url: Expression<string>) => requestBuilder({ name, method, url, headers: [], queryParams: [], checks: [], resources: [] });
  return {
    get: start('GET'),
    post: start('POST'),
    put: start('PUT'),
    delete: start('DELETE'),
    patch: start('PATCH'),
    head: start('HEAD'),
    options: start('OPTIONS'),
  };
}

export interface HttpProtocolBuilder {
  readonly config: ProtocolConfig;
  baseUrl(url: string): HttpProtocolBuilder;
  header(name: string, value: string): HttpProtocolBuilder;
  headers(headers: Record<string, string>): HttpProtocolBuilder;
  acceptHeader(value: string): HttpProtocolBuilder;
  acceptEncodingHeader(value: string): HttpProtocolBuilder;
  acceptLanguageHeader(value: string): HttpProtocolBuilder;
  contentTypeHeader(value: string): HttpProtocolBuilder;
  userAgentHeader(value: string): HttpProtocolBuilder;
  authorizationHeader(value: string): HttpProtocolBuilder;
  /** Per-request timeout (ms), redirects and body included; default 60 000 as in Gatling. */
  timeout(ms: number): HttpProtocolBuilder;
  /** Caps the keep-alive connections per origin, shared by all users; default: no cap. */
  maxConnectionsPerHost(connections: number): HttpProtocolBuilder;
  disableFollowRedirect(): HttpProtocolBuilder;
  maxRedirects(hops: number): HttpProtocolBuilder;
  inferHtmlResources(): HttpProtocolBuilder;
  /** How many resources one user downloads at once from one host (default 6, like browsers). */
  resourceConnectionsPerHost(connections: number): HttpProtocolBuilder;
}

function protocolBuilder(config: ProtocolConfig): HttpProtocolBuilder {
  const next = (change: Partial<ProtocolConfig>) => protocolBuilder({ ...config, ...change });
  const header = (name: string, value: string) => next({ headers: { ...config.headers, [name.toLowerCase()]: value } });
  return {
    config,
    baseUrl: (url) => next({ baseUrl: url }),
    header,
    headers: (headers) => next({ headers: { ...config.headers, ...Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v])) } }),
    acceptHeader: (value) => header('accept', value),
    acceptEncodingHeader: (value) => header('accept-encoding', value),
    acceptLanguageHeader: (value) => header('accept-language', value),
    contentTypeHeader: (value) => header('content-type', value),
    userAgentHeader: (value) => header('user-agent', value),
    authorizationHeader: (value) => header('authorization', value),
    timeout: (ms) => next({ timeoutMs: ms }),
    maxConnectionsPerHost: (connections) => next({ maxConnectionsPerHost: connections }),
    disableFollowRedirect: () => next({ followRedirects: false }),
    maxRedirects: (hops) => next({ maxRedirects: hops }),
    inferHtmlResources: () => next({ inferHtmlResources: true }),
    resourceConnectionsPerHost: (connections) => next({ resourceConnectionsPerHost: connections }),
  };
}

export function httpProtocol(): HttpProtocolBuilder {
  return protocolBuilder(DEFAULT_PROTOCOL);
}
