import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookDestination, signature, verifySignature, webhookBody } from '../../collector/src/alerts/destinations/webhook.js';
import { issueLink, type AlertMessage, type Destination } from '../../collector/src/alerts/destinations/types.js';
import { captureLog, closedPort, startReceiver, type Receiver } from './receiver.js';

const SECRET = 'whsec_test_4f9a';
const ISSUE_ID = 'fedcba9876543210';

const message: AlertMessage = {
  kind: 'issue.regression',
  projectId: 3,
  rule: { id: 'rule-9', name: 'Regressions' },
  title: 'ReferenceError: foo is not defined',
  summary: 'A resolved issue happened again in release 2.0.1.',
  issue: {
    id: ISSUE_ID,
    type: 'ReferenceError',
    message: 'foo is not defined',
    culprit: { file: 'src/app.ts', line: 10, function: 'boot' },
    events: 12,
    users: 4,
    firstSeen: 1_764_000_000_000,
    release: '2.0.1',
    environment: 'production',
    topBrowsers: [{ name: 'Chrome 131', events: 10 }],
  },
  link: issueLink('https://lookout.example.com', ISSUE_ID),
};

const fast = { backoffBaseMs: 10, backoffCapMs: 50, timeoutMs: 2000 };

let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.map((x) => x.close()));
  open = [];
});

