/**
 * A local HTTP target for the load-testing tests (shared by the DSL, runner, report and bench
 * tests): a small "service desk" app on port 0 with a login, an authenticated JSON list, an HTML
 * page whose resources live partly on a second host (the "CDN"), and knobs for failure: a slow
 * endpoint, a one-off stall, any status code, redirects and cookies. Every request is counted per
 * `METHOD /path` so a test can check what was really sent, not what the client believes it sent.
 *
 *   const target = await startTarget();
 *   … target.url, target.cdnUrl, target.hits('GET /requests/3'), target.stallNext(1000) …
 *   await target.close();
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export interface OpenRequest {
  id: number;
  title: string;
  status: 'open' | 'closed';
}

export interface Target {
  /** http://127.0.0.1:<port> of the app. */
  url: string;
  /** http://127.0.0.1:<port> of the second host serving the page's third-party resources. */
  cdnUrl: string;
  /** How many requests reached `METHOD /path` (query string ignored) on either host, e.g. 'GET /cdn/lib.js'. */
  hits(route: string): number;
  /** All counters, for debugging a failing test. */
  allHits(): Record<string, number>;
  /** Total requests on both hosts. */
  totalHits(): number;
  /** Requests currently being handled, and the most there ever were at once (closed-model tests). */
  inFlight(): number;
  peakInFlight(): number;
  /** The next request (any route, either host) is held for `ms` before being handled, once. */
  stallNext(ms: number): void;
  /** The headers of the first 10,000 requests in arrival order (lower-cased names), with method and path; off with `logRequests: false`. */
  log: { method: string; path: string; headers: Record<string, string | string[] | undefined> }[];
  /** Tokens issued by POST /login, by user name. */
  tokens: Map<string, string>;
  /** The dataset behind /requests: 120 requests, ids 1..120, every other one open. */
  requests: OpenRequest[];
  /** Resets counters, the log and the peak (not tokens). */
  reset(): void;
  close(): Promise<void>;
}

/** Credentials POST /login accepts: any user name with this password. */
export const TARGET_PASSWORD = 'secret';

/** The resources the HTML page at GET /page embeds (paths on the app host, then on the CDN host). */
export const PAGE_RESOURCES = {
  app: ['/static/app.js', '/static/app.css', '/static/logo.png'],
  cdn: ['/cdn/lib.js', '/cdn/font.css', '/cdn/banner.png'],
};

