/**
 * Every route the collector registers is checked for authentication: the list comes from the
 * running app (fastify's route tree), not from this file, so a route added tomorrow without an
 * auth check fails here until it checks credentials or joins the commented allow-list of public
 * routes below. Without credentials, or with a wrong token, each one answers 401; a project
 * token on another project's routes answers 403.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DASHBOARD_ROUTES } from '../../collector/src/dashboard/dashboard-routes.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

let collector: TestCollector;
/** Token of a second project (id 2): it must open nothing of project 1. */
let projectToken: string;
let projectId: number;

beforeAll(async () => {
  collector = await startTestCollector();
  const response = await fetch(`${collector.url}/api/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${collector.config.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'second' }),
  });
  expect(response.status).toBe(201);
  const created = await response.json();
  projectToken = created.token;
  projectId = created.id;
  expect(projectId).not.toBe(1);
  expect(projectToken).toEqual(expect.any(String));
});
afterAll(async () => {
  await collector?.stop();
});

interface RegisteredRoute {
  method: string;
  /** The path as registered, e.g. `/api/:projectId/issues/:id`. */
  url: string;
}

/**
 * The routes of a fastify app, read from `printRoutes()` (the radix tree: each line is a node,
 * its path is the concatenation of its ancestors' prefixes). The flat `commonPrefix: false`
 * rendering is not used: find-my-way drops the static prefix in front of a wildcard there
 * (`/assets/*` is printed as `*`). Every parsed route is checked with `hasRoute`, and an
 * unexpected line throws, so a change of format cannot silently shrink the list.
 */
function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const ancestors: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    if (line.trim() === '') continue;
    const match = line.match(/^((?:│ {3}| {4})*)(?:├── |└── )(\S+?)(?: \(([A-Z]+(?:, [A-Z]+)*)\))?$/u);
    if (!match) throw new Error(`unexpected line in printRoutes(): ${JSON.stringify(line)}`);
    const depth = match[1].length / 4;
    ancestors.length = depth;
    ancestors.push(match[2]);
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url: ancestors.join('') });
  }
  for (const route of routes) {
    if (!app.hasRoute(route)) throw new Error(`printRoutes() parsed into ${route.method} ${route.url}, which hasRoute() does not know`);
  }
  return routes;
}

interface PublicRoute {
  /** The registered path, exactly, or a pattern for a family of routes. */
  url: string | RegExp;
  /** Only these methods are public; all of the path's methods when absent. */
  methods?: string[];
  why: string;
}

/**
 * The routes that answer without credentials, and why. Anything else the app registers must
 * answer 401 without credentials. Built from the running collector where the set depends on the
 * build (agent scripts, demo files), so each entry names a route that exists.
 */
function publicRoutes(): PublicRoute[] {
  return [
    // Browsers send events with the project's ingest key (checked by the ingest plugin), not a token.
    { url: `${collector.config.ingestPrefix}/:projectId/ingest`, methods: ['POST', 'OPTIONS'], why: 'ingest: authenticated by the ingest key' },
    // Operations, documented as unauthenticated in docs/api.md ("Operations (no authentication)"):
    // load balancers and Prometheus scrape them without a token. /metrics holds counters only,
    // no event data; restrict it at the proxy if that matters.
    { url: '/healthz', why: 'liveness probe' },
    { url: '/readyz', why: 'readiness probe' },
    { url: '/metrics', why: 'Prometheus scrape (docs/api.md, docs/operations.md)' },
    // The browser agent: public pages load it with a <script> tag.
    ...collector.agentScripts.map((script) => ({ url: script.path, why: 'the agent script' })),
    // The source-map tools package: the same code as this repository, installed by CI jobs.
    { url: '/tools/lookout-sourcemaps.tgz', why: 'the source-map tools package' },
    // The demo apps and the two fake API calls they make (routes depend on whether dist/demo is built).
    { url: /^\/demo(\/|$)/, why: 'the demo' },
    // The dashboard's page (the same static HTML for every client route) and its hashed assets;
    // the data it shows comes from the API, which checks the session.
    ...DASHBOARD_ROUTES.map((url) => ({ url, methods: ['GET', 'HEAD'], why: 'the dashboard page' })),
    { url: '/assets/*', methods: ['GET', 'HEAD'], why: 'the dashboard assets' },
    // Signing in takes a token in the body; signing out only clears cookies.
    { url: '/api/session', methods: ['POST'], why: 'sign-in' },
    { url: '/api/session', methods: ['DELETE'], why: 'sign-out (clears the cookies, needs no session)' },
  ];
}