async function setup(options: Record<string, unknown> = fast): Promise<{ receiver: Receiver; hook: Destination; log: ReturnType<typeof captureLog> }> {
  const receiver = await startReceiver('/hooks/lookout?token=qUeRyToKeN');
  const log = captureLog();
  const hook = createWebhookDestination({ url: receiver.url, secret: SECRET, log, ...options });
  open.push(hook, receiver);
  return { receiver, hook, log };
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

describe('webhook destination', () => {
  it('posts the alert as signed JSON that verifySignature accepts, and only with the right secret', async () => {
    const before = Date.now();
    const { receiver, hook, log } = await setup();
    const result = await hook.send(message);
    expect(result).toEqual({ ok: true, status: 200, attempts: 1 });
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');

    const body = JSON.parse(request.body);
    expect(body).toEqual({
      kind: 'issue.regression',
      project_id: 3,
      rule: { id: 'rule-9', name: 'Regressions' },
      title: 'ReferenceError: foo is not defined',
      summary: 'A resolved issue happened again in release 2.0.1.',
      issue: {
        id: ISSUE_ID,
        type: 'ReferenceError',
        message: 'foo is not defined',
        culprit: { file: 'src/app.ts', line: 10, function: 'boot' },
        events: 12,
        users: 4,
        first_seen: 1_764_000_000_000,
        release: '2.0.1',
        environment: 'production',
        top_browsers: [{ name: 'Chrome 131', events: 10 }],
      },
      link: `https://lookout.example.com/issues/${ISSUE_ID}`,
      sent_at: expect.any(Number),
    });
    expect(body.sent_at).toBeGreaterThanOrEqual(before);
    expect(body.metric).toBeUndefined();

    const timestamp = header(request.headers['x-lookout-timestamp']);
    const sig = header(request.headers['x-lookout-signature']);
    expect(timestamp).toMatch(/^\d{10}$/);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(header(request.headers['x-lookout-delivery'])).toMatch(/^[0-9a-f-]{36}$/);

    expect(verifySignature(request.body, timestamp, sig, SECRET)).toBe(true);
    expect(verifySignature(Buffer.from(request.body), timestamp, sig, SECRET)).toBe(true);
    expect(verifySignature(request.body, timestamp, sig, 'wrong-secret')).toBe(false);
    expect(verifySignature(request.body.replace('"users":4', '"users":5'), timestamp, sig, SECRET)).toBe(false);
    expect(verifySignature(request.body, String(Number(timestamp) + 1), sig, SECRET)).toBe(false);
    expect(verifySignature(request.body, timestamp, undefined, SECRET)).toBe(false);
    expect(verifySignature(request.body, timestamp, 'sha256=00', SECRET)).toBe(false);
    // Replays: an old timestamp is refused unless the tolerance allows it.
    const later = (Number(timestamp) + 3600) * 1000;
    expect(verifySignature(request.body, timestamp, sig, SECRET, { now: later })).toBe(false);
    expect(verifySignature(request.body, timestamp, sig, SECRET, { now: later, toleranceSeconds: Infinity })).toBe(true);
    expect(log.entries).toEqual([]);
  });

  it('signs `${timestamp}.${body}` with HMAC-SHA256', () => {
    // Computed independently: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signature('{"a":1}', 1_700_000_000, 'secret')).toBe('sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686');
  });

  it('sends metrics of threshold alerts', () => {
    const body = webhookBody({ kind: 'threshold.firing', projectId: 1, rule: { id: 'r', name: 'n' }, title: 't', summary: 's', metric: { name: 'events', value: 120, threshold: 100, windowMinutes: 5 }, link: 'https://l/' }, 5);
    expect(body).toEqual({ kind: 'threshold.firing', project_id: 1, rule: { id: 'r', name: 'n' }, title: 't', summary: 's', metric: { name: 'events', value: 120, threshold: 100, window_minutes: 5 }, link: 'https://l/', sent_at: 5 });
  });

  it('retries on 503 with backoff, re-signing each attempt under one delivery id', async () => {
    const { receiver, hook, log } = await setup();
    receiver.answer({ status: 503, body: 'down' }, { status: 503, body: 'down' });
    const result = await hook.send(message);
    expect(result).toEqual({ ok: true, status: 200, attempts: 3 });
    expect(receiver.requests).toHaveLength(3);
    const ids = new Set(receiver.requests.map((r) => header(r.headers['x-lookout-delivery'])));
    expect(ids.size).toBe(1);
    for (const request of receiver.requests) {
      expect(request.body).toBe(receiver.requests[0].body);
      expect(verifySignature(request.body, header(request.headers['x-lookout-timestamp']), header(request.headers['x-lookout-signature']), SECRET)).toBe(true);
    }
    expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(2);
    expect(log.text()).not.toContain('qUeRyToKeN');
    expect(log.text()).not.toContain(SECRET);
  });

  it('retries on 429 and network errors too', async () => {
    const { receiver, hook } = await setup();
    receiver.answer({ status: 429, headers: { 'retry-after': '0' } });
    expect(await hook.send(message)).toEqual({ ok: true, status: 200, attempts: 2 });

    const port = await closedPort();
    const log = captureLog();
    const down = createWebhookDestination({ url: `http://127.0.0.1:${port}/x?token=qUeRyToKeN`, secret: SECRET, log, ...fast, maxAttempts: 3 });
    open.push(down);
    const result = await down.send(message);
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(result.error).toMatch(/ECONNREFUSED/);
    expect(log.text()).not.toContain('qUeRyToKeN');
  });

  it('does not retry a 400, and says why', async () => {
    const { receiver, hook, log } = await setup();
    receiver.answer({ status: 400, body: 'unknown field "kind"' });
    const result = await hook.send(message);
    expect(result).toEqual({ ok: false, status: 400, attempts: 1, error: 'HTTP 400: unknown field "kind"' });
    expect(receiver.requests).toHaveLength(1);
    const errors = log.entries.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].obj).toMatchObject({ destination: `webhook:127.0.0.1:${receiver.port}`, status: 400 });
  });

  it('refuses to be created without a secret or with a non-http URL', () => {
    expect(() => createWebhookDestination({ url: 'https://x.example/', secret: '', log: captureLog() })).toThrow(/secret/);
    expect(() => createWebhookDestination({ url: 'ftp://x.example/', secret: 's', log: captureLog() })).toThrow(/http/);
  });
});
