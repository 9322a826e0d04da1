/**
 * Dashboard sign-in on a real collector: the session cookie (POST /api/session and the
 * `/?token=` link), its attributes, the CSRF token every cookie-borne change carries, tampered
 * and ended sessions (token rotation, sign-out), project isolation, and the security headers of
 * the dashboard page. Cookies are passed by hand, as a browser would, with redirects not followed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionCodec, ensureSessionSecret, SESSION_COOKIE, SESSION_TTL_MS } from '../../collector/src/auth/session.js';
import { dashboardDistDir } from '../../collector/src/paths.js';
import { hashToken } from '../../collector/src/projects/tokens.js';
import { errorEvent } from '../support/events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

const CSRF_COOKIE = 'lookout_csrf';
const ADMIN = 'test-admin-token';

let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector?.stop();
});

/** The cookies a response sets, by name: the value and the attributes as written. */
interface SetCookie {
  value: string;
  attributes: Map<string, string | true>;
  raw: string;
}
function setCookies(response: Response): Map<string, SetCookie> {
  const cookies = new Map<string, SetCookie>();
  for (const raw of response.headers.getSetCookie()) {
    const [pair, ...attributes] = raw.split(';').map((part) => part.trim());
    const at = pair.indexOf('=');
    cookies.set(pair.slice(0, at), {
      value: pair.slice(at + 1),
      raw,
      attributes: new Map(attributes.map((attribute): [string, string | true] => {
        const eq = attribute.indexOf('=');
        return eq === -1 ? [attribute.toLowerCase(), true] : [attribute.slice(0, eq).toLowerCase(), attribute.slice(eq + 1)];
      })),
    });
  }
  return cookies;
}

/** A signed-in browser: the cookies it holds and the CSRF token the dashboard got for them. */
interface Browser {
  session: string;
  csrfCookie?: string;
  csrfToken?: string;
}
const cookieHeader = (browser: Partial<Browser>) =>
  [browser.session !== undefined && `${SESSION_COOKIE}=${browser.session}`, browser.csrfCookie !== undefined && `${CSRF_COOKIE}=${browser.csrfCookie}`]
    .filter(Boolean)
    .join('; ');

