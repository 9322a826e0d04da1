/**
 * Runs one `http(...)` step for one user: builds the request from its templates, waits for a
 * throttle token, sends it (redirects followed, cookies kept), runs the checks, records it, then
 * fetches its resources. The step ends when the last resource is done.
 */
import { defaultStatusCheck, type Check } from '../dsl/checks.js';
import type { Body, HttpRequestSpec } from '../dsl/http.js';
import type { OutgoingRequest, ProtocolConfig } from './client.js';
import { htmlResourceUrls, fetchConcurrently } from './resources.js';
import { createResponseView, type ResponseView } from './response.js';
import type { Session } from './session.js';
import { hasPlaceholders, resolveString, resolveValue, type Expression } from './template.js';
import { markKo, type UserState } from './user.js';

const DEFAULT_STATUS = defaultStatusCheck();

export async function runRequestStep(state: UserState, spec: HttpRequestSpec): Promise<void> {
  const page = await send(state, spec, state.nextIntended, spec.name);
  let end = page.end;
  if (page.response) {
    const resources = spec.resources.map((resource) => ({ spec: resource, name: resource.name }));
    if (spec.inferHtmlResources ?? state.client.config.inferHtmlResources) {
      for (const url of htmlResourceUrls(page.response)) {
        resources.push({ spec: resourceSpec(url.href), name: `${spec.name} / ${url.pathname}` });
      }
    }
    if (resources.length > 0) {
      const resourcesStart = page.end;
      // Resources read the session as the page left it; their saveAs land as they complete.
      const results = await fetchConcurrently(
        resources,
        (resource) => hostOf(state, resource.spec),
        state.client.config.resourceConnectionsPerHost,
        (resource) => send(state, resource.spec, resourcesStart, resource.name),
      );
      for (const result of results) end = Math.max(end, result.end);
    }
  }
  state.nextIntended = end;
}

function resourceSpec(url: string): HttpRequestSpec {
  return { name: url, method: 'GET', url: () => url, headers: [], queryParams: [], checks: [], resources: [] };
}

function hostOf(state: UserState, spec: HttpRequestSpec): string {
  try {
    return buildUrl(state.client.config, spec, state.session).host;
  } catch {
    return '';
  }
}

interface Sent {
  end: number;
  /** Present when the request succeeded (its HTML may hold resources). */
  response?: ResponseView;
}

const NO_GROUPS: string[] = [];

/**
 * What does not change between two sends of one request with one protocol, worked out on its
 * first send: the checks to run (the default status check included), whether anything reads the
 * body, and — when they hold no template — the URL (parsed once) and the merged headers.
 */
interface Plan {
  checks: readonly Check[];
  /** Some check (or the HTML resource scanner) reads the body: keep it. */
  keepBody: boolean;
  inferHtmlResources: boolean;
  timeoutMs: number;
  followRedirects: boolean;
  url?: URL;
  origin?: string;
  path?: string;
  /** Shared by every send: the client never modifies them. */
  headers?: Record<string, string>;
}

const plans = new WeakMap<ProtocolConfig, WeakMap<HttpRequestSpec, Plan>>();

function planOf(config: ProtocolConfig, spec: HttpRequestSpec, session: Session): Plan {
  let byRequest = plans.get(config);
  if (!byRequest) plans.set(config, (byRequest = new WeakMap()));
  let plan = byRequest.get(spec);
  if (!plan) byRequest.set(spec, (plan = makePlan(config, spec, session)));
  return plan;
}

function isConstant(expression: Expression<unknown>): boolean {
  return typeof expression !== 'function' && (typeof expression !== 'string' || !hasPlaceholders(expression));
}

function makePlan(config: ProtocolConfig, spec: HttpRequestSpec, session: Session): Plan {
  const checks = spec.checks.some((check) => check.isStatusCheck) ? spec.checks : [DEFAULT_STATUS, ...spec.checks];
  const inferHtmlResources = spec.inferHtmlResources ?? config.inferHtmlResources;
  const plan: Plan = {
    checks,
    keepBody: inferHtmlResources || checks.some((check) => check.readsBody !== false),
    inferHtmlResources,
    timeoutMs: spec.timeoutMs ?? config.timeoutMs,
    followRedirects: spec.followRedirects ?? config.followRedirects,
  };
  // Constant parts are resolved once (no placeholder: the session is never read).
  if (isConstant(spec.url) && spec.queryParams.length === 0) {
    try {
      const url = buildUrl(config, spec, session);
      plan.url = url;
      plan.origin = url.origin;
      plan.path = url.pathname + url.search;
    } catch {
      // An invalid URL fails each send, with its reason, as a template would.
    }
  }
  if (Object.values(config.headers).every(isConstant) && spec.headers.every(([, value]) => isConstant(value))) {
    const headers = mergedHeaders(config, spec, session);
    if (spec.body) bodyContentType(spec.body, headers);
    plan.headers = headers;
  }
  return plan;
}

