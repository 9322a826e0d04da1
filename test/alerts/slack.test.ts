import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../collector/src/log.js';
import { createSlackDestination, createSlackLimiter, slackPayload, type SlackBlock } from '../../collector/src/alerts/destinations/slack.js';
import { issueLink, type AlertMessage, type Destination, type DestinationLog } from '../../collector/src/alerts/destinations/types.js';
import { culpritFrame } from '../../collector/src/symbolicate/stored-frame.js';
import { captureLog, closedPort, startReceiver, type Receiver } from './receiver.js';

// The collector's logger fits what destinations need.
const loggerFits = (logger: Logger): DestinationLog => logger;
void loggerFits;

const SECRET_PATH = '/services/T0001/B0002/sEcReTtOkEn';
const PUBLIC_URL = 'https://lookout.example.com/';
const ISSUE_ID = '0123456789abcdef';

function message(overrides: Partial<AlertMessage> = {}, issue: Partial<NonNullable<AlertMessage['issue']>> = {}): AlertMessage {
  return {
    kind: 'issue.new',
    projectId: 7,
    rule: { id: 'r1', name: 'New issues in production' },
    title: "TypeError: Cannot read properties of undefined (reading 'id')",
    summary: 'A new issue was seen in production.',
    issue: {
      id: ISSUE_ID,
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'id')",
      culprit: { file: 'src/cart/checkout.ts', line: 42, function: 'submitOrder' },
      events: 1234,
      users: 56,
      firstSeen: Date.UTC(2026, 10, 25, 12, 0, 0),
      release: 'shop@1.4.2',
      environment: 'production',
      topBrowsers: [{ name: 'Chrome 131', events: 900 }, { name: 'Safari 18', events: 300 }, { name: 'Firefox 133', events: 34 }],
      ...issue,
    },
    link: issueLink(PUBLIC_URL, ISSUE_ID),
    ...overrides,
  };
}

const fast = { minIntervalMs: 10, backoffBaseMs: 10, backoffCapMs: 50, timeoutMs: 2000 };
const texts = (blocks: SlackBlock[]) =>
  blocks.flatMap((b) => [
    ...(b.text ? [(b.text as { text: string }).text] : []),
    ...((b.fields as { text: string }[] | undefined) ?? []).map((f) => f.text),
    ...((b.elements as { text?: string | { text: string } }[] | undefined) ?? []).map((e) => (typeof e.text === 'string' ? e.text : e.text?.text ?? '')),
  ]);

let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.map((x) => x.close()));
  open = [];
});

async function setup(options: Record<string, unknown> = fast): Promise<{ receiver: Receiver; slack: Destination; log: ReturnType<typeof captureLog> }> {
  const receiver = await startReceiver(SECRET_PATH);
  const log = captureLog();
  const slack = createSlackDestination({ webhookUrl: receiver.url, log, ...options });
  open.push(slack, receiver);
  return { receiver, slack, log };
}

function expectNoSecret(log: ReturnType<typeof captureLog>, result: object) {
  expect(log.text()).not.toContain('sEcReTtOkEn');
  expect(JSON.stringify(result)).not.toContain('sEcReTtOkEn');
}

