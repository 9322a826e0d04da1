/**
 * The form's draft of a rule: strings the inputs edit, made from the API's (redacted) rule, checked
 * on the client (a mirror of rule-schema.ts; the server stays the authority) and turned into the body.
 */
import { type ApiDestination, type ApiRule, FILTER_LISTS, type FilterList, isIssueRule, NUMBER_FIELDS, redactedSecret, type RuleType, THRESHOLD_FIELDS, type ThresholdField, THRESHOLDS } from './rule-model.js';

export interface DestinationDraft {
  type: ApiDestination['type'];
  name: string;
  webhook_url: string;
  url: string;
  secret: string;
  username: string;
  password: string;
  ca_file: string;
  cert_file: string;
  key_file: string;
  host: string;
  service: string;
  ttl_seconds: string;
  /** What the API showed in place of the secret (editing: left empty, the stored one is kept). */
  redacted: string | null;
}

export interface RuleDraft {
  name: string;
  type: RuleType;
  enabled: boolean;
  vital: string;
  threshold: Record<ThresholdField, string>;
  filters: Record<FilterList, string> & { tags: string };
  digest_minutes: string;
  cooldown_minutes: string;
  destinations: DestinationDraft[];
}

export const emptyDestination = (type: ApiDestination['type'] = 'slack'): DestinationDraft => ({
  type,
  name: '',
  webhook_url: '',
  url: '',
  secret: '',
  username: '',
  password: '',
  ca_file: '',
  cert_file: '',
  key_file: '',
  host: '',
  service: '',
  ttl_seconds: '',
  redacted: null,
});

const text = (value: number | string | undefined | null) => (value === undefined || value === null ? '' : String(value));

export function emptyDraft(): RuleDraft {
  return {
    name: '',
    type: 'issue.new',
    enabled: true,
    vital: 'LCP',
    threshold: Object.fromEntries(THRESHOLD_FIELDS.map((field) => [field, ''])) as Record<ThresholdField, string>,
    filters: { environment: '', release: '', route: '', browser: '', tags: '' },
    digest_minutes: '60',
    cooldown_minutes: '30',
    destinations: [emptyDestination()],
  };
}



function destinationDraft(destination: ApiDestination): DestinationDraft {
  return {
    ...emptyDestination(destination.type),
    name: text(destination.name),
    url: text(destination.url),
    username: text(destination.username),
    ca_file: text(destination.ca_file),
    cert_file: text(destination.cert_file),
    key_file: text(destination.key_file),
    host: text(destination.host),
    service: text(destination.service),
    ttl_seconds: text(destination.ttl_seconds),
    // Left empty: the field is not sent and the server keeps the stored secret (restoreSecrets).
    redacted: redactedSecret(destination),
  };
}

export function draftOf(rule: ApiRule): RuleDraft {
  const draft = emptyDraft();
  return {
    ...draft,
    name: rule.name,
    type: rule.type,
    enabled: rule.enabled,
    vital: rule.vital ?? draft.vital,
    threshold: Object.fromEntries(THRESHOLD_FIELDS.map((field) => [field, text(rule.threshold?.[field])])) as Record<ThresholdField, string>,
    filters: {
      ...(Object.fromEntries(FILTER_LISTS.map((key) => [key, (rule.filters[key] ?? []).join('\n')])) as Record<FilterList, string>),
      tags: Object.entries(rule.filters.tags ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
    },
    digest_minutes: text(rule.digest_minutes),
    cooldown_minutes: text(rule.cooldown_minutes),
    destinations: rule.destinations.map(destinationDraft),
  };
}

/** Field path (`name`, `threshold.rate`, `destinations.0.url`…) → what is wrong. */
export type DraftErrors = Record<string, string>;

const lines = (value: string) =>
  value
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);

function checkNumber(errors: DraftErrors, path: string, field: keyof typeof NUMBER_FIELDS, value: string, required: boolean) {
  const spec = NUMBER_FIELDS[field];
  if (value.trim() === '') {
    if (required) errors[path] = `${spec.label} is required.`;
    return;
  }
  const number = Number(value);
  if (!Number.isFinite(number)) errors[path] = `${spec.label} must be a number.`;
  else if (spec.integer && !Number.isInteger(number)) errors[path] = `${spec.label} must be a whole number.`;
  else if (spec.exclusiveMin ? number <= spec.min : number < spec.min) errors[path] = `${spec.label} must be ${spec.exclusiveMin ? 'more than' : 'at least'} ${spec.min}.`;
  else if (spec.max !== undefined && number > spec.max) errors[path] = `${spec.label} must be at most ${spec.max}.`;
}