const matches = (entry: PublicRoute, route: RegisteredRoute) =>
  (typeof entry.url === 'string' ? entry.url === route.url : entry.url.test(route.url)) && (!entry.methods || entry.methods.includes(route.method));

const ISSUE_ID = '0123456789abcdef';
const ARTIFACT_ID = 'fedcba9876543210';

/**
 * Plausible values for a route's parameters, keyed by the static segment in front of them, so
 * that requests pass the params schema if authentication were (wrongly) left to the handler. A
 * new parameter fails loudly: give it a value here.
 */
function concretePath(url: string, project: number): string {
  return url
    .split('/')
    .map((segment, index, segments) => {
      if (segment === '*') return 'anything';
      if (!segment.startsWith(':')) return segment;
      const name = segment.slice(1);
      const before = segments[index - 1];
      if (name === 'projectId') return String(project);
      if (name === 'release') return encodeURIComponent('web@1.2.3');
      if (name === 'id' && before === 'projects') return String(project);
      if (name === 'id' && before === 'issues') return ISSUE_ID;
      if (name === 'id' && before === 'rules') return 'error-spike';
      if (name === 'id' && before === 'artifacts') return ARTIFACT_ID;
      if (name === 'runId') return 'run-0123456789';
      if (name === 'id' && before === 'targets') return 't0123456789ab';
      throw new Error(`no plausible value for ${segment} in ${url}: add one to concretePath()`);
    })
    .join('/');
}

async function request(route: RegisteredRoute, headers: Record<string, string> = {}, project = 1): Promise<{ status: number; body: string }> {
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  const response = await fetch(`${collector.url}${concretePath(route.url, project)}`, {
    method: route.method,
    redirect: 'manual',
    headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    body: hasBody ? '{}' : undefined,
  });
  return { status: response.status, body: await response.text() };
}

