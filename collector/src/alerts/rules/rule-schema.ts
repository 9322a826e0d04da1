/**
 * Alert rules: what to watch, for which events, and where to send. The same schema validates
 * the config file (`alerts.rules` in lookout.config.json / .yaml) and the API's bodies.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';

const StringEnum = <T extends string[]>(values: [...T]) => Type.Unsafe<T[number]>({ type: 'string', enum: values });

export const RULE_TYPES = ['issue.new', 'issue.regression', 'issue.frequency', 'error.rate', 'vital.threshold', 'route.duration', 'ingest.silence', 'cert.expiry', 'cert.invalid', 'cert.changed'] as const;
/** The types the engine evaluates so far; the others are accepted by the schema and refused by the store (issue 5 in progress). */
export const EVALUATED_RULE_TYPES: readonly RuleType[] = RULE_TYPES;
/** Rules over a sliding window of all events (not about one issue). */
export const WINDOW_RULE_TYPES: readonly RuleType[] = ['error.rate', 'vital.threshold', 'route.duration', 'ingest.silence'];
/** Rules over certificate checks (alerts/cert-rules.ts), per target. */
export const CERT_RULE_TYPES: readonly RuleType[] = ['cert.expiry', 'cert.invalid', 'cert.changed'];
export const isCertRule = (rule: { type: RuleType }) => CERT_RULE_TYPES.includes(rule.type);

const names = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 50 });

export const RuleFiltersSchema = Type.Object(
  {
    environment: Type.Optional(names),
    release: Type.Optional(names),
    route: Type.Optional(names),
    /** Browser names as the collector reports them (`Chrome`, `Firefox`, `Mobile Safari`…). */
    browser: Type.Optional(names),
    tags: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 256 }))),
    /** cert.* rules: certificate targets by id, `host` or `host:port`. */
    target: Type.Optional(names),
  },
  { additionalProperties: false },
);

export const DestinationSchema = Type.Union([
  Type.Object({ type: Type.Literal('slack'), name: Type.Optional(Type.String({ maxLength: 100 })), webhook_url: Type.String({ pattern: '^https?://' }) }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('webhook'), name: Type.Optional(Type.String({ maxLength: 100 })), url: Type.String({ pattern: '^https?://' }), secret: Type.String({ minLength: 16 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('icinga2'),
      name: Type.Optional(Type.String({ maxLength: 100 })),
      url: Type.String({ pattern: '^https?://' }),
      username: Type.Optional(Type.String()),
      password: Type.Optional(Type.String()),
      ca_file: Type.Optional(Type.String()),
      cert_file: Type.Optional(Type.String()),
      key_file: Type.Optional(Type.String()),
      host: Type.String({ minLength: 1 }),
      service: Type.String({ minLength: 1 }),
      /** Icinga marks the service UNKNOWN when no result came for this long; the collector re-sends the state every half of it. Default 600. */
      ttl_seconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 86_400 })),
    },
    { additionalProperties: false },
  ),
]);

