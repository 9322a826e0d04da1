/** The shapes `GET /api/:projectId/certs` and the history answer (collector/src/api/certs-routes.ts). */
import type { CertificateInfo as CertInfo, Verdict as CertVerdict } from '../../../certs/src/contract.js';

/** Verdicts and certificates as the checker describes them (the API passes them through). */
export type { CertInfo, CertVerdict };

export interface CertAddress {
  address: string | null;
  connected: boolean;
  error: string | null;
  state: 'ok' | 'warning' | 'critical' | 'unknown';
  min_days_left: number | null;
  verdicts: CertVerdict[];
  protocol_version: string | null;
  cipher: string | null;
  chain: CertInfo[];
}

export interface CertCheck {
  check_id: string;
  checked_at: number;
  state: string;
  min_days_left: number | null;
  addresses: CertAddress[];
}

export interface CertTargetRow {
  id: string;
  label: string;
  host: string;
  port: number;
  protocol: string;
  server_name: string | null;
  warn_days: number;
  crit_days: number;
  source: 'config' | 'api';
  check: CertCheck | null;
}

export interface FingerprintSeen {
  address: string | null;
  fingerprint_sha256: string;
  subject: string;
  issuer: string;
  not_after: string;
  first_seen: number;
  last_seen: number;
  checks: number;
}

/** base.css badge classes per state. */
export const stateClass = (state: string) => (state === 'ok' ? 'good' : state === 'warning' ? 'ni' : state === 'critical' ? 'bad' : '');

export const daysText = (days: number | null) => (days === null ? 'no certificate' : days < 0 ? `expired ${-days} d ago` : `${days} days`);

export function StateBadge(props: { state: string }) {
  return <span class={`badge ${stateClass(props.state)}`}>{props.state}</span>;
}