describe('every API route is checked for auth', () => {
  let routes: RegisteredRoute[];
  let guarded: RegisteredRoute[];

  beforeAll(() => {
    routes = registeredRoutes(collector.app);
    guarded = routes.filter((route) => !publicRoutes().some((entry) => matches(entry, route)));
  });

  it('reads the whole route table from the app', () => {
    // Not the list under test, only a check that the parser sees the kinds of route there are:
    // static, parametric, nested parametric, wildcard and the WebSocket route.
    const urls = routes.map((route) => route.url);
    for (const url of ['/healthz', '/api/projects/:id/rotate-token', '/api/:projectId/releases/:release/artifacts/:id', '/assets/*', '/api/:projectId/live']) {
      expect(urls, url).toContain(url);
    }
    expect(new Set(routes.map((route) => `${route.method} ${route.url}`)).size).toBe(routes.length);
  });

  it('has no allow-list entry that is not a registered route', () => {
    for (const entry of publicRoutes()) {
      const hits = routes.filter((route) => matches(entry, route));
      expect(hits.length, `allow-list entry ${String(entry.url)} ${entry.methods?.join(',') ?? '*'} (${entry.why}) matches no route`).toBeGreaterThan(0);
      for (const method of entry.methods ?? []) {
        expect(hits.some((route) => route.method === method), `${method} ${String(entry.url)} is not registered`).toBe(true);
      }
    }
  });

  it('checks every /api/ route except sign-in, sign-out and ingest, and more than 30 in all', () => {
    const apiRoutes = routes.filter((route) => route.url.startsWith('/api/'));
    const publicApi = apiRoutes.filter((route) => !guarded.includes(route)).map((route) => `${route.method} ${route.url}`).sort();
    expect(publicApi).toEqual(
      [
        'DELETE /api/session',
        `OPTIONS ${collector.config.ingestPrefix}/:projectId/ingest`,
        `POST ${collector.config.ingestPrefix}/:projectId/ingest`,
        'POST /api/session',
      ].sort(),
    );
    expect(guarded.length).toBeGreaterThan(30);
  });

  it('answers 401 on every other route without credentials', async () => {
    const wrong: string[] = [];
    for (const route of guarded) {
      const { status, body } = await request(route);
      if (status !== 401) wrong.push(`${route.method} ${route.url} → ${status} ${body.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 on every other route with a wrong token, a malformed header or a forged session cookie', async () => {
    const wrong: string[] = [];
    const attempts: Array<[string, Record<string, string>]> = [
      ['wrong bearer token', { authorization: 'Bearer not-the-admin-token' }],
      ['malformed authorization', { authorization: `Basic ${Buffer.from('admin:test-admin-token').toString('base64')}` }],
      // A cookie not signed by the collector. Safe methods only: on a change, the CSRF check
      // answers 403 before authentication (see session.test.ts).
      ['forged session cookie', { cookie: 'lookout_session=WzEsMCwiMDAwMDAwMDAwMDAwMDAwMCIsOTk5OTk5OTk5OTk5OV0.forged' }],
    ];
    for (const [label, headers] of attempts) {
      for (const route of guarded) {
        if (label === 'forged session cookie' && !['GET', 'HEAD'].includes(route.method)) continue;
        const { status, body } = await request(route, headers);
        if (status !== 401) wrong.push(`${label}: ${route.method} ${route.url} → ${status} ${body.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers 403 to another project's token on project 1's routes and on the admin routes", async () => {
    // Routes that name a project in their path: project 1 is not the token's.
    const projectRoutes = guarded.filter((route) => /\/:projectId(\/|$)|^\/api\/projects\/:id(\/|$)/.test(route.url));
    expect(projectRoutes.length).toBeGreaterThan(25);
    const wrong: string[] = [];
    for (const route of projectRoutes) {
      const { status, body } = await request(route, { authorization: `Bearer ${projectToken}` }, 1);
      if (status !== 403) wrong.push(`${route.method} ${route.url} → ${status} ${body.slice(0, 200)}`);
    }
    // Creating projects needs the admin token.
    const create = await fetch(`${collector.url}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${projectToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sneaky' }),
    });
    if (create.status !== 403) wrong.push(`POST /api/projects → ${create.status}`);
    expect(wrong).toEqual([]);
  });

  it("opens the token's own project, and lists only that project", async () => {
    const headers = { authorization: `Bearer ${projectToken}` };
    expect((await fetch(`${collector.url}/api/${projectId}/events`, { headers })).status).toBe(200);
    // `/api/projects/:id` routes compare the token's project with a path parameter that is still
    // a string in onRequest: these once answered 403 to the project's own token.
    expect((await fetch(`${collector.url}/api/projects/${projectId}/install`, { headers })).status).toBe(200);
    const renamed = await fetch(`${collector.url}/api/projects/${projectId}`, {
      method: 'PATCH',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'second, renamed' }),
    });
    expect(renamed.status).toBe(200);
    expect((await renamed.json()).name).toBe('second, renamed');
    const listed = await (await fetch(`${collector.url}/api/projects`, { headers })).json();
    expect(listed.admin).toBe(false);
    expect(listed.projects.map((project: { id: number }) => project.id)).toEqual([projectId]);
    // An issue link names no project: the lookup answers as if project 1's issues did not exist.
    expect((await fetch(`${collector.url}/api/issues/${ISSUE_ID}/project`, { headers })).status).toBe(404);
  });

  it('refuses the live feed WebSocket handshake without credentials, with a wrong token and for another project', async () => {
    const handshake = (projectId: number, query = '', headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${collector.url.replace('http', 'ws')}/api/${projectId}/live${query}`, { headers });
        socket.once('open', () => {
          socket.terminate();
          resolve(101);
        });
        socket.once('unexpected-response', (_request, response) => {
          response.resume();
          socket.terminate();
          resolve(response.statusCode ?? 0);
        });
        socket.once('error', (error) => reject(error));
      });
    expect(await handshake(1)).toBe(401);
    expect(await handshake(1, '?token=wrong')).toBe(401);
    expect(await handshake(1, '', { authorization: 'Bearer wrong' })).toBe(401);
    expect(await handshake(1, `?token=${projectToken}`)).toBe(403);
    expect(await handshake(1, '', { authorization: `Bearer ${projectToken}` })).toBe(403);
    // The same handshake succeeds with the right credentials, so the refusals above are about auth.
    expect(await handshake(projectId, `?token=${projectToken}`)).toBe(101);
    expect(await handshake(1, '', { authorization: `Bearer ${collector.config.adminToken}` })).toBe(101);
  });
});