async function signIn(token: string): Promise<Browser> {
  const response = await fetch(`${collector.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  expect(response.status).toBe(200);
  const session = setCookies(response).get(SESSION_COOKIE);
  expect(session).toBeDefined();
  return { session: session!.value };
}

/** GET /api/session as the dashboard does at start: it hands out the CSRF token (and its cookie). */
async function withCsrf(browser: Browser): Promise<Browser> {
  const response = await fetch(`${collector.url}/api/session`, { headers: { cookie: cookieHeader(browser) } });
  expect(response.status).toBe(200);
  const body = await response.json();
  expect(body.csrf_token).toEqual(expect.any(String));
  const csrfCookie = setCookies(response).get(CSRF_COOKIE)?.value ?? browser.csrfCookie;
  expect(csrfCookie).toBeDefined();
  return { ...browser, csrfCookie, csrfToken: body.csrf_token };
}

const get = (path: string, browser: Partial<Browser>) =>
  fetch(`${collector.url}${path}`, { redirect: 'manual', headers: { cookie: cookieHeader(browser) } });

/** A change made the way the dashboard makes it: JSON, with the cookies. */
const change = (method: string, path: string, browser: Partial<Browser>, extra: Record<string, string> = {}, body?: unknown) =>
  fetch(`${collector.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { cookie: cookieHeader(browser), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function createProject(name: string): Promise<{ id: number; token: string }> {
  const response = await fetch(`${collector.url}/api/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return response.json();
}

describe('signing in', () => {
  it('exchanges the admin token for an httpOnly, SameSite=Strict cookie valid for 7 days', async () => {
    const before = Date.now();
    const response = await fetch(`${collector.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ admin: true, project_id: null });
    expect(Date.parse(body.expires_at) - before).toBeGreaterThanOrEqual(SESSION_TTL_MS - 1000);

    const cookie = setCookies(response).get(SESSION_COOKIE);
    expect(cookie, response.headers.getSetCookie().join('\n')).toBeDefined();
    const attributes = cookie!.attributes;
    expect(attributes.get('httponly')).toBe(true);
    expect(String(attributes.get('samesite')).toLowerCase()).toBe('strict');
    expect(attributes.get('path')).toBe('/');
    // Plain HTTP here: `secure: 'auto'` leaves Secure off (it is set behind HTTPS).
    expect(attributes.has('secure')).toBe(false);
    const expires = Date.parse(String(attributes.get('expires')));
    expect(Math.abs(expires - (before + 7 * 24 * 3600_000))).toBeLessThan(60_000);
    // The token itself never travels in the cookie.
    expect(cookie!.raw).not.toContain(ADMIN);
  });

  it('says who is signed in, and hands the CSRF token to session callers only', async () => {
    const browser = await signIn(ADMIN);
    const response = await get('/api/session', browser);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(body).toMatchObject({ admin: true, project_id: null, via: 'session', csrf_token: expect.any(String) });
    const csrf = setCookies(response).get(CSRF_COOKIE);
    expect(csrf?.attributes.get('httponly')).toBe(true);
    expect(String(csrf?.attributes.get('samesite')).toLowerCase()).toBe('strict');

    const bearer = await fetch(`${collector.url}/api/session`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(await bearer.json()).toMatchObject({ admin: true, via: 'bearer', csrf_token: null });
    expect((await fetch(`${collector.url}/api/session`)).status).toBe(401);
  });

  it('signs in with a project token to that project only', async () => {
    const project = await createProject('signed-in-project');
    const response = await fetch(`${collector.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: project.token }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ admin: false, project_id: project.id });
    const browser = { session: setCookies(response).get(SESSION_COOKIE)!.value };
    expect(await (await get('/api/session', browser)).json()).toMatchObject({ admin: false, project_id: project.id, via: 'session' });
    expect((await get(`/api/${project.id}/events`, browser)).status).toBe(200);

    // Another project's data, and the admin routes, stay closed.
    expect((await get('/api/1/events', browser)).status).toBe(403);
    expect((await get('/api/1/issues', browser)).status).toBe(403);
    expect((await get('/api/projects/1/install', browser)).status).toBe(403);
    const listed = await (await get('/api/projects', browser)).json();
    expect(listed.projects.map((p: { id: number }) => p.id)).toEqual([project.id]);
    const withCsrfToken = await withCsrf(browser);
    const create = await change('POST', '/api/projects', withCsrfToken, { 'x-csrf-token': withCsrfToken.csrfToken! }, { name: 'nope' });
    expect(create.status).toBe(403);
  });

  it('refuses a wrong token and sets no cookie', async () => {
    const response = await fetch(`${collector.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'not-a-token' }),
    });
    expect(response.status).toBe(401);
    expect(setCookies(response).has(SESSION_COOKIE)).toBe(false);
  });

  it('signs in from the /?token= link and redirects to / so the token leaves the address bar', async () => {
    const response = await fetch(`${collector.url}/?token=${ADMIN}`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = setCookies(response).get(SESSION_COOKIE);
    expect(cookie?.attributes.get('httponly')).toBe(true);
    expect(String(cookie?.attributes.get('samesite')).toLowerCase()).toBe('strict');
    const session = await get('/api/session', { session: cookie!.value });
    expect(await session.json()).toMatchObject({ admin: true, via: 'session' });
  });

  it('sends a bad /?token= link to the sign-in page without a cookie', async () => {
    const response = await fetch(`${collector.url}/?token=not-a-token`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/sign-in?error=token');
    expect(setCookies(response).has(SESSION_COOKIE)).toBe(false);
  });
});

describe('CSRF protection of cookie-borne changes', () => {
  const rename = (browser: Partial<Browser>, headers: Record<string, string>, name = 'default') =>
    change('PATCH', '/api/projects/1', browser, headers, { name });

  it('refuses a change without x-csrf-token or with a wrong one, and accepts the right one', async () => {
    const browser = await withCsrf(await signIn(ADMIN));
    const missing = await rename(browser, {});
    expect(missing.status).toBe(403);
    expect((await missing.json()).message).toMatch(/x-csrf-token/);
    expect((await rename(browser, { 'x-csrf-token': 'wrong' })).status).toBe(403);
    // A real token whose secret cookie is not sent.
    expect((await rename({ session: browser.session }, { 'x-csrf-token': browser.csrfToken! })).status).toBe(403);
    const ok = await rename(browser, { 'x-csrf-token': browser.csrfToken! }, 'default');
    expect(ok.status).toBe(200);
    expect((await ok.json()).name).toBe('default');
  });

  it("does not take one session's CSRF token with another session's cookie", async () => {
    const project = await createProject('csrf-project');
    const admin = await withCsrf(await signIn(ADMIN));
    const other = await withCsrf(await signIn(project.token));
    const path = `/api/projects/${project.id}`;
    const body = { name: 'renamed by the other session' };
    // The admin session's token (and its secret cookie) with the project session's cookie.
    expect((await change('PATCH', path, { session: other.session, csrfCookie: admin.csrfCookie }, { 'x-csrf-token': admin.csrfToken! }, body)).status).toBe(403);
    expect((await change('PATCH', path, other, { 'x-csrf-token': admin.csrfToken! }, body)).status).toBe(403);
    // Nor the other way round: the project session's token does not serve the admin's cookie.
    expect((await change('PATCH', path, { session: admin.session, csrfCookie: other.csrfCookie }, { 'x-csrf-token': other.csrfToken! }, body)).status).toBe(403);
    // Each with its own works.
    expect((await change('PATCH', path, other, { 'x-csrf-token': other.csrfToken! }, body)).status).toBe(200);
    expect((await change('PATCH', path, admin, { 'x-csrf-token': admin.csrfToken! }, { name: 'csrf-project' })).status).toBe(200);
  });

  it('needs no CSRF token for a change authenticated by a Bearer token, with or without a cookie', async () => {
    const response = await change('PATCH', '/api/projects/1', {}, { authorization: `Bearer ${ADMIN}` }, { name: 'default' });
    expect(response.status).toBe(200);
    const browser = await signIn(ADMIN);
    expect((await change('PATCH', '/api/projects/1', browser, { authorization: `Bearer ${ADMIN}` }, { name: 'default' })).status).toBe(200);
  });

  it('does not let any Authorization header stand in for the CSRF token next to a valid cookie', async () => {
    // The hook skips the CSRF check when an Authorization header is present; authentication then
    // uses that header only, never the cookie, so a bogus one gets 401 rather than the session.
    const browser = await signIn(ADMIN);
    expect((await change('PATCH', '/api/projects/1', browser, { authorization: 'Bearer nope' }, { name: 'default' })).status).toBe(401);
    expect((await change('PATCH', '/api/projects/1', browser, { authorization: 'nope' }, { name: 'default' })).status).toBe(401);
    expect((await change('PATCH', '/api/projects/1', browser, { authorization: '' }, { name: 'default' })).status).toBe(401);
  });

  // BUG (reported, not fixed here): the CSRF hook in collector/src/auth/session-routes.ts applies
  // to every POST that carries the session cookie, including the ingest route, which proves itself
  // with the ingest key. A page on the same site as the collector (the /demo apps, or any app on a
  // sibling subdomain, where sendBeacon carries the SameSite=Strict cookie) loses its events while
  // the user is signed in to the dashboard: 403 "needs the x-csrf-token header". When fixed, drop `.fails`.
  it('accepts ingest from a browser that is also signed in to the dashboard', async () => {
    const browser = await signIn(ADMIN);
    const response = await collector.ingest({ sdk: { name: 'lookout', version: '0.1.0' }, events: [errorEvent(1)] }, { headers: { cookie: cookieHeader(browser) } });
    expect(response.status).toBe(202);
  });
});

describe('ended and forged sessions', () => {
  it('refuses a tampered cookie', async () => {
    const project = await createProject('tamper');
    const { session } = await signIn(project.token);
    const [payload, signature] = session.split('.');
    // Claim admin with the project session's signature.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    expect(claims[0]).toBe(0);
    const forged = Buffer.from(JSON.stringify([1, 0, claims[2], claims[3]])).toString('base64url');
    for (const value of [`${forged}.${signature}`, `${payload}.${signature.slice(0, -2)}xx`, `${payload}.${signature}.extra`, 'garbage', `${payload}.`]) {
      const response = await get('/api/session', { session: value });
      expect(response.status, value).toBe(401);
      expect((await get('/api/1/events', { session: value })).status, value).toBe(401);
    }
  });

  it('refuses an expired session, even one signed with the real secret', async () => {
    const codec = createSessionCodec(await ensureSessionSecret(collector.store));
    const tokenHashPrefix = hashToken(ADMIN).slice(0, 16);
    const expired = codec.seal({ admin: true, tokenHashPrefix, expiresAt: Date.now() - 1000 });
    expect((await get('/api/session', { session: expired })).status).toBe(401);
    // The same claims, unexpired, open the session: the refusal above is the expiry's.
    const fresh = codec.seal({ admin: true, tokenHashPrefix, expiresAt: Date.now() + 60_000 });
    expect((await get('/api/session', { session: fresh })).status).toBe(200);
  });

  it("ends a project's sessions when its token is rotated, and not the admin's", async () => {
    const project = await createProject('rotating');
    const projectBrowser = await signIn(project.token);
    const adminBrowser = await withCsrf(await signIn(ADMIN));
    expect((await get(`/api/${project.id}/events`, projectBrowser)).status).toBe(200);

    // Rotated from the admin's dashboard session (with its CSRF token).
    const rotated = await change('POST', `/api/projects/${project.id}/rotate-token`, adminBrowser, { 'x-csrf-token': adminBrowser.csrfToken! });
    expect(rotated.status).toBe(200);
    const { token: newToken } = await rotated.json();
    expect(newToken).toEqual(expect.any(String));
    expect(newToken).not.toBe(project.token);

    expect((await get('/api/session', projectBrowser)).status).toBe(401);
    expect((await get(`/api/${project.id}/events`, projectBrowser)).status).toBe(401);
    expect((await get('/api/session', adminBrowser)).status).toBe(200);
    expect((await get(`/api/${project.id}/events`, adminBrowser)).status).toBe(200);

    // The old token no longer signs in; the new one does.
    const old = await fetch(`${collector.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: project.token }) });
    expect(old.status).toBe(401);
    const renewed = await signIn(newToken);
    expect((await get(`/api/${project.id}/events`, renewed)).status).toBe(200);
  });

  it('lets a project session rotate its own token, which ends that very session', async () => {
    const project = await createProject('self-rotating');
    const browser = await withCsrf(await signIn(project.token));
    const rotated = await change('POST', `/api/projects/${project.id}/rotate-token`, browser, { 'x-csrf-token': browser.csrfToken! });
    expect(rotated.status).toBe(200);
    expect((await get('/api/session', browser)).status).toBe(401);
  });

  it('signs out: DELETE /api/session clears both cookies', async () => {
    const browser = await withCsrf(await signIn(ADMIN));
    const response = await change('DELETE', '/api/session', browser, { 'x-csrf-token': browser.csrfToken! });
    expect(response.status).toBe(204);
    const cleared = setCookies(response);
    for (const name of [SESSION_COOKIE, CSRF_COOKIE]) {
      const cookie = cleared.get(name);
      expect(cookie?.value, name).toBe('');
      expect(cookie?.attributes.get('path'), name).toBe('/');
      expect(Date.parse(String(cookie?.attributes.get('expires'))), name).toBeLessThan(Date.now());
    }
    // The browser drops both: it is signed out.
    expect((await get('/api/session', {})).status).toBe(401);
  });

  it('signs out without a CSRF token, even once the session has ended (none can be had then)', async () => {
    const browser = await signIn(ADMIN);
    expect((await change('DELETE', '/api/session', browser)).status).toBe(204);
    expect((await change('DELETE', '/api/session', {})).status).toBe(204);
  });
});

// The dashboard is built by `npm run build` (dist/dashboard); this file builds nothing.
const dashboardBuilt = existsSync(join(dashboardDistDir, 'index.html'));

describe('the dashboard page', () => {
  it.skipIf(!dashboardBuilt)('sends a strict CSP and the security headers on / and on a deep link (skipped: dist/dashboard/index.html is not built; run `npm run build`)', async () => {
    for (const path of ['/', '/issues/0123456789abcdef', '/sign-in']) {
      const response = await fetch(`${collector.url}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((directive) => directive.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      expect(directives.get('script-src'), `${path}: ${csp}`).toEqual(["'self'"]);
      expect(csp, path).not.toContain("'unsafe-inline'");
      expect(csp, path).not.toContain("'unsafe-eval'");
      expect(directives.get('default-src'), path).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors'), path).toEqual(["'none'"]);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      // The page runs no inline script, which the CSP would block anyway.
      const html = await response.text();
      expect(html, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    }
  });

  it('answers every dashboard route without credentials, built or not', async () => {
    // The page holds no data (the API checks the session); unbuilt, it says how to build it.
    for (const path of ['/', '/issues/0123456789abcdef']) {
      const response = await fetch(`${collector.url}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(dashboardBuilt ? 200 : 404);
      if (!dashboardBuilt) expect((await response.json()).message).toMatch(/npm run build/);
    }
  });
});
