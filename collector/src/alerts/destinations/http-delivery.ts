/**
 * One POST with retries, shared by the HTTP destinations (Slack, webhook).
 *
 * Retried: 429 (after `Retry-After` when given, else backoff), 5xx, network errors and timeouts,
 * with exponential backoff (base · 2^(attempt-1), capped; with jitter unless turned off). Never
 * retried: other answers (4xx, 3xx — redirects are not followed: configure the final URL). The
 * destination's URL never reaches a log line or a result: errors are scrubbed of it and logs name
 * the destination only.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { DeliveryResult, DestinationLog } from './types.js';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Rejects when `signal` aborts (the destination closes). */
export const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, { signal });

/** Retry and timing options every HTTP destination takes (defaults per destination). */
export interface HttpDeliveryOptions {
  /** Requests per message at most. */
  maxAttempts?: number;
  /** One request's time limit. Default 10,000 ms. */
  timeoutMs?: number;
  /** Backoff after 5xx and network errors: base · 2^n, at most cap. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Jitter on backoff delays. Default true. */
  jitter?: boolean;
  /** Longest `Retry-After` waited for. Default 60,000 ms. */
  maxRetryAfterMs?: number;
  now?: () => number;
  sleep?: Sleep;
}

/** The policy from a destination's options, with its own defaults for attempts and backoff base. */
export function retryPolicy(options: HttpDeliveryOptions, defaults: { maxAttempts: number; backoffBaseMs: number }): RetryPolicy {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? defaults.maxAttempts),
    timeoutMs: options.timeoutMs ?? 10_000,
    backoffBaseMs: options.backoffBaseMs ?? defaults.backoffBaseMs,
    backoffCapMs: options.backoffCapMs ?? 30_000,
    jitter: options.jitter ?? true,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
  };
}

export interface RetryPolicy {
  /** Requests at most, the first included. */
  maxAttempts: number;
  /** First backoff delay. */
  backoffBaseMs: number;
  /** Longest backoff delay. */
  backoffCapMs: number;
  /** Random spread of backoff delays (each is 50–100 % of its exponential value). */
  jitter: boolean;
  /** A `Retry-After` longer than this is not waited for: the delivery fails. */
  maxRetryAfterMs: number;
  /** How long one request may take. */
  timeoutMs: number;
}

export const CLOSED = 'destination closed';

/** The delay before retry number `attempt` (1 = the first retry). */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'backoffBaseMs' | 'backoffCapMs' | 'jitter'>, random = Math.random): number {
  const exponential = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return policy.jitter ? Math.round(exponential * (0.5 + random() * 0.5)) : exponential;
}

/** `Retry-After` as ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface PostOptions {
  /** The destination's name for logs (never its URL). */
  name: string;
  /** What is delivered to, for log messages: `Slack`, `webhook`. */
  what: string;
  url: string;
  /** Headers of each request; a function to re-sign each attempt. */
  headers: () => Record<string, string>;
  body: string;
  log: DestinationLog;
  policy: RetryPolicy;
  sleep: Sleep;
  /** Aborts when the destination closes. */
  closing: AbortSignal;
  /** Awaited before each request (a rate limiter's pace); may reject when `closing` aborts. */
  beforeAttempt?: () => Promise<void>;
  /** How to say why an answer that is not retried refused the message (default: the status and answer). */
  refusal?: (status: number, answer: string) => string;
  /** Text that must never be logged or returned, besides the URL. */
  secrets?: string[];
}

const ANSWER_LIMIT = 500;

export async function postWithRetries(options: PostOptions): Promise<DeliveryResult> {
  const { name, what, log, policy, closing } = options;
  const secrets = [options.url, ...(options.secrets ?? [])].filter(Boolean);
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  let attempts = 0;
  let lastStatus: number | undefined;
  let lastError = '';

  const closed = (): DeliveryResult => ({ ok: false, attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}), error: CLOSED });

  while (attempts < policy.maxAttempts) {
    if (closing.aborted) return closed();
    try {
      await options.beforeAttempt?.();
    } catch {
      return closed();
    }
    if (closing.aborted) return closed();
    attempts++;
    let retryInMs: number;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: options.headers(),
        body: options.body,
        redirect: 'manual',
        signal: AbortSignal.any([closing, AbortSignal.timeout(policy.timeoutMs)]),
      });
      lastStatus = response.status;
      const answer = scrub((await response.text().catch(() => '')).trim().slice(0, ANSWER_LIMIT));
      if (response.status >= 200 && response.status < 300) {
        if (attempts > 1) log.info({ destination: name, attempts }, `${what} alert delivered after ${attempts} attempts`);
        return { ok: true, status: response.status, attempts };
      }
      if (response.status !== 429 && response.status < 500) {
        const error = options.refusal?.(response.status, answer) ?? `HTTP ${response.status}${answer ? `: ${answer}` : ''}`;
        log.error({ destination: name, status: response.status, answer, attempts }, `${what} refused the alert (${error}); not retried`);
        return { ok: false, status: response.status, attempts, error };
      }
      lastError = `HTTP ${response.status}${answer ? `: ${answer}` : ''}`;
      const retryAfter = response.status === 429 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
        const error = `rate limited: asked to wait ${Math.ceil(retryAfter / 1000)} s, more than the ${Math.ceil(policy.maxRetryAfterMs / 1000)} s allowed`;
        log.error({ destination: name, status: 429, attempts }, `${what} alert not delivered (${error})`);
        return { ok: false, status: 429, attempts, error };
      }
      retryInMs = retryAfter ?? backoffDelay(attempts, policy);
    } catch (error) {
      if (closing.aborted) return closed();
      lastStatus = undefined;
      lastError = scrub(describeNetworkError(error, policy.timeoutMs));
      retryInMs = backoffDelay(attempts, policy);
    }
    if (attempts >= policy.maxAttempts) break;
    log.warn({ destination: name, attempt: attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}), retryInMs }, `${what} alert delivery failed (${lastError}); retrying`);
    try {
      await options.sleep(retryInMs, closing);
    } catch {
      return closed();
    }
  }
  const error = `${lastError} (gave up after ${attempts} attempts)`;
  log.error({ destination: name, attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}) }, `${what} alert not delivered: ${error}`);
  return { ok: false, attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}), error };
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  if (cause && typeof cause === 'object') return `network error: ${cause.message ?? cause.code ?? error.message}`;
  return `network error: ${error.message}`;
}
