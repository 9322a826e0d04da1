/**
 * Icinga 2: alerts as passive check results through its REST API.
 *
 * POST <url>/v1/actions/process-check-result (HTTPS, port 5665 by default) with
 *   { type: "Service", service: "<host>!<service>", exit_status, plugin_output,
 *     performance_data: [...], check_source, ttl }
 * authenticated with basic auth (an ApiUser's password) or a client certificate (an ApiUser's
 * `client_cn`), the server verified against `caFile` (Icinga's CA, /var/lib/icinga2/ca/ca.crt).
 * One destination is one service: one per project/rule, as docs/icinga2.md shows.
 *
 * States: threshold.firing, issue.new and issue.regression are CRITICAL (2), or WARNING (1) with
 * `firingState: 'WARNING'`; issue.digest is WARNING (1); threshold.resolved is OK (0); `test` is
 * OK (0) with "test" in the output. `ttl` makes Icinga turn the service UNKNOWN (its `passive`
 * check command) when no new result arrives in time: the collector went silent.
 *
 * Retries: network errors, timeouts and 5xx, with exponential backoff and jitter. Never retried:
 * 4xx (bad credentials, an unknown service or one the ApiUser may not update — Icinga answers
 * 404 "No objects found." for both), TLS verification failures, and 5xx that say "No objects
 * found". The password never reaches a log line or a result.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { backoffDelay, CLOSED, defaultSleep, type Sleep } from './http-delivery.js';
import type { AlertMessage, DeliveryResult, Destination, DestinationLog } from './types.js';

/** Icinga's service states, as exit statuses of a check. */
export const OK = 0;
export const WARNING = 1;
export const CRITICAL = 2;
export const UNKNOWN = 3;
export type ExitStatus = 0 | 1 | 2 | 3;

export const STATE_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** Icinga's (and the monitoring plugins') limit is larger; a summary longer than this is not one line. */
export const PLUGIN_OUTPUT_LIMIT = 1000;

export const DOCS = 'docs/icinga2.md';

export interface Icinga2DestinationOptions {
  /** The API's base URL, e.g. `https://icinga.example.com:5665` (a path prefix is kept). */
  url: string;
  /** Basic auth: the ApiUser's name and password. */
  username?: string;
  password?: string;
  /** PEM file of the CA that signed Icinga's certificate (default: the system's CAs). */
  caFile?: string;
  /** Client certificate and key (PEM files) for an ApiUser with `client_cn`. */
  certFile?: string;
  keyFile?: string;
  /** The Icinga host object the service belongs to. */
  host: string;
  /** The passive service this destination reports to. */
  service: string;
  /** Seconds after which Icinga considers the result stale (UNKNOWN) without a newer one; 0: never. */
  ttlSeconds: number;
  /** `check_source` of the results: who reported them (e.g. the collector's host name). */
  checkSource: string;
  /** State for firing alerts and new/regressed issues. Default CRITICAL. */
  firingState?: 'WARNING' | 'CRITICAL';
  log: DestinationLog;
  /** Requests at most per message, the first included. Default 3. */
  maxAttempts?: number;
  /** How long one request may take. Default 10 s. */
  timeoutMs?: number;
  /** First backoff delay. Default 500 ms. */
  backoffBaseMs?: number;
  /** Longest backoff delay. Default 30 s. */
  backoffCapMs?: number;
  /** Default true. */
  jitter?: boolean;
  /** For logs and the history. Default `icinga2:<host>!<service>`. */
  name?: string;
  sleep?: Sleep;
}

export interface Icinga2CheckResult {
  type: 'Service';
  service: string;
  exit_status: ExitStatus;
  plugin_output: string;
  performance_data: string[];
  check_source: string;
  ttl?: number;
}

/** The state a message reports. */
export function exitStatusOf(message: AlertMessage, firingState: 'WARNING' | 'CRITICAL' = 'CRITICAL'): ExitStatus {
  switch (message.kind) {
    case 'threshold.resolved':
    case 'cert.resolved':
    case 'test':
      return OK;
    case 'issue.digest':
    case 'cert.changed':
      return WARNING;
    case 'issue.new':
    case 'issue.regression':
    case 'threshold.firing':
    case 'cert.firing':
      return firingState === 'WARNING' ? WARNING : CRITICAL;
    default:
      return UNKNOWN;
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** `CRITICAL - <title>: <summary> <link>`, one line, at most `PLUGIN_OUTPUT_LIMIT` characters, the link kept whole. */
export function pluginOutput(message: AlertMessage, status: ExitStatus): string {
  const link = oneLine(message.link);
  const prefix = `${STATE_NAMES[status]} - ${message.kind === 'test' ? 'test alert from Lookout: ' : ''}`;
  const title = oneLine(message.title);
  const summary = oneLine(message.summary);
  let text = prefix + [title, summary].filter(Boolean).join(': ');
  const room = PLUGIN_OUTPUT_LIMIT - (link ? link.length + 1 : 0);
  if (room < prefix.length + 10) return (prefix + link).slice(0, PLUGIN_OUTPUT_LIMIT);
  if (text.length > room) text = text.slice(0, room - 1).trimEnd() + '…';
  return link ? `${text} ${link}` : text;
}

/** A perfdata label: lower case letters, digits and `_`. */
function label(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'value'
  );
}

const num = (value: number) => (Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12))));