export async function startTarget(options: { logRequests?: boolean } = {}): Promise<Target> {
  const counters = new Map<string, number>();
  const log: Target['log'] = [];
  const tokens = new Map<string, string>();
  const users = new Map<string, string>(); // token → user
  const requests: OpenRequest[] = Array.from({ length: 120 }, (_, i) => ({
    id: i + 1,
    title: `Request ${i + 1}`,
    status: i % 2 === 0 ? 'open' : 'closed',
  }));
  let inFlight = 0;
  let peak = 0;
  let stallMs = 0;
  const keepLog = options.logRequests ?? true;

  // Both hosts share the counters, the stall switch and the in-flight gauge: one "site" to observe.
  const instrument = (app: FastifyInstance) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      // A repeated field becomes an array (what a form with several values sends).
      const fields: Record<string, string | string[]> = {};
      for (const [key, value] of new URLSearchParams(body as string)) {
        const existing = fields[key];
        fields[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
      }
      done(null, fields);
    });
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0];
      const key = `${request.method} ${path}`;
      counters.set(key, (counters.get(key) ?? 0) + 1);
      if (keepLog && log.length < 10_000) log.push({ method: request.method, path, headers: { ...request.headers } });
      inFlight++;
      if (inFlight > peak) peak = inFlight;
      // 'close' also fires when the client gave up (a timeout), where onResponse would not.
      reply.raw.once('close', () => inFlight--);
      if (stallMs > 0) {
        const ms = stallMs;
        stallMs = 0;
        await sleep(ms);
      }
    });
  };

  const app = Fastify({ logger: false, keepAliveTimeout: 30_000 });
  const cdn = Fastify({ logger: false, keepAliveTimeout: 30_000 });
  instrument(app);
  instrument(cdn);

  const authorized = (request: FastifyRequest, reply: FastifyReply): string | null => {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    const user = match ? users.get(match[1]) : undefined;
    if (!user) {
      void reply.code(401).send({ error: 'missing or unknown bearer token' });
      return null;
    }
    return user;
  };

  app.get('/', async () => 'ok');

  app.post('/login', async (request, reply) => {
    const body = (request.body ?? {}) as { username?: string; password?: string };
    if (!body.username || body.password !== TARGET_PASSWORD) return reply.code(401).send({ error: 'bad credentials' });
    const token = randomBytes(12).toString('hex');
    tokens.set(body.username, token);
    users.set(token, body.username);
    void reply.header('set-cookie', `auth=${token}; Path=/; HttpOnly; SameSite=Lax`);
    return { ok: true, user: { name: body.username } };
  });

  app.get('/requests', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const { status, limit } = request.query as { status?: string; limit?: string };
    const matching = requests.filter((r) => !status || r.status === status);
    return matching.slice(0, Math.min(Number(limit ?? 50) || 50, 50));
  });

  app.get('/requests/:id', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const found = requests.find((r) => r.id === Number((request.params as { id: string }).id));
    if (!found) return reply.code(404).send({ error: 'no such request' });
    return found;
  });

  app.post('/requests', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    return reply.code(201).send({ created: true, received: request.body ?? null });
  });

  // Echoes what it received, so body/header templating can be checked end to end.
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'],
    url: '/echo',
    handler: async (request) => ({
      method: request.method,
      query: request.query,
      headers: request.headers,
      body: request.body ?? null,
    }),
  });

  // GET /page?delay=50: the same page, whose resources each take 50 ms to serve (to observe concurrency).
  app.get('/page', async (request, reply) => {
    const cdnBase = cdnUrl;
    const delay = Number((request.query as { delay?: string }).delay ?? 0);
    const q = delay > 0 ? `?delay=${delay}` : '';
    void reply.type('text/html; charset=utf-8');
    return `<!doctype html>
<html><head>
  <title>Service desk</title>
  <link rel="stylesheet" href="/static/app.css${q}">
  <link rel="stylesheet" href="${cdnBase}/cdn/font.css${q}">
  <link rel="icon" href="/static/logo.png${q}">
  <script src="/static/app.js${q}"></script>
  <script src="${cdnBase}/cdn/lib.js${q}" defer></script>
  <script>console.log('inline scripts are not fetched')</script>
</head><body>
  <h1 class="title" data-id="42">Open requests</h1>
  <ul><li class="item" data-id="1">One</li><li class="item" data-id="3">Three</li><li class="item" data-id="5">Five</li></ul>
  <img src="static/logo.png${q}" alt="relative path, same resource as the icon">
  <img src="${cdnBase}/cdn/banner.png${q}" alt="banner">
  <a href="/not-a-resource">links are not fetched</a>
</body></html>`;
  });

  const staticBody = (path: string): [string, string] => {
    if (path.endsWith('.js')) return ['text/javascript', `/* ${path} */ console.log(1);`];
    if (path.endsWith('.css')) return ['text/css', `/* ${path} */ body { margin: 0 }`];
    return ['image/png', 'PNG'];
  };
  const resourceDelay = (request: FastifyRequest) => sleep(Number((request.query as { delay?: string }).delay ?? 0));
  app.get('/static/*', async (request, reply) => {
    await resourceDelay(request);
    const [type, body] = staticBody(request.url.split('?')[0]);
    return reply.type(type).send(body);
  });
  cdn.get('/cdn/*', async (request, reply) => {
    await resourceDelay(request);
    const [type, body] = staticBody(request.url.split('?')[0]);
    return reply.type(type).send(body);
  });
  cdn.get('/', async () => 'cdn');

  // GET /slow?ms=200: answers after the delay.
  app.get('/slow', async (request) => {
    const ms = Number((request.query as { ms?: string }).ms ?? 100);
    await sleep(ms);
    return { sleptMs: ms };
  });

  // GET /trickle?ms=600: headers at once, then the body in 4 pieces over `ms` (a body-phase timeout).
  app.get('/trickle', async (request, reply) => {
    const ms = Number((request.query as { ms?: string }).ms ?? 600);
    const { Readable } = await import('node:stream');
    const pieces = async function* () {
      for (let i = 0; i < 4; i++) {
        yield `piece ${i}\n`;
        await sleep(ms / 4);
      }
    };
    return reply.type('text/plain').send(Readable.from(pieces()));
  });

  // POST /admin/stall?ms=1000: the same switch as target.stallNext, for a test driving a child process.
  app.post('/admin/stall', async (request) => {
    stallMs = Number((request.query as { ms?: string }).ms ?? 1000);
    return { stallMs };
  });

  // GET /status/503: answers with that status code (and a JSON body naming it).
  app.get('/status/:code', async (request, reply) => {
    const code = Number((request.params as { code: string }).code);
    if (code === 204 || code === 304) return reply.code(code).send();
    return reply.code(code).send({ status: code });
  });

  // GET /redirect?to=/requests: 302 to `to` (default '/'); GET /redirect/chain/3 redirects 3 times, then lands on '/'.
  app.get('/redirect', async (request, reply) => {
    const to = (request.query as { to?: string }).to ?? '/';
    return reply.code(302).header('location', to).send();
  });
  app.get('/redirect/chain/:n', async (request, reply) => {
    const n = Number((request.params as { n: string }).n);
    return reply.code(302).header('location', n <= 1 ? '/' : `/redirect/chain/${n - 1}`).send();
  });

  // GET /cookies/set?name=value&…: sets each as a cookie (Path=/). GET /cookies: echoes the Cookie header parsed.
  app.get('/cookies/set', async (request, reply) => {
    const query = request.query as Record<string, string>;
    void reply.header('set-cookie', Object.entries(query).map(([name, value]) => `${name}=${value}; Path=/`));
    return { set: Object.keys(query) };
  });
  app.get('/cookies/expire', async (request, reply) => {
    const name = (request.query as { name: string }).name;
    void reply.header('set-cookie', `${name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
    return { expired: name };
  });
  app.get('/cookies/scoped', async (_request, reply) => {
    void reply.header('set-cookie', 'scoped=yes; Path=/cookies/only-here');
    return { set: ['scoped'] };
  });
  const echoCookies = async (request: FastifyRequest) => ({ cookies: parseCookieHeader(request.headers.cookie) });
  app.get('/cookies', echoCookies);
  app.get('/cookies/only-here', echoCookies);

  await Promise.all([app.listen({ port: 0, host: '127.0.0.1' }), cdn.listen({ port: 0, host: '127.0.0.1' })]);
  const url = `http://127.0.0.1:${portOf(app)}`;
  const cdnUrl = `http://127.0.0.1:${portOf(cdn)}`;

  return {
    url,
    cdnUrl,
    hits: (route) => counters.get(route) ?? 0,
    allHits: () => Object.fromEntries(counters),
    totalHits: () => [...counters.values()].reduce((a, b) => a + b, 0),
    inFlight: () => inFlight,
    peakInFlight: () => peak,
    stallNext: (ms) => {
      stallMs = ms;
    },
    log,
    tokens,
    requests,
    reset: () => {
      counters.clear();
      log.length = 0;
      peak = inFlight;
    },
    close: async () => {
      await Promise.all([app.close(), cdn.close()]);
    },
  };
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('target is not listening on a TCP port');
  return address.port;
}

function parseCookieHeader(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return cookies;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
