/**
 * The end-of-run console output, like Gatling's: one row per request (and group, then the
 * global row), the errors by reason, then each assertion with its outcome.
 */
import type { RequestStats, RunSummary } from '../contract.js';
import { clock } from './progress.js';

const COLUMNS = ['count', 'OK', 'KO', 'min', 'p50', 'p75', 'p95', 'p99', 'max', 'mean', 'req/s'] as const;

export function summaryTable(summary: RunSummary): string {
  const rows: RequestStats[] = [summary.global, ...summary.groups, ...summary.requests];
  const labels = rows.map((row, index) => (index === 0 ? 'Global' : index <= summary.groups.length ? `group ${row.name}` : [...row.groups, row.name].join(' / ')));
  const labelWidth = Math.min(60, Math.max(12, ...labels.map((label) => label.length)));
  const cells = rows.map((row) => [row.count, row.ok, row.ko, row.min, row.p50, row.p75, row.p95, row.p99, row.max, row.mean, row.rps].map(number));
  const widths = COLUMNS.map((column, index) => Math.max(column.length, ...cells.map((row) => row[index].length)));
  const line = (label: string, values: readonly string[]) => `${fit(label, labelWidth)}  ${values.map((value, index) => value.padStart(widths[index])).join('  ')}`;

  const out = [
    `==== ${summary.simulation} — ${clock(summary.durationMs)} (${summary.stopReason}) ${'='.repeat(20)}`,
    'response times in ms; open-model scenarios measure from the intended start (stalls included)',
    line('request', COLUMNS),
    ...rows.map((row, index) => line(labels[index], cells[index])),
  ];
  if (summary.errors.length > 0) {
    out.push('---- Errors ----');
    for (const error of summary.errors) out.push(`${error.reason}  ${error.count} (${error.percent} %)`);
  }
  if (summary.assertions.length > 0) {
    out.push('---- Assertions ----');
    for (const result of summary.assertions) {
      out.push(`${result.description} : ${result.passed ? 'OK' : `FAILED (${result.message ?? `actual ${result.actual}`})`}`);
    }
  }
  return out.join('\n');
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function fit(label: string, width: number): string {
  return label.length > width ? `${label.slice(0, width - 1)}…` : label.padEnd(width);
}