describe('Slack payload', () => {
  it('posts a Block Kit message with header, exception, culprit, fields and the issue button', async () => {
    const { receiver, slack, log } = await setup();
    const result = await slack.send(message());
    expect(result).toEqual({ ok: true, status: 200, attempts: 1 });
    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0];
    expect(request.method).toBe('POST');
    expect(request.path).toBe(SECRET_PATH);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(request.body) as { text: string; blocks: SlackBlock[] };
    expect(payload).toEqual(slackPayload(message()));
    expect(payload.text).toContain("TypeError: Cannot read properties of undefined (reading 'id')");

    const [header] = payload.blocks;
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: "TypeError: Cannot read properties of undefined (reading 'id')", emoji: true } });
    const all = texts(payload.blocks).join('\n');
    expect(all).toContain("*TypeError*: Cannot read properties of undefined (reading 'id')");
    expect(all).toContain('`src/cart/checkout.ts:42` in `submitOrder`');
    expect(all).toContain('New issues in production');

    const fieldsBlock = payload.blocks.find((b) => b.fields)!;
    const fields = (fieldsBlock.fields as { type: string; text: string }[]).map((f) => f.text);
    expect(fields).toEqual([
      '*Events*\n1,234',
      '*Users affected*\n56',
      `*First seen*\n<!date^${Date.UTC(2026, 10, 25, 12) / 1000}^{date_short_pretty} {time}|2026-11-25T12:00:00Z>`,
      '*Release*\nshop@1.4.2',
      '*Environment*\nproduction',
      '*Top browsers*\nChrome 131 (900)\nSafari 18 (300)\nFirefox 133 (34)',
    ]);
    expect((fieldsBlock.fields as { type: string }[]).every((f) => f.type === 'mrkdwn')).toBe(true);

    const actions = payload.blocks.find((b) => b.type === 'actions')!;
    const [button] = actions.elements as { type: string; url: string; text: { text: string } }[];
    expect(button.type).toBe('button');
    expect(button.url).toBe(`https://lookout.example.com/issues/${ISSUE_ID}`);
    expect(log.entries).toEqual([]);
  });

  it('shows a threshold alert with its metric', () => {
    const payload = slackPayload(message({ kind: 'threshold.firing', issue: undefined, metric: { name: 'Error events', value: 1500, threshold: 1000, windowMinutes: 5 }, link: 'https://lookout.example.com/' }));
    const fields = (payload.blocks.find((b) => b.fields)!.fields as { text: string }[]).map((f) => f.text);
    expect(fields).toEqual(['*Error events*\n1,500', '*Threshold*\n1,000', '*Window*\n5 min']);
    expect(payload.text).toMatch(/^Threshold exceeded: /);
  });

  it('escapes &, < and > in user data', async () => {
    const { receiver, slack } = await setup();
    const evil = message(
      { title: '<script>alert(1)</script> & <!channel>', summary: 'seen at <https://evil.example|click> & more' },
      { message: '<script>&', type: 'Error<T>', release: 'a<b>&c', culprit: { file: '<x>.js', line: 1, function: 'a&b' }, topBrowsers: [{ name: '<b>Edge</b>', events: 1 }] },
    );
    expect((await slack.send(evil)).ok).toBe(true);
    const payload = JSON.parse(receiver.requests[0].body) as { text: string; blocks: SlackBlock[] };
    const all = [payload.text, ...texts(payload.blocks)];
    const joined = all.join('\n');
    expect(joined).toContain('*Error&lt;T&gt;*: &lt;script&gt;&amp;');
    expect(joined).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;');
    expect(joined).toContain('seen at &lt;https://evil.example|click&gt; &amp; more');
    expect(joined).toContain('`&lt;x&gt;.js:1` in `a&amp;b`');
    expect(joined).toContain('a&lt;b&gt;&amp;c');
    expect(joined).toContain('&lt;b&gt;Edge&lt;/b&gt;');
    expect(joined).not.toMatch(/<script|<!channel|<https:\/\/evil|<b>|&c\b/);
    // Nothing left unescaped: every & starts an entity, and the only < are our own date tokens.
    for (const text of all) {
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      expect(text.replace(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|[0-9TZ:-]+>/g, '')).not.toMatch(/[<>]/);
    }
  });

  it('keeps within Slack limits: section text 3,000, header 150, fields 2,000, ≤ 50 blocks', async () => {
    const { receiver, slack } = await setup();
    const long = message({ title: 'T'.repeat(400), summary: 's'.repeat(10_000) }, { message: 'm'.repeat(5000) + '&&&', release: 'r'.repeat(3000) });
    expect((await slack.send(long)).ok).toBe(true);
    const payload = JSON.parse(receiver.requests[0].body) as { text: string; blocks: SlackBlock[] };
    expect(payload.blocks.length).toBeLessThanOrEqual(50);
    const header = (payload.blocks[0].text as { text: string }).text;
    expect(header).toHaveLength(150);
    expect(header.endsWith('…')).toBe(true);
    const sections = payload.blocks.filter((b) => b.type === 'section' && b.text).map((b) => (b.text as { text: string }).text);
    const exception = sections.find((t) => t.startsWith('*TypeError*'))!;
    expect(exception).toHaveLength(3000);
    expect(exception.endsWith('m…')).toBe(true);
    const summary = sections.find((t) => t.startsWith('sss'))!;
    expect(summary).toHaveLength(3000);
    for (const text of sections) expect(text.length).toBeLessThanOrEqual(3000);
    for (const field of payload.blocks.find((b) => b.fields)!.fields as { text: string }[]) expect(field.text.length).toBeLessThanOrEqual(2000);
    expect(payload.text.length).toBeLessThanOrEqual(3000);
  });

  it('never cuts an escaped entity in half', () => {
    const payload = slackPayload(message({}, { type: '', message: 'x'.repeat(2997) + '&&&&' }));
    const text = payload.blocks.filter((b) => b.type === 'section' && b.text).map((b) => (b.text as { text: string }).text).find((t) => t.startsWith('xxx'))!;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.endsWith('…')).toBe(true);
    expect(text.replace(/&amp;/g, '')).not.toContain('&');
  });

  it('picks the top in-app symbolicated frame as culprit', () => {
    const frame = (over: object) => ({ status: 'mapped', function: 'f', file: 'a.js', line: 1, column: 1, in_app: false, minified: {}, ...over }) as never;
    expect(
      culpritFrame([
        frame({ function: 'lib', file: 'node_modules/x.js' }),
        frame({ status: 'no_artifact', in_app: true, function: 'minified', file: 'app.min.js', line: 1 }),
        frame({ in_app: true, function: 'submitOrder', file: 'src/checkout.ts', line: 42 }),
      ]),
    ).toEqual({ file: 'src/checkout.ts', line: 42, function: 'submitOrder' });
    expect(culpritFrame([frame({ in_app: true, status: 'no_artifact', file: 'app.min.js' })])).toEqual({ file: 'app.min.js', line: 1, function: 'f' });
    expect(culpritFrame([])).toBeNull();
  });
});