/**
 * Performance data from the message's numbers: the metric as `<name>_<window>m=value;warn;crit;0`
 * (the threshold in the warning or critical slot, as the rule fires), and an issue's `events` and
 * `users` counts.
 */
export function performanceData(message: AlertMessage, firingState: 'WARNING' | 'CRITICAL' = 'CRITICAL'): string[] {
  const out: string[] = [];
  const metric = message.metric;
  if (metric && Number.isFinite(metric.value)) {
    const threshold = Number.isFinite(metric.threshold) ? num(metric.threshold) : '';
    const [warn, crit] = firingState === 'WARNING' ? [threshold, ''] : ['', threshold];
    out.push(`${label(`${metric.name}_${metric.windowMinutes}m`)}=${num(metric.value)};${warn};${crit};0`);
  }
  const issue = message.issue;
  if (issue?.events !== undefined && Number.isFinite(issue.events)) out.push(`events=${num(issue.events)};;;0`);
  if (issue?.users !== undefined && Number.isFinite(issue.users)) out.push(`users=${num(issue.users)};;;0`);
  return out;
}

export function icinga2CheckResult(
  message: AlertMessage,
  options: Pick<Icinga2DestinationOptions, 'host' | 'service' | 'ttlSeconds' | 'checkSource' | 'firingState'>,
): Icinga2CheckResult {
  const status = exitStatusOf(message, options.firingState);
  return {
    type: 'Service',
    service: `${options.host}!${options.service}`,
    exit_status: status,
    plugin_output: pluginOutput(message, status),
    performance_data: performanceData(message, options.firingState),
    check_source: options.checkSource,
    ...(options.ttlSeconds > 0 ? { ttl: Math.round(options.ttlSeconds) } : {}),
  };
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function readPem(option: string, file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`Icinga2 destination: cannot read ${option} ${file}: ${(error as Error).message}`);
  }
}

interface Answer {
  status: number;
  body: string;
}

/**
 * A destination posting passive check results to one Icinga service. Throws at once when the
 * options cannot work (no credentials, unreadable PEM files, a URL that is not http(s)).
 */