export const RuleInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: StringEnum([...RULE_TYPES]),
    enabled: Type.Optional(Type.Boolean()),
    filters: Type.Optional(RuleFiltersSchema),
    /**
     * issue.frequency: ≥ `events` events or ≥ `users` users of an issue within `window_minutes`.
     * error.rate: errors per page view above `rate` over `window_minutes`, with ≥ `min_page_views`.
     * vital.threshold: p75 of `vital` above `value` for a route over `window_minutes`, with ≥ `min_samples`.
     * route.duration: p75 route-change duration above `value` ms for a route, with ≥ `min_samples`.
     * ingest.silence: no event at all from the project for `window_minutes`.
     */
    threshold: Type.Optional(
      Type.Object(
        {
          events: Type.Optional(Type.Integer({ minimum: 1 })),
          users: Type.Optional(Type.Integer({ minimum: 1 })),
          rate: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          value: Type.Optional(Type.Number({ minimum: 0 })),
          min_page_views: Type.Optional(Type.Integer({ minimum: 1 })),
          min_samples: Type.Optional(Type.Integer({ minimum: 1 })),
          window_minutes: Type.Integer({ minimum: 1, maximum: 1440 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** cert.expiry: alert at this many days left or fewer (CRITICAL); default: each target's warn_days (WARNING) and crit_days (CRITICAL). */
    days: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    /** vital.threshold: which Web Vital. */
    vital: Type.Optional(StringEnum(['LCP', 'INP', 'CLS', 'FCP', 'TTFB'])),
    /** After the first message for an issue, at most one digest (counts since the last message) every this many minutes. */
    digest_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
    /** After a message, another alert of this rule for the same issue within this time goes into the digest instead. */
    cooldown_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080 })),
    destinations: Type.Array(DestinationSchema, { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
);

export type RuleInput = Static<typeof RuleInputSchema>;
export type RuleType = (typeof RULE_TYPES)[number];
export type DestinationConfig = Static<typeof DestinationSchema>;
export type RuleFilters = Static<typeof RuleFiltersSchema>;

export interface AlertRule extends RuleInput {
  id: string;
  projectId: number;
  enabled: boolean;
  digest_minutes: number;
  cooldown_minutes: number;
  /** `config`: from the config file (read-only through the API); `api`: created through the API. */
  source: 'config' | 'api';
  updatedAt: number;
}

export const DEFAULT_DIGEST_MINUTES = 60;
export const DEFAULT_COOLDOWN_MINUTES = 30;

const ajv = new Ajv({ allErrors: false, strict: false });
const validateInput = ajv.compile(RuleInputSchema);

/** The rule input, or throws an Error saying what is wrong (field path and reason). */
export function parseRuleInput(input: unknown): RuleInput {
  if (!validateInput(input)) throw new Error(explain(validateInput.errors?.[0]));
  const rule = input as RuleInput;
  const needs = (what: string, ok: boolean) => {
    if (!ok) throw new Error(`${/^[aeiou]/.test(rule.type) ? 'an' : 'a'} ${rule.type} rule needs ${what}`);
  };
  const t = rule.threshold;
  if (rule.type === 'issue.frequency') needs('threshold.events or threshold.users, and threshold.window_minutes', !!t && !!(t.events || t.users));
  if (rule.type === 'error.rate') needs('threshold.rate (errors per page view, e.g. 0.05) and threshold.window_minutes', !!t?.rate);
  if (rule.type === 'vital.threshold') needs('"vital" (LCP, INP, CLS, FCP or TTFB), threshold.value (p75 limit) and threshold.window_minutes', !!rule.vital && t?.value !== undefined);
  if (rule.type === 'route.duration') needs('threshold.value (p75 limit in ms) and threshold.window_minutes', t?.value !== undefined);
  if (rule.type === 'ingest.silence') needs('threshold.window_minutes (minutes without any event)', !!t);
  const cert = CERT_RULE_TYPES.includes(rule.type);
  const eventFilters = Object.keys(rule.filters ?? {}).filter((name) => name !== 'target');
  if (cert && eventFilters.length) throw new Error(`a ${rule.type} rule filters by target only (filters.target: ids, hosts or host:port), not by ${eventFilters.join(', ')}`);
  if (!cert && rule.filters?.target) throw new Error(`filters.target is for cert.* rules; ${/^[aeiou]/.test(rule.type) ? 'an' : 'a'} ${rule.type} rule filters events`);
  if (cert && t) throw new Error(`a ${rule.type} rule has no threshold${rule.type === 'cert.expiry' ? ': give "days" (alert at this many days left or fewer), or nothing for the targets\' warn_days/crit_days' : ''}`);
  if (rule.days !== undefined && rule.type !== 'cert.expiry') throw new Error(`"days" is for cert.expiry rules, not ${rule.type}`);
  if (cert) {
    for (const d of rule.destinations) {
      if (d.type === 'icinga2' && !/\{(host|target)\}/.test(d.host + d.service)) {
        throw new Error(`a ${rule.type} rule reports one Icinga2 service per target: put {host} (and {port}) in the icinga2 destination's host or service, e.g. service: "cert-{host}-{port}"`);
      }
    }
  }
  return rule;
}

function explain(error: ErrorObject | undefined): string {
  if (!error) return 'invalid rule';
  const field = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : 'rule';
  if (error.keyword === 'required') return `${field} is missing "${(error.params as { missingProperty: string }).missingProperty}"`;
  if (error.keyword === 'enum') return `${field} must be one of ${(error.params as { allowedValues: string[] }).allowedValues.join(', ')}`;
  if (error.keyword === 'additionalProperties') return `${field} has an unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  return `${field} ${error.message ?? 'is invalid'}`;
}

/** A rule as the API shows it: secrets (webhook URLs, secrets, passwords) replaced. */
export function redactRule(rule: AlertRule): Record<string, unknown> {
  return {
    id: rule.id,
    name: rule.name,
    type: rule.type,
    enabled: rule.enabled,
    filters: rule.filters ?? {},
    ...(rule.threshold ? { threshold: rule.threshold } : {}),
    ...(rule.vital ? { vital: rule.vital } : {}),
    ...(rule.days !== undefined ? { days: rule.days } : {}),
    digest_minutes: rule.digest_minutes,
    cooldown_minutes: rule.cooldown_minutes,
    source: rule.source,
    updated_at: rule.updatedAt,
    destinations: rule.destinations.map((d) => {
      if (d.type === 'slack') return { type: d.type, name: d.name ?? null, webhook_url: redactUrl(d.webhook_url) };
      if (d.type === 'webhook') return { type: d.type, name: d.name ?? null, url: d.url, secret: '***' };
      return { ...d, name: d.name ?? null, ...(d.password ? { password: '***' } : {}) };
    }),
  };
}

/**
 * An edit sends the rule back as it was shown: a destination whose secret is still the redacted
 * form (or left out) keeps the stored secret — the same destination at the same place, same type.
 * So a rule can be renamed or switched off without typing its secrets again, and a redacted
 * Slack URL can never overwrite the real one.
 */
export function restoreSecrets(input: unknown, stored: AlertRule): unknown {
  if (!input || typeof input !== 'object' || !Array.isArray((input as { destinations?: unknown }).destinations)) return input;
  const destinations = (input as { destinations: unknown[] }).destinations.map((given, index) => {
    const before = stored.destinations[index];
    if (!before || !given || typeof given !== 'object' || (given as { type?: unknown }).type !== before.type) return given;
    const d = { ...(given as Record<string, unknown>) };
    if (before.type === 'slack' && (d.webhook_url === undefined || d.webhook_url === redactUrl(before.webhook_url))) d.webhook_url = before.webhook_url;
    if (before.type === 'webhook' && (d.secret === undefined || d.secret === '***') && d.url === before.url) d.secret = before.secret;
    if (before.type === 'icinga2' && before.password && (d.password === undefined || d.password === '***') && d.url === before.url) d.password = before.password;
    return d;
  });
  return { ...(input as Record<string, unknown>), destinations };
}

/** `https://hooks.slack.com/services/T000/B000/XXXX` → `https://hooks.slack.com/…` (the path is the secret). */
const redactUrl = (url: string) => url.replace(/^(https?:\/\/[^/]+).*$/, '$1/…');