/** Waits for a throttle token, sends one request and records it; never throws. */
async function send(state: UserState, spec: HttpRequestSpec, due: number, name: string): Promise<Sent> {
  const { recorder } = state.context;
  let intendedStart = due;
  if (state.throttled) {
    // Time spent waiting for the throttle is the tester's choice, not the server's latency.
    // Only measured when the simulation throttles: without a throttle, a late await is the
    // generator falling behind, which must count (no coordinated omission).
    const before = performance.now();
    await state.context.throttle();
    intendedStart += performance.now() - before;
  } else {
    await state.context.throttle();
  }
  const groups = state.groups.length === 0 ? NO_GROUPS : state.groups.map((group) => group.name);
  const session = state.session;
  const plan = planOf(state.client.config, spec, session);
  let outgoing: OutgoingRequest;
  try {
    outgoing = buildRequest(state, spec, session, plan);
  } catch (error) {
    const now = performance.now();
    markKo(state);
    recorder.request({ name, groups, intendedStart: Math.min(intendedStart, now), start: now, end: now, ok: false, failure: (error as Error).message });
    return { end: now };
  }
  const exchange = await state.client.exchange(outgoing, state.jar);
  const { start, end } = exchange;
  if (intendedStart > start) intendedStart = start;
  if (!exchange.ok) {
    markKo(state);
    recorder.request({ name, groups, intendedStart, start, end, ok: false, failure: exchange.failure, status: exchange.status });
    return { end };
  }
  const response = createResponseView({ status: exchange.status, rawHeaders: exchange.rawHeaders, url: exchange.url, responseTimeMs: end - start, bodyBytes: exchange.body });
  const failure = runChecks(state, plan.checks, response);
  if (failure !== undefined) {
    markKo(state);
    recorder.request({ name, groups, intendedStart, start, end, ok: false, failure, status: exchange.status });
    return { end };
  }
  recorder.request({ name, groups, intendedStart, start, end, ok: true, status: exchange.status });
  return plan.inferHtmlResources || spec.resources.length > 0 ? { end, response } : { end };
}

/** Runs the checks in order (the default status check first when none checks the status); the first failure stops them. */
function runChecks(state: UserState, checks: readonly Check[], response: ResponseView): string | undefined {
  for (let i = 0; i < checks.length; i++) {
    const outcome = checks[i].evaluate(response, state.session);
    state.session = outcome.session;
    if (!outcome.ok) return outcome.failure;
  }
  return undefined;
}

// Parsing a URL costs microseconds, and most requests repeat a handful of URLs: parsed URLs are
// kept (read-only: query parameters are added to a copy) in a bounded cache.
const parsedUrls = new Map<string, URL>();

function parseUrl(href: string): URL {
  let url = parsedUrls.get(href);
  if (!url) {
    url = new URL(href);
    if (parsedUrls.size >= 10_000) parsedUrls.clear();
    parsedUrls.set(href, url);
  }
  return url;
}

function buildUrl(config: ProtocolConfig, spec: HttpRequestSpec, session: Session): URL {
  const raw = resolveString(spec.url, session);
  const base = config.baseUrl;
  let url: URL;
  try {
    url = parseUrl(base && !/^[a-z][a-z\d+.-]*:/i.test(raw) ? joinPath(base, raw) : raw);
  } catch {
    throw new Error(`invalid URL '${raw}'${base ? ` (base URL ${base})` : ''}`);
  }
  if (spec.queryParams.length === 0) return url;
  url = new URL(url);
  for (const [key, value] of spec.queryParams) url.searchParams.append(key, String(resolveValue(value, session)));
  return url;
}

/** Gatling appends the request's path to the base URL (a base URL with a path keeps it). */
function joinPath(base: string, path: string): string {
  if (path === '') return base;
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') || path.startsWith('?') ? '' : '/'}${path}`;
}

function mergedHeaders(config: ProtocolConfig, spec: HttpRequestSpec, session: Session): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) headers[name] = resolveString(value, session);
  for (const [name, value] of spec.headers) headers[name] = resolveString(value, session);
  return headers;
}

function buildRequest(state: UserState, spec: HttpRequestSpec, session: Session, plan: Plan): OutgoingRequest {
  const config = state.client.config;
  let headers = plan.headers;
  if (!headers) {
    headers = mergedHeaders(config, spec, session);
    if (spec.body) bodyContentType(spec.body, headers);
  }
  const body = spec.body ? renderBody(spec.body, session) : undefined;
  if (plan.url) {
    return { method: spec.method, url: plan.url, origin: plan.origin, path: plan.path, headers, body, timeoutMs: plan.timeoutMs, followRedirects: plan.followRedirects, keepBody: plan.keepBody };
  }
  return { method: spec.method, url: buildUrl(config, spec, session), headers, body, timeoutMs: plan.timeoutMs, followRedirects: plan.followRedirects, keepBody: plan.keepBody };
}

/** The content type a JSON or form body implies, unless a header already says one. */
function bodyContentType(body: Body, headers: Record<string, string>): void {
  if (body.kind === 'json') headers['content-type'] ??= 'application/json';
  else if (body.kind === 'form') headers['content-type'] ??= 'application/x-www-form-urlencoded';
}

function renderBody(body: Body, session: Session): string {
  switch (body.kind) {
    case 'string':
      return resolveString(body.template, session);
    case 'json': {
      const value = typeof body.value === 'function' ? (body.value as (s: Session) => unknown)(session) : resolveTemplatesIn(body.value, session);
      return JSON.stringify(value);
    }
    case 'form': {
      const fields = typeof body.fields === 'function' ? body.fields(session) : Object.fromEntries(Object.entries(body.fields).map(([k, v]) => [k, resolveValue(v, session)]));
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(fields)) {
        for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
      }
      return params.toString();
    }
  }
}

function resolveTemplatesIn(value: unknown, session: Session): unknown {
  if (typeof value === 'string') return hasPlaceholders(value) ? resolveValue(value, session) : value;
  if (Array.isArray(value)) return value.map((item) => resolveTemplatesIn(item, session));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplatesIn(v, session)]));
  return value;
}