const HTTP_URL = /^https?:\/\//;

function checkDestination(errors: DraftErrors, destination: DestinationDraft, index: number) {
  const at = (field: string) => `destinations.${index}.${field}`;
  const url = (field: 'url' | 'webhook_url', label: string) => {
    const value = destination[field].trim();
    if (!value) errors[at(field)] = `${label} is required.`;
    else if (!HTTP_URL.test(value)) errors[at(field)] = `${label} must start with https:// or http://.`;
  };
  const keeps = (value: string) => !value && destination.redacted !== null;
  if (destination.type === 'slack' && !keeps(destination.webhook_url)) url('webhook_url', 'Webhook URL');
  if (destination.type === 'webhook') {
    url('url', 'URL');
    if (destination.secret.length < 16 && !keeps(destination.secret)) errors[at('secret')] = destination.secret ? 'The secret needs at least 16 characters.' : 'Secret is required (at least 16 characters).';
  }
  if (destination.type === 'icinga2') {
    url('url', 'API URL');
    if (!destination.host.trim()) errors[at('host')] = 'Host is required.';
    if (!destination.service.trim()) errors[at('service')] = 'Service is required.';
    if (destination.username.trim() && !destination.password && !keeps(destination.password)) errors[at('password')] = 'A password is required with a username.';
    checkNumber(errors, at('ttl_seconds'), 'ttl_seconds', destination.ttl_seconds, false);
  }
}

export function checkDraft(draft: RuleDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!draft.name.trim()) errors.name = 'Name is required.';
  const { fields, required } = THRESHOLDS[draft.type];
  for (const field of fields) checkNumber(errors, `threshold.${field}`, field, draft.threshold[field], required.includes(field));
  if (draft.type === 'issue.frequency' && !draft.threshold.events.trim() && !draft.threshold.users.trim()) errors['threshold.events'] = 'Give events, users, or both.';
  if (isIssueRule(draft.type)) {
    checkNumber(errors, 'digest_minutes', 'digest_minutes', draft.digest_minutes, false);
    checkNumber(errors, 'cooldown_minutes', 'cooldown_minutes', draft.cooldown_minutes, false);
  }
  for (const line of lines(draft.filters.tags)) if (!line.includes('=')) errors['filters.tags'] = `"${line}" is not key=value.`;
  if (draft.destinations.length === 0) errors.destinations = 'Add at least one destination.';
  draft.destinations.forEach((destination, index) => checkDestination(errors, destination, index));
  return errors;
}

const optional = (value: string) => (value.trim() ? value.trim() : undefined);
const optionalNumber = (value: string) => (value.trim() ? Number(value) : undefined);

function destinationBody(destination: DestinationDraft): Record<string, unknown> {
  const common = { type: destination.type, name: optional(destination.name) };
  // An empty secret of a stored destination is left out: the server keeps the one it has.
  if (destination.type === 'slack') return { ...common, webhook_url: optional(destination.webhook_url) };
  if (destination.type === 'webhook') return { ...common, url: destination.url.trim(), secret: destination.secret || undefined };
  return {
    ...common,
    url: destination.url.trim(),
    username: optional(destination.username),
    password: destination.password || undefined,
    ca_file: optional(destination.ca_file),
    cert_file: optional(destination.cert_file),
    key_file: optional(destination.key_file),
    host: destination.host.trim(),
    service: destination.service.trim(),
    ttl_seconds: optionalNumber(destination.ttl_seconds),
  };
}

/** The POST/PUT body: only what the type reads (the schema refuses unknown fields). */
export function bodyOf(draft: RuleDraft): Record<string, unknown> {
  const { fields } = THRESHOLDS[draft.type];
  const threshold = Object.fromEntries(fields.map((field) => [field, optionalNumber(draft.threshold[field])]).filter(([, value]) => value !== undefined));
  const filters: Record<string, unknown> = {};
  for (const key of FILTER_LISTS) if (lines(draft.filters[key]).length) filters[key] = lines(draft.filters[key]);
  const tags = lines(draft.filters.tags).map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]);
  if (tags.length) filters.tags = Object.fromEntries(tags);
  return {
    name: draft.name.trim(),
    type: draft.type,
    enabled: draft.enabled,
    filters,
    ...(fields.length ? { threshold } : {}),
    ...(draft.type === 'vital.threshold' ? { vital: draft.vital } : {}),
    digest_minutes: optionalNumber(draft.digest_minutes),
    cooldown_minutes: optionalNumber(draft.cooldown_minutes),
    destinations: draft.destinations.map(destinationBody),
  };
}

