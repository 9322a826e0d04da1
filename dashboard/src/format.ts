/** How numbers, durations and instants read in the dashboard. */
const numberFormat = new Intl.NumberFormat('en');

export const count = (value: number) => numberFormat.format(value);

export function ago(ms: number, now = Date.now()): string {
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

export const dateTime = (ms: number | string) => new Date(typeof ms === 'string' && !/^\d+$/.test(ms) ? ms.replace(' ', 'T') + (/[zZ+]/.test(ms.slice(10)) ? '' : 'Z') : Number(ms)).toLocaleString();

/** Vitals in their unit: CLS has none, the others are milliseconds. */
export function vitalValue(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (metric === 'CLS') return value.toFixed(3);
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

export const ms = (value: number | null | undefined) => vitalValue('', value);

export const percent = (value: number) => `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`;
