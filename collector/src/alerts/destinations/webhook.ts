/**
 * Generic webhooks: the alert as JSON, signed.
 *
 * POST <url> with the body
 *   { kind, project_id, rule: { id, name }, title, summary, issue?, metric?, link, sent_at }
 * (`issue`: { id, type, message, culprit: { file, line, function }, events, users, first_seen,
 * release, environment, top_browsers: [{ name, events }] }, absent fields omitted; `metric`:
 * { name, value, threshold, window_minutes }; times in ms since the epoch, as in the API) and headers
 *   content-type: application/json
 *   x-lookout-timestamp: <unix seconds when the request was made>
 *   x-lookout-signature: sha256=<hex HMAC-SHA256, keyed with the destination's secret, of `${timestamp}.${body}`>
 *   x-lookout-delivery: <an id, the same for every attempt of one message: deduplicate on it>
 *
 * Receivers verify (as with Stripe): take the raw body bytes as received, compute the HMAC of
 * `${x-lookout-timestamp}.${body}` with the secret, compare in constant time with the hex after
 * `sha256=`, and refuse timestamps more than a few minutes old so a captured request cannot be
 * replayed. `verifySignature` does exactly that. Each retry is signed again with a new timestamp.
 *
 * Retries: 429, 5xx, network errors and timeouts, with exponential backoff and jitter (base
 * 500 ms, cap 30 s; 429's `Retry-After` when given). Other 4xx and 3xx are not retried.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { CLOSED, defaultSleep, postWithRetries, retryPolicy, type HttpDeliveryOptions, type Sleep } from './http-delivery.js';
import type { AlertMessage, Destination, DestinationLog } from './types.js';

export const SIGNATURE_HEADER = 'x-lookout-signature';
export const TIMESTAMP_HEADER = 'x-lookout-timestamp';
export const DELIVERY_HEADER = 'x-lookout-delivery';

/** The JSON body of an alert (snake_case, absent fields omitted). */
export function webhookBody(message: AlertMessage, sentAt: number = Date.now()): Record<string, unknown> {
  const issue = message.issue;
  const metric = message.metric;
  return {
    kind: message.kind,
    project_id: message.projectId,
    rule: { id: message.rule.id, name: message.rule.name },
    title: message.title,
    summary: message.summary,
    ...(issue
      ? {
          issue: {
            id: issue.id,
            type: issue.type,
            message: issue.message,
            culprit: issue.culprit ? { file: issue.culprit.file, line: issue.culprit.line, function: issue.culprit.function } : undefined,
            events: issue.events,
            users: issue.users,
            first_seen: issue.firstSeen,
            release: issue.release,
            environment: issue.environment,
            top_browsers: issue.topBrowsers?.map((b) => ({ name: b.name, events: b.events })),
          },
        }
      : {}),
    ...(metric ? { metric: { name: metric.name, value: metric.value, threshold: metric.threshold, window_minutes: metric.windowMinutes } } : {}),
    link: message.link,
    sent_at: sentAt,
  };
}

/** `sha256=<hex>`: HMAC-SHA256 of `${timestamp}.${body}` keyed with `secret`. */
export function signature(body: string, timestamp: string | number, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export interface VerifyOptions {
  /** Oldest (or furthest in the future) timestamp accepted, in seconds. Default 300; `Infinity` turns the check off. */
  toleranceSeconds?: number;
  /** Now, ms since the epoch. */
  now?: number;
}

/**
 * Whether `header` (x-lookout-signature) signs `body` (the raw body as received) at `timestamp`
 * (x-lookout-timestamp) with `secret`, and the timestamp is recent. Constant-time comparison.
 */
export function verifySignature(
  body: string | Buffer,
  timestamp: string | number | null | undefined,
  header: string | null | undefined,
  secret: string,
  options: VerifyOptions = {},
): boolean {
  if (!header || timestamp === null || timestamp === undefined || !/^\d+$/.test(String(timestamp))) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  const age = Math.abs((options.now ?? Date.now()) / 1000 - Number(timestamp));
  if (age > tolerance) return false;
  const expected = Buffer.from(signature(typeof body === 'string' ? body : body.toString('utf8'), String(timestamp), secret));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Retries: at most 5 requests per message, backoff 500 ms doubling up to 30,000 ms, with jitter (HttpDeliveryOptions). */
export interface WebhookDestinationOptions extends HttpDeliveryOptions {
  url: string;
  /** Signs every request (see the module comment). */
  secret: string;
  log: DestinationLog;
  /** For logs and history. Default `webhook:<host>` (never the path or query: they may hold tokens). */
  name?: string;
}

export function createWebhookDestination(options: WebhookDestinationOptions): Destination {
  const { url, secret, log, now = Date.now, sleep = defaultSleep } = options;
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
    host = parsed.host;
  } catch {
    throw new Error('the webhook URL is not an http(s) URL');
  }
  if (!secret) throw new Error('a webhook destination needs a secret to sign with');
  const name = options.name ?? `webhook:${host}`;
  const policy = retryPolicy(options, { maxAttempts: 5, backoffBaseMs: 500 });
  const closing = new AbortController();

  return {
    name,
    async send(message) {
      if (closing.signal.aborted) return { ok: false, attempts: 0, error: CLOSED };
      const body = JSON.stringify(webhookBody(message, now()));
      const delivery = randomUUID();
      return postWithRetries({
        name,
        what: 'webhook',
        url,
        headers: () => {
          const timestamp = String(Math.floor(now() / 1000));
          return {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: signature(body, timestamp, secret),
            [DELIVERY_HEADER]: delivery,
            'user-agent': 'Lookout-Webhook/1',
          };
        },
        body,
        log,
        policy,
        sleep,
        closing: closing.signal,
        secrets: [secret],
      });
    },
    async close() {
      closing.abort();
    },
  };
}
