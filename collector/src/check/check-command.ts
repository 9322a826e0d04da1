/**
 * `lookout check --url URL --project ID --token T --rule NAME|ID`: an active check for Icinga2 /
 * Nagios. One line `LOOKOUT <STATE> - <rule>: <what it sees> | <perfdata>`, exit 0 OK, 2
 * CRITICAL, 3 UNKNOWN (the collector unreachable, a refused token, no such rule, bad flags).
 * Flags may come from LOOKOUT_URL, LOOKOUT_PROJECT, LOOKOUT_TOKEN.
 */
import { parseArgs } from 'node:util';

export const CHECK_USAGE = `Usage: lookout check --url URL --project ID --token TOKEN --rule NAME|ID [--timeout SECONDS]

An Icinga2/Nagios check of one alert rule: exit 0 OK, 2 CRITICAL, 3 UNKNOWN, one line of output
with performance data. Environment: LOOKOUT_URL, LOOKOUT_PROJECT, LOOKOUT_TOKEN. docs/alerts.md`;

export const EXIT = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
type State = keyof typeof EXIT;

interface Metric {
  name: string;
  value: number;
  threshold: number;
  windowMinutes: number;
}

interface RuleState {
  rule: { id: string; name: string; type: string; enabled: boolean };
  state: 'ok' | 'firing';
  windows: { group: string; firing: boolean; metric: Metric | null }[];
  issues: { issue_id: string; firing: boolean; events_pending: number }[];
}

/** A perfdata label: letters, digits and `_`, quoted when it holds anything else. */
const label = (text: string) => (/^[\w.]+$/.test(text) ? text : `'${text.replace(/'/g, '')}'`);
const unitOf = (metric: Metric) => (/\bms\b|p75 \(ms\)|LCP|INP|FCP|TTFB/.test(metric.name) && !/CLS/.test(metric.name) ? 'ms' : '');
const shortName = (metric: Metric) =>
  metric.name === 'errors per page view' ? 'error_rate' : metric.name === 'minutes without events' ? 'silent_minutes' : metric.name.replace(/ \(ms\)/, '').replace(/\s+/g, '_').toLowerCase();

export function describeState(state: RuleState): { status: State; line: string } {
  const { rule } = state;
  const status: State = !rule.enabled ? 'OK' : state.state === 'firing' ? 'CRITICAL' : 'OK';
  const perf: string[] = [];
  const parts: string[] = [];
  for (const window of state.windows) {
    if (!window.metric) {
      parts.push(`${window.group || 'all'}: not enough data yet`);
      continue;
    }
    const m = window.metric;
    const value = Math.round(m.value * 1000) / 1000;
    perf.push(`${label(shortName(m) + (window.group ? ` ${window.group}` : ''))}=${value}${unitOf(m)};;${m.threshold};0`);
    if (window.firing || state.windows.length === 1) parts.push(`${window.group ? `${window.group}: ` : ''}${m.name} ${value}${window.firing ? ` > ${m.threshold}` : ` (limit ${m.threshold})`} over ${m.windowMinutes} min`);
  }
  if (rule.type.startsWith('issue.')) {
    const alerted = state.issues.length;
    perf.push(`issues=${alerted};;1;0`);
    parts.push(alerted ? `${alerted} issue${alerted > 1 ? 's' : ''} alerted recently (${state.issues.map((i) => i.issue_id).join(', ')})` : 'no issue alerted recently');
  }
  if (!parts.length) parts.push(state.windows.length ? 'all windows within limits' : 'no data yet');
  const text = `${rule.name}: ${rule.enabled ? parts.join('; ') : 'rule disabled'}`;
  return { status, line: `LOOKOUT ${status} - ${text.replace(/[|\n]/g, ' ').slice(0, 900)}${perf.length ? ` | ${perf.join(' ')}` : ''}` };
}

export async function checkCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = console.log): Promise<number> {
  const unknown = (reason: string) => {
    print(`LOOKOUT UNKNOWN - ${reason.replace(/\n/g, ' ')}`);
    return EXIT.UNKNOWN;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, project: { type: 'string' }, token: { type: 'string' }, rule: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    return unknown(`${(error as Error).message} (lookout check --help)`);
  }
  if (values.help) {
    print(CHECK_USAGE);
    return EXIT.OK;
  }
  const url = ((values.url as string | undefined) ?? env.LOOKOUT_URL)?.replace(/\/+$/, '');
  const project = (values.project as string | undefined) ?? env.LOOKOUT_PROJECT;
  const token = (values.token as string | undefined) ?? env.LOOKOUT_TOKEN;
  const ruleName = values.rule as string | undefined;
  const missing = [!url && '--url', !project && '--project', !token && '--token', !ruleName && '--rule'].filter(Boolean);
  if (missing.length) return unknown(`missing ${missing.join(', ')} (lookout check --help)`);
  const timeoutMs = Math.max(1, Number(values.timeout ?? 10)) * 1000;

  const get = async (path: string): Promise<any> => {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.message ?? 'no message'}`);
    return body;
  };
  try {
    const { rules } = (await get(`/api/${encodeURIComponent(project!)}/alerts/rules`)) as { rules: { id: string; name: string }[] };
    const rule = rules.find((r) => r.id === ruleName) ?? rules.find((r) => r.name.toLowerCase() === ruleName!.toLowerCase());
    if (!rule) return unknown(`project ${project} has no alert rule "${ruleName}"; its rules: ${rules.map((r) => r.name).join(', ') || 'none'}`);
    const { status, line } = describeState((await get(`/api/${encodeURIComponent(project!)}/alerts/rules/${rule.id}/state`)) as RuleState);
    print(line);
    return EXIT[status];
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return unknown(`cannot read the rule from ${url}: ${cause ?? (error as Error).message}`);
  }
}
