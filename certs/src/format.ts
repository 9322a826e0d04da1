/**
 * The command's three outputs for a set of CheckResults: a readable table, the Icinga2/Nagios
 * plugin line (with perfdata), and the exit status all modes share.
 */
import type { CheckOptions, CheckResult, Verdict } from './contract.js';
import { targetLabel } from './targets.js';

export const EXIT = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;
type Status = keyof typeof EXIT;

/** critical over unknown over warning over ok: a broken certificate beats a name that did not resolve. */
export function overallStatus(results: CheckResult[]): Status {
  const states = new Set(results.map((result) => result.state));
  if (states.has('critical')) return 'critical';
  if (states.has('unknown')) return 'unknown';
  if (states.has('warning')) return 'warning';
  return 'ok';
}

function shortName(dn: string): string {
  return /CN=([^,]+)/.exec(dn)?.[1] ?? dn;
}

const RANK: Record<Verdict['severity'], number> = { critical: 0, warning: 1, info: 2 };

function worst(verdicts: Verdict[]): Verdict[] {
  const serious = verdicts.filter((v) => v.severity !== 'info').sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  return serious;
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd()).join('\n');
}

export function formatTable(results: CheckResult[]): string {
  const rows = [['TARGET', 'ADDRESS', 'STATE', 'DAYS', 'PROTOCOL', 'CHAIN', 'VERDICTS']];
  const details: string[] = [];
  for (const result of results) {
    const label = targetLabel(result.target) + (result.target.protocol === 'tls' ? '' : ` (${result.target.protocol})`);
    if (result.error) {
      rows.push([label, '-', 'UNKNOWN', '-', '-', '-', result.error]);
      continue;
    }
    for (const address of result.addresses) {
      const days = address.chain.length ? String(Math.min(...address.chain.map((cert) => cert.daysLeft))) : '-';
      // `leaf < intermediate < (root)`: parentheses mark what the trust store supplied.
      const chain = address.chain.map((cert) => (cert.presented ? shortName(cert.subject) : `(${shortName(cert.subject)})`)).join(' < ') || '-';
      const codes = [...new Set(worst(address.verdicts).map((v) => v.code))].join(', ') || '-';
      rows.push([label, address.address, address.state.toUpperCase(), days, address.protocolVersion ?? '-', chain, codes]);
      for (const verdict of worst(address.verdicts)) details.push(`  ${label} ${address.address}: [${verdict.severity}] ${verdict.message}`);
    }
  }
  return pad(rows) + (details.length ? `\n\n${details.join('\n')}` : '') + '\n';
}

/** `CERT WARNING - <summary> | days_left=<n>;<warn>;<crit>`, one perfdata value per address when several. */
export function formatPlugin(results: CheckResult[], options: Pick<CheckOptions, 'warnDays' | 'critDays'>): string {
  const status = overallStatus(results);
  const problems: string[] = [];
  const perf: { label: string; days: number }[] = [];
  for (const result of results) {
    const label = targetLabel(result.target);
    if (result.error) problems.push(result.error);
    for (const address of result.addresses) {
      const [first] = worst(address.verdicts);
      if (first && (address.state === status || status === 'unknown')) problems.push(`${label} ${address.address}: ${first.message}`);
      if (address.chain.length) perf.push({ label: `${label} ${address.address}`, days: Math.min(...address.chain.map((c) => c.daysLeft)) });
    }
  }
  let summary: string;
  if (problems.length) {
    summary = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
  } else {
    const days = Math.min(...perf.map((p) => p.days));
    const addresses = results.reduce((n, r) => n + r.addresses.length, 0);
    summary = `${results.map((r) => targetLabel(r.target)).join(', ')}: ${days} days left (${addresses} address${addresses === 1 ? '' : 'es'})`;
  }
  const thresholds = `;${options.warnDays};${options.critDays}`;
  const perfdata =
    perf.length === 1 ? `days_left=${perf[0]!.days}${thresholds}` : perf.map((p) => `'days_left ${p.label.replace(/'/g, '')}'=${p.days}${thresholds}`).join(' ');
  // '|' separates perfdata in the plugin protocol: none may appear in the text.
  return `CERT ${status.toUpperCase()} - ${summary.replace(/\|/g, '/')}${perfdata ? ` | ${perfdata}` : ''}\n`;
}
