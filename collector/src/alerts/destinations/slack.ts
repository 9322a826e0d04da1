/**
 * Slack incoming webhooks: one Block Kit message per alert.
 *
 * The message: a header (the title), the summary, the exception type and message, the culprit
 * frame (`file:line in function`), fields (events, users affected, first seen, release,
 * environment, top browsers — or the metric, its threshold and window) and a button to the
 * dashboard. User data is escaped for mrkdwn (`&`, `<`, `>` only, as Slack asks) and every text
 * is cut to Slack's limits with '…' (section text 3,000, field 2,000, header 150, ≤ 50 blocks).
 *
 * Pace: Slack allows about one message per second per webhook. Requests to one webhook URL go
 * through one queue, one message at a time (its retries included), each request at least
 * `minIntervalMs` after the previous one. Destinations created for the same URL share the queue
 * through a module-level map keyed by the URL (an entry lives while a destination of that URL is
 * open; the first destination's `minIntervalMs`, `now` and `sleep` set its pace); pass `limiter`
 * (createSlackLimiter) to share one explicitly instead.
 *
 * Answers: 2xx delivered; 429 waits `Retry-After` (seconds) then retries; 5xx, network errors and
 * timeouts retry with exponential backoff; any other 4xx (`invalid_payload`, `channel_not_found`,
 * `no_service`, …) is logged with Slack's answer and not retried. The webhook URL is a secret: it
 * is never logged nor returned; logs name the destination (`name`, default `slack:<host>`).
 */
import { CLOSED, defaultSleep, postWithRetries, retryPolicy, type HttpDeliveryOptions, type Sleep } from './http-delivery.js';
import type { AlertKind, AlertMessage, DeliveryResult, Destination, DestinationLog } from './types.js';

export const SLACK_LIMITS = { sectionText: 3000, fieldText: 2000, fields: 10, headerText: 150, blocks: 50, buttonText: 75, buttonUrl: 3000, contextText: 3000, fallbackText: 3000 } as const;

/** Slack mrkdwn escaping of user data: `&`, `<` and `>` only. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts `text` to `max` characters with '…', never inside an entity (`&amp;`) or a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  cut = cut.replace(/&[a-z]{0,3}$/, '');
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + '…';
}

const KIND_LABEL: Record<AlertKind, string> = {
  'issue.new': ':rotating_light: New issue',
  'issue.regression': ':repeat: Regression',
  'issue.digest': ':bookmark_tabs: Issue digest',
  'threshold.firing': ':chart_with_upwards_trend: Threshold exceeded',
  'threshold.resolved': ':white_check_mark: Back under threshold',
  'cert.firing': ':lock: Certificate problem',
  'cert.changed': ':arrows_counterclockwise: Certificate changed',
  'cert.resolved': ':white_check_mark: Certificate OK again',
  test: ':wave: Test alert',
};

const number = (value: number) => value.toLocaleString('en-US');

function dateToken(ms: number): string {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Shown in each reader's time zone; the ISO text where the client cannot format it.
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${iso}>`;
}

export interface SlackBlock {
  type: string;
  [key: string]: unknown;
}

export interface SlackPayload {
  /** Shown in notifications and where blocks cannot be. */
  text: string;
  blocks: SlackBlock[];
}