describe('Slack delivery', () => {
  it('sends at most one message per second per webhook (queued)', async () => {
    const { receiver, slack } = await setup({ ...fast, minIntervalMs: 1000 });
    const results = await Promise.all([slack.send(message()), slack.send(message({ title: 'second' }))]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(900);
    // In order.
    expect(JSON.parse(receiver.requests[1].body).blocks[0].text.text).toBe('second');
  });

  it('shares the pace between destinations of the same webhook URL', async () => {
    const receiver = await startReceiver(SECRET_PATH);
    const a = createSlackDestination({ webhookUrl: receiver.url, log: captureLog(), ...fast, minIntervalMs: 1000 });
    const b = createSlackDestination({ webhookUrl: receiver.url, log: captureLog(), ...fast, minIntervalMs: 1000 });
    open.push(a, b, receiver);
    const results = await Promise.all([a.send(message()), b.send(message())]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(900);
  });

  it('an explicit limiter paces different URLs together', async () => {
    const one = await startReceiver(SECRET_PATH);
    const two = await startReceiver(SECRET_PATH);
    const limiter = createSlackLimiter(300);
    const a = createSlackDestination({ webhookUrl: one.url, log: captureLog(), ...fast, limiter });
    const b = createSlackDestination({ webhookUrl: two.url, log: captureLog(), ...fast, limiter });
    open.push(a, b, one, two);
    await Promise.all([a.send(message()), b.send(message())]);
    expect(Math.abs(two.requests[0].at - one.requests[0].at)).toBeGreaterThanOrEqual(250);
  });

  it('429 with Retry-After: 1 waits and delivers on the second attempt', async () => {
    const { receiver, slack, log } = await setup();
    receiver.answer({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } });
    const result = await slack.send(message());
    expect(result).toEqual({ ok: true, status: 200, attempts: 2 });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(900);
    expect(log.entries.some((e) => e.level === 'warn' && /429/.test(e.msg))).toBe(true);
    expectNoSecret(log, result);
  });

  it('retries 5xx with backoff and delivers', async () => {
    const { receiver, slack, log } = await setup();
    receiver.answer({ status: 500, body: 'internal_error' }, { status: 503, body: 'service_unavailable' });
    const result = await slack.send(message());
    expect(result).toEqual({ ok: true, status: 200, attempts: 3 });
    expect(receiver.requests).toHaveLength(3);
    expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(2);
    expectNoSecret(log, result);
  });

  for (const [status, answer, meaning] of [
    [400, 'invalid_payload', /bug in Lookout/],
    [404, 'channel_not_found', /channel was deleted/],
    [404, 'no_service', /removed or disabled/],
    [403, 'action_prohibited', /admin/],
  ] as const) {
    it(`${status} ${answer} is not retried, and logged with Slack's answer`, async () => {
      const { receiver, slack, log } = await setup();
      receiver.answer({ status, body: answer });
      const result = await slack.send(message());
      expect(result.ok).toBe(false);
      expect(result.status).toBe(status);
      expect(result.attempts).toBe(1);
      expect(result.error).toContain(answer);
      expect(result.error).toMatch(meaning);
      expect(receiver.requests).toHaveLength(1);
      const errors = log.entries.filter((e) => e.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].msg).toContain(answer);
      expect(errors[0].obj).toMatchObject({ destination: `slack:127.0.0.1:${receiver.port}`, status, answer });
      expectNoSecret(log, result);
    });
  }

  it('a network error (closed port) is retried, then fails', async () => {
    const port = await closedPort();
    const log = captureLog();
    const slack = createSlackDestination({ webhookUrl: `http://127.0.0.1:${port}${SECRET_PATH}`, log, ...fast, maxAttempts: 3 });
    open.push(slack);
    const result = await slack.send(message());
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(3);
    expect(result.status).toBeUndefined();
    expect(result.error).toMatch(/ECONNREFUSED/);
    expect(result.error).toMatch(/gave up after 3 attempts/);
    expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(2);
    expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(1);
    expectNoSecret(log, result);
  });

  it('gives up when 5xx lasts, after maxAttempts', async () => {
    const { receiver, slack } = await setup({ ...fast, maxAttempts: 2 });
    receiver.answer({ status: 502 }, { status: 502 }, { status: 502 });
    const result = await slack.send(message());
    expect(result).toMatchObject({ ok: false, status: 502, attempts: 2 });
    expect(receiver.requests).toHaveLength(2);
  });

  it('close ends a send waiting to retry, and later sends', async () => {
    const { receiver, slack } = await setup({ ...fast, backoffBaseMs: 60_000, backoffCapMs: 60_000 });
    receiver.answer({ status: 503 });
    const pending = slack.send(message());
    while (receiver.requests.length < 1) await new Promise((r) => setTimeout(r, 5));
    await slack.close();
    expect(await pending).toMatchObject({ ok: false, attempts: 1, error: 'destination closed' });
    expect(await slack.send(message())).toEqual({ ok: false, attempts: 0, error: 'destination closed' });
  });
});