export function createIcinga2Destination(options: Icinga2DestinationOptions): Destination {
  const base = new URL(options.url);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`Icinga2 destination: url must be https:// (got ${base.protocol})`);
  if (!options.host || !options.service) throw new Error('Icinga2 destination: host and service are required');
  const hasBasic = options.username !== undefined && options.username !== '';
  if (!hasBasic && !options.certFile) throw new Error('Icinga2 destination: give username and password, or certFile and keyFile (a client certificate)');
  if (Boolean(options.certFile) !== Boolean(options.keyFile)) throw new Error('Icinga2 destination: certFile and keyFile go together');
  const tls = { ca: readPem('caFile', options.caFile), cert: readPem('certFile', options.certFile), key: readPem('keyFile', options.keyFile) };
  const endpoint = new URL(base.pathname.replace(/\/+$/, '') + '/v1/actions/process-check-result', base);
  const https = endpoint.protocol === 'https:';
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: 4, ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert, key: tls.key } : {}) })
    : new HttpAgent({ keepAlive: true, maxSockets: 4 });
  const authorization = hasBasic ? 'Basic ' + Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64') : undefined;

  const name = options.name ?? `icinga2:${options.host}!${options.service}`;
  const log = options.log;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy = { backoffBaseMs: options.backoffBaseMs ?? 500, backoffCapMs: options.backoffCapMs ?? 30_000, jitter: options.jitter ?? true };
  const sleep = options.sleep ?? defaultSleep;
  const closing = new AbortController();
  const objectName = `${options.host}!${options.service}`;
  const secrets = [options.password, authorization].filter((s): s is string => Boolean(s));
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);

  const post = (body: string): Promise<Answer> =>
    new Promise((done, fail) => {
      const req = (https ? httpsRequest : httpRequest)(
        endpoint,
        {
          method: 'POST',
          agent,
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(authorization ? { authorization } : {}),
          },
          signal: closing.signal,
        },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < 64 * 1024) text += chunk;
          });
          res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
          res.on('error', fail);
        },
      );
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      req.end(body);
    });

  /** Icinga's `status` (or `error`) text of an answer. */
  const statusText = (body: string): string => {
    try {
      const parsed = JSON.parse(body) as { status?: string; results?: { status?: string }[] };
      return parsed.status ?? parsed.results?.map((r) => r.status).filter(Boolean).join('; ') ?? body;
    } catch {
      return body;
    }
  };

  const refusal = (status: number, body: string): string => {
    const said = scrub(oneLine(statusText(body))).slice(0, 300);
    const answer = `HTTP ${status}${said ? `: ${said}` : ''}`;
    if (status === 401) {
      return `Icinga2 refused the credentials (${answer}): check the ApiUser's ${hasBasic ? 'username and password' : 'client_cn against the client certificate'}; see ${DOCS}`;
    }
    if (status === 403) return `Icinga2 refused the action (${answer}): the ApiUser needs permissions = [ "actions/process-check-result" ]; see ${DOCS}`;
    if (/no objects found/i.test(said) || status === 404) {
      return `Icinga2 has no service ${objectName} that this ApiUser may update (${answer}): define the passive service ${options.service} on host ${options.host} and give the ApiUser permissions = [ "actions/process-check-result" ]; see ${DOCS}`;
    }
    return `Icinga2 refused the check result (${answer}); see ${DOCS}`;
  };

  const send = async (message: AlertMessage): Promise<DeliveryResult> => {
    const result = icinga2CheckResult(message, options);
    const body = JSON.stringify(result);
    let attempts = 0;
    let lastStatus: number | undefined;
    let lastError = '';
    const closed = (): DeliveryResult => ({ ok: false, attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}), error: CLOSED });

    while (attempts < maxAttempts) {
      if (closing.signal.aborted) return closed();
      attempts++;
      try {
        const answer = await post(body);
        lastStatus = answer.status;
        if (answer.status >= 200 && answer.status < 300) {
          // 200 with no result, or a result whose code is not 200, means nothing was updated.
          let results: { code?: number; status?: string }[] | undefined;
          try {
            results = (JSON.parse(answer.body) as { results?: { code?: number; status?: string }[] }).results;
          } catch {
            results = undefined;
          }
          const failed = results?.find((r) => r.code !== undefined && (r.code < 200 || r.code >= 300));
          if (results && results.length > 0 && !failed) {
            if (attempts > 1) log.info({ destination: name, attempts }, `Icinga2 check result delivered after ${attempts} attempts`);
            return { ok: true, status: answer.status, attempts };
          }
          const error = failed ? refusal(failed.code ?? answer.status, JSON.stringify({ status: failed.status })) : refusal(404, '{"status":"No objects found."}');
          log.error({ destination: name, status: answer.status, attempts }, `Icinga2 did not take the check result (${error}); not retried`);
          return { ok: false, status: answer.status, attempts, error };
        }
        const noObjects = /no objects found/i.test(answer.body);
        if (answer.status < 500 || noObjects) {
          const error = refusal(answer.status, answer.body);
          log.error({ destination: name, status: answer.status, attempts }, `Icinga2 refused the check result (${error}); not retried`);
          return { ok: false, status: answer.status, attempts, error };
        }
        lastError = `HTTP ${answer.status}: ${scrub(oneLine(statusText(answer.body))).slice(0, 300)}`;
      } catch (error) {
        if (closing.signal.aborted) return closed();
        lastStatus = undefined;
        const code = (error as { code?: string }).code;
        const text = scrub((error as Error).message ?? String(error));
        if (code && TLS_VERIFY_CODES.has(code)) {
          const why = `TLS: ${text} (${code}): set caFile to the CA that signed Icinga's certificate (/var/lib/icinga2/ca/ca.crt on the master) and use the host name in its certificate; see ${DOCS}`;
          log.error({ destination: name, attempts }, `Icinga2 check result not delivered (${why}); not retried`);
          return { ok: false, attempts, error: why };
        }
        lastError = code === 'TIMEOUT' ? text : `network error: ${text}${code && !text.includes(code) ? ` (${code})` : ''}`;
      }
      if (attempts >= maxAttempts) break;
      const retryInMs = backoffDelay(attempts, policy);
      log.warn({ destination: name, attempt: attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}), retryInMs }, `Icinga2 check result delivery failed (${lastError}); retrying`);
      try {
        await sleep(retryInMs, closing.signal);
      } catch {
        return closed();
      }
    }
    const error = `${lastError} (gave up after ${attempts} attempts)`;
    log.error({ destination: name, attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}) }, `Icinga2 check result not delivered: ${error}`);
    return { ok: false, attempts, ...(lastStatus !== undefined ? { status: lastStatus } : {}), error };
  };

  return {
    name,
    send,
    async close() {
      closing.abort();
      agent.destroy();
    },
  };
}