/** The Block Kit message of an alert (pure: no I/O). */
export function slackPayload(message: AlertMessage): SlackPayload {
  const esc = escapeMrkdwn;
  const blocks: SlackBlock[] = [];
  const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText) => ({ type: 'mrkdwn', text: truncate(text, max) });
  const section = (text: string) => blocks.push({ type: 'section', text: mrkdwn(text) });

  blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(esc(message.title) || 'Alert', SLACK_LIMITS.headerText), emoji: true } });
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`${KIND_LABEL[message.kind]} · rule *${esc(message.rule.name)}* · project ${message.projectId}`, SLACK_LIMITS.contextText)],
  });
  if (message.summary) section(esc(message.summary));

  const issue = message.issue;
  if (issue) {
    if (issue.type || issue.message) {
      const type = issue.type ? `*${esc(issue.type)}*` : '';
      const text = issue.message ? esc(issue.message) : '';
      section(type && text ? `${type}: ${text}` : type || text);
    }
    const frame = issue.culprit;
    if (frame && (frame.file || frame.function)) {
      const where = `${frame.file ?? '?'}${frame.line != null ? `:${frame.line}` : ''}`;
      section(`\`${esc(where)}\`${frame.function ? ` in \`${esc(frame.function)}\`` : ''}`);
    }
  }

  const fields: string[] = [];
  const field = (label: string, value: string) => fields.push(`*${label}*\n${value}`);
  if (issue) {
    if (issue.events !== undefined) field('Events', number(issue.events));
    if (issue.users !== undefined) field('Users affected', number(issue.users));
    if (issue.firstSeen !== undefined) field('First seen', dateToken(issue.firstSeen));
    if (issue.release) field('Release', esc(issue.release));
    if (issue.environment) field('Environment', esc(issue.environment));
    if (issue.topBrowsers?.length) {
      field('Top browsers', issue.topBrowsers.slice(0, 3).map((b) => `${esc(b.name || 'unknown')} (${number(b.events)})`).join('\n'));
    }
  }
  const metric = message.metric;
  if (metric) {
    field(esc(metric.name) || 'Metric', number(metric.value));
    field('Threshold', number(metric.threshold));
    field('Window', `${number(metric.windowMinutes)} min`);
  }
  if (fields.length) blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields).map((text) => mrkdwn(text, SLACK_LIMITS.fieldText)) });

  if (message.link && message.link.length <= SLACK_LIMITS.buttonUrl) {
    blocks.push({
      type: 'actions',
      elements: [{
        type: 'button',
        text: { type: 'plain_text', text: issue ? 'Open issue in Lookout' : 'Open in Lookout', emoji: false },
        url: message.link,
        style: 'primary',
        action_id: 'lookout_open',
      }],
    });
  }

  // The title usually says what happened already ("New issue: …"); the label only when it does not.
  const label = KIND_LABEL[message.kind].replace(/^:[a-z_]+: /, '');
  const headline = message.title.toLowerCase().startsWith(label.toLowerCase()) ? message.title : `${label}: ${message.title}`;
  const fallback = `${headline}${message.summary ? ` — ${message.summary}` : ''}`;
  return { text: truncate(esc(fallback), SLACK_LIMITS.fallbackText), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** What Slack's error answers mean, and what to do. */
const SLACK_ANSWERS: Record<string, string> = {
  invalid_payload: 'Slack could not read the message (a bug in Lookout: please report it)',
  channel_not_found: "the webhook's channel was deleted or Lookout cannot see it: create a new webhook",
  channel_is_archived: "the webhook's channel is archived: unarchive it or create a new webhook",
  no_service: 'the webhook was removed or disabled: create a new one',
  no_service_id: 'the webhook URL is incomplete: paste it again',
  no_team: 'the Slack workspace of the webhook is gone or disabled',
  team_disabled: 'the Slack workspace of the webhook is disabled',
  invalid_token: 'the webhook URL is not valid (revoked?): create a new webhook',
  action_prohibited: 'a workspace admin restricts posting to this channel',
  posting_to_general_channel_denied: 'only admins may post to this channel',
  user_not_found: 'the webhook posts as a user who is gone: create a new webhook',
};

function slackRefusal(status: number, answer: string): string {
  const code = answer.split(/\s/)[0] ?? '';
  const meaning = SLACK_ANSWERS[code];
  return `HTTP ${status} ${answer || '(no answer)'}${meaning ? ` — ${meaning}` : ''}`;
}

/** A per-webhook queue: one task at a time, requests at least `minIntervalMs` apart. */
export interface SlackLimiter {
  /** Runs `task` after the tasks queued before it; `pace` waits for the next request slot. */
  run<T>(task: (pace: (signal: AbortSignal) => Promise<void>) => Promise<T>): Promise<T>;
}

export function createSlackLimiter(minIntervalMs = 1000, now: () => number = Date.now, sleep: Sleep = defaultSleep): SlackLimiter {
  let tail: Promise<unknown> = Promise.resolve();
  let lastRequestAt = -Infinity;
  const pace = async (signal: AbortSignal) => {
    const wait = lastRequestAt + minIntervalMs - now();
    if (wait > 0) await sleep(wait, signal);
    lastRequestAt = now();
  };
  return {
    run(task) {
      const result = tail.then(() => task(pace));
      tail = result.catch(() => {});
      return result;
    },
  };
}

/** One queue per webhook URL, shared by the destinations open on it (see the module comment). */
const sharedLimiters = new Map<string, { limiter: SlackLimiter; users: number }>();

/** Retries: at most 5 requests per message, backoff 1,000 ms doubling up to 30,000 ms (HttpDeliveryOptions). */
export interface SlackDestinationOptions extends HttpDeliveryOptions {
  /** The incoming webhook's URL (a secret). */
  webhookUrl: string;
  log: DestinationLog;
  /** For logs and history (default `slack:<host>`); must not contain the URL's path. */
  name?: string;
  /** Least time between two requests to the webhook. Default 1,000 ms. */
  minIntervalMs?: number;
  /** A queue shared explicitly; default: the module's queue of this URL. */
  limiter?: SlackLimiter;
}

export function createSlackDestination(options: SlackDestinationOptions): Destination {
  const { webhookUrl, log, minIntervalMs = 1000, now = Date.now, sleep = defaultSleep } = options;
  let host = 'webhook';
  try {
    host = new URL(webhookUrl).host;
  } catch {
    throw new Error('the Slack webhook URL is not a URL');
  }
  const name = options.name ?? `slack:${host}`;
  const policy = retryPolicy(options, { maxAttempts: 5, backoffBaseMs: 1000 });

  let limiter = options.limiter;
  let shared = false;
  if (!limiter) {
    let entry = sharedLimiters.get(webhookUrl);
    if (!entry) sharedLimiters.set(webhookUrl, (entry = { limiter: createSlackLimiter(minIntervalMs, now, sleep), users: 0 }));
    entry.users++;
    limiter = entry.limiter;
    shared = true;
  }
  const closing = new AbortController();
  const queue = limiter;

  return {
    name,
    async send(message) {
      if (closing.signal.aborted) return { ok: false, attempts: 0, error: CLOSED };
      let body: string;
      try {
        body = JSON.stringify(slackPayload(message));
      } catch (error) {
        return { ok: false, attempts: 0, error: `the message could not be built: ${(error as Error).message}` };
      }
      return queue.run<DeliveryResult>((pace) =>
        postWithRetries({
          name,
          what: 'Slack',
          url: webhookUrl,
          headers: () => ({ 'content-type': 'application/json; charset=utf-8' }),
          body,
          log,
          policy,
          sleep,
          closing: closing.signal,
          beforeAttempt: () => pace(closing.signal),
          refusal: slackRefusal,
        }),
      );
    },
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      if (shared) {
        const entry = sharedLimiters.get(webhookUrl);
        if (entry && --entry.users <= 0) sharedLimiters.delete(webhookUrl);
      }
    },
  };
}
