/**
 * Alert rules as the API shows them (secrets redacted), and what the dashboard knows about each
 * type: its help text, the threshold fields it reads, and the schema's bounds
 * (collector/src/alerts/rules/rule-schema.ts).
 */

export const RULE_TYPES = ['issue.new', 'issue.regression', 'issue.frequency', 'error.rate', 'vital.threshold', 'route.duration', 'ingest.silence'] as const;
export type RuleType = (typeof RULE_TYPES)[number];
export const VITALS = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;

export const RULE_TYPE_HELP: Record<RuleType, string> = {
  'issue.new': "An issue's first event is stored.",
  'issue.regression': 'An event reopens a resolved issue.',
  'issue.frequency': 'An issue reaches N events or N users within a sliding window; a "resolved" message follows when it falls back below.',
  'error.rate': 'Errors per page view over the window exceed the rate (e.g. 0.05), once there are enough page views.',
  'vital.threshold': 'The p75 of a Web Vital for a route over the window exceeds the value (ms; CLS unitless). Each route fires on its own.',
  'route.duration': 'The p75 route-change duration of a route exceeds the value in ms (page loads do not count).',
  'ingest.silence': 'No event at all from the project for the window: the app or the agent is broken.',
};

export const isIssueRule = (type: RuleType) => type.startsWith('issue.');

/** A destination as the API shows it: secrets replaced by `***` or a cut URL. */
export interface ApiDestination {
  type: 'slack' | 'webhook' | 'icinga2';
  name: string | null;
  webhook_url?: string;
  url?: string;
  secret?: string;
  username?: string;
  password?: string;
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  host?: string;
  service?: string;
  ttl_seconds?: number;
}

export interface ApiRule {
  id: string;
  name: string;
  type: RuleType;
  enabled: boolean;
  filters: { environment?: string[]; release?: string[]; route?: string[]; browser?: string[]; tags?: Record<string, string> };
  threshold?: Partial<Record<ThresholdField, number>>;
  vital?: string;
  digest_minutes: number;
  cooldown_minutes: number;
  source: 'config' | 'api';
  updated_at: number;
  destinations: ApiDestination[];
}

export const THRESHOLD_FIELDS = ['events', 'users', 'rate', 'value', 'min_page_views', 'min_samples', 'window_minutes'] as const;
export type ThresholdField = (typeof THRESHOLD_FIELDS)[number];

/** Which threshold fields each type reads, and which of them it needs. */
export const THRESHOLDS: Record<RuleType, { fields: ThresholdField[]; required: ThresholdField[] }> = {
  'issue.new': { fields: [], required: [] },
  'issue.regression': { fields: [], required: [] },
  'issue.frequency': { fields: ['events', 'users', 'window_minutes'], required: ['window_minutes'] },
  'error.rate': { fields: ['rate', 'window_minutes', 'min_page_views'], required: ['rate', 'window_minutes'] },
  'vital.threshold': { fields: ['value', 'window_minutes', 'min_samples'], required: ['value', 'window_minutes'] },
  'route.duration': { fields: ['value', 'window_minutes', 'min_samples'], required: ['value', 'window_minutes'] },
  'ingest.silence': { fields: ['window_minutes'], required: ['window_minutes'] },
};

/** Label, hint, and the schema's bounds of each number. */
export const NUMBER_FIELDS: Record<ThresholdField | 'digest_minutes' | 'cooldown_minutes' | 'ttl_seconds', { label: string; hint: string; integer: boolean; min: number; max?: number; exclusiveMin?: boolean }> = {
  events: { label: 'Events', hint: 'Events of one issue within the window (events and/or users).', integer: true, min: 1 },
  users: { label: 'Users', hint: 'Users affected by one issue within the window.', integer: true, min: 1 },
  rate: { label: 'Error rate', hint: 'Errors per page view, e.g. 0.05 for 5 %.', integer: false, min: 0, exclusiveMin: true },
  value: { label: 'p75 limit', hint: 'Milliseconds (CLS: unitless, e.g. 0.1).', integer: false, min: 0 },
  min_page_views: { label: 'Minimum page views', hint: 'Judge only with at least this many views (default 50).', integer: true, min: 1 },
  min_samples: { label: 'Minimum samples', hint: 'Judge only with at least this many samples (default 20).', integer: true, min: 1 },
  window_minutes: { label: 'Window (minutes)', hint: '1 to 1440.', integer: true, min: 1, max: 1440 },
  digest_minutes: { label: 'Digest every (minutes)', hint: 'After the first message for an issue, at most one digest this often (default 60).', integer: true, min: 1, max: 10_080 },
  cooldown_minutes: { label: 'Cooldown (minutes)', hint: 'Another alert for the same issue this soon goes into the digest instead (default 30).', integer: true, min: 0, max: 10_080 },
  ttl_seconds: { label: 'TTL (seconds)', hint: 'Icinga marks the service UNKNOWN after this long without a result (default 600).', integer: true, min: 5, max: 86_400 },
};

export const FILTER_LISTS = ['environment', 'release', 'route', 'browser'] as const;
export type FilterList = (typeof FILTER_LISTS)[number];

/** The secret the API hid in a destination, if any (the form asks for it again). */
export function redactedSecret(destination: ApiDestination): string | null {
  if (destination.type === 'slack') return destination.webhook_url ?? null;
  if (destination.type === 'webhook') return destination.secret ? '***' : null;
  return destination.password ? '***' : null;
}

export const hasHiddenSecrets = (rule: ApiRule) => rule.destinations.some((destination) => redactedSecret(destination) !== null);

/** A destination in one line, without secrets (the API already hid them). */
export function describeDestination(destination: ApiDestination): string {
  const label = destination.name ? `${destination.name}: ` : '';
  if (destination.type === 'slack') return `${label}Slack ${destination.webhook_url ?? ''}`;
  if (destination.type === 'webhook') return `${label}webhook ${destination.url ?? ''}`;
  return `${label}Icinga2 ${destination.host ?? ''}!${destination.service ?? ''}`;
}
