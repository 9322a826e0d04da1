/**
 * Check results in ClickHouse (`cert_checks`): one row per target × address × check. A check that
 * found no address at all (name resolution failed) is one row with address ''. Read back as the
 * latest check of every target, the previous check of one (change detection), and the history of
 * leaf fingerprints (first and last seen).
 */
import type { AddressResult, CertificateInfo, CheckResult, OcspStatus, Verdict } from '../../../certs/src/contract.js';
import type { Store } from '../store/types.js';
import type { StoredTarget } from './targets.js';

/** One address of one check, as stored and as the API shows it. */
export interface AddressRow {
  address: string;
  family: number;
  connected: boolean;
  error: string;
  state: 'ok' | 'warning' | 'critical' | 'unknown';
  minDaysLeft: number | null;
  verdicts: Verdict[];
  leafFingerprint: string;
  leafSubject: string;
  leafIssuer: string;
  leafNotAfter: string;
  protocolVersion: string;
  cipher: string;
  chain: CertificateInfo[];
  ocsp: OcspStatus | null;
}

export interface StoredCheck {
  targetId: string;
  checkId: string;
  checkedAt: number;
  addresses: AddressRow[];
}

export interface FingerprintSeen {
  address: string;
  fingerprint: string;
  subject: string;
  issuer: string;
  notAfter: string;
  firstSeen: number;
  lastSeen: number;
  checks: number;
}

export interface ResultStore {
  save(target: StoredTarget, checkId: string, result: CheckResult, collectorId: string): Promise<StoredCheck>;
  /** The newest check of each of the project's targets (targets never checked are absent). */
  latest(projectId: number): Promise<Map<string, StoredCheck>>;
  /** The newest check of the target before `before` (ms), or null. */
  previous(projectId: number, targetId: string, before: number): Promise<StoredCheck | null>;
  history(projectId: number, targetId: string): Promise<FingerprintSeen[]>;
  /**
   * When the target was last seen NOT matching a condition (an SQL expression over one row; a
   * check matches when any of its rows does), ms — 0 when it always matched. Alert episodes start there.
   */
  lastCheckWithout(projectId: number, targetId: string, rowCondition: string, params?: Record<string, number | string>): Promise<number>;
}

const minDays = (chain: CertificateInfo[]): number | null => (chain.length ? Math.min(...chain.map((c) => c.daysLeft)) : null);

/** The stored form of an address; a failed resolution becomes an unconnected address ''. */
export function addressRows(result: CheckResult): AddressRow[] {
  if (!result.addresses.length) {
    const message = result.error ?? 'the name resolved to no address';
    return [
      {
        address: '', family: 0, connected: false, error: message, state: 'critical', minDaysLeft: null,
        verdicts: [{ code: 'connection_failed', severity: 'critical', message: `${result.target.host} could not be resolved: ${message}` }],
        leafFingerprint: '', leafSubject: '', leafIssuer: '', leafNotAfter: '', protocolVersion: '', cipher: '', chain: [], ocsp: null,
      },
    ];
  }
  return result.addresses.map((a: AddressResult) => {
    const leaf = a.chain.find((c) => c.position === 0);
    return {
      address: a.address,
      family: a.family,
      connected: a.connected,
      error: a.error ?? '',
      state: a.state,
      minDaysLeft: minDays(a.chain),
      verdicts: a.verdicts,
      leafFingerprint: leaf?.fingerprintSha256 ?? '',
      leafSubject: leaf?.subject ?? '',
      leafIssuer: leaf?.issuer ?? '',
      leafNotAfter: leaf?.notAfter ?? '',
      protocolVersion: a.protocolVersion ?? '',
      cipher: a.cipher ?? '',
      chain: a.chain,
      ocsp: a.ocsp,
    };
  });
}

const COLUMNS = `target_id, check_id, toUnixTimestamp64Milli(checked_at) AS checked_ms, address, family, connected, error, state, min_days_left,
  verdict_codes, verdict_severities, verdict_messages, leaf_fingerprint, leaf_subject, leaf_issuer, leaf_not_after, protocol_version, cipher, chain, ocsp`;

function parseJson<T>(text: string, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

function fromRow(row: Record<string, any>): AddressRow {
  const codes: string[] = row.verdict_codes ?? [];
  return {
    address: row.address,
    family: Number(row.family),
    connected: Number(row.connected) === 1,
    error: row.error,
    state: row.state,
    minDaysLeft: row.min_days_left === null || row.min_days_left === undefined ? null : Number(row.min_days_left),
    verdicts: codes.map((code, i) => ({ code, severity: row.verdict_severities[i], message: row.verdict_messages[i] }) as Verdict),
    leafFingerprint: row.leaf_fingerprint,
    leafSubject: row.leaf_subject,
    leafIssuer: row.leaf_issuer,
    leafNotAfter: row.leaf_not_after,
    protocolVersion: row.protocol_version,
    cipher: row.cipher,
    chain: parseJson<CertificateInfo[]>(row.chain, []),
    ocsp: parseJson<OcspStatus | null>(row.ocsp, null),
  };
}

/** Rows of several checks → checks, each with its addresses in address order. */
function group(rows: Record<string, any>[]): StoredCheck[] {
  const checks = new Map<string, StoredCheck>();
  for (const row of rows) {
    let check = checks.get(row.check_id);
    if (!check) checks.set(row.check_id, (check = { targetId: row.target_id, checkId: row.check_id, checkedAt: Number(row.checked_ms), addresses: [] }));
    check.addresses.push(fromRow(row));
  }
  for (const check of checks.values()) check.addresses.sort((a, b) => a.address.localeCompare(b.address));
  return [...checks.values()];
}

export function createResultStore(store: Store): ResultStore {
  return {
    async save(target, checkId, result, collectorId) {
      const addresses = addressRows(result);
      await store.insert(
        'cert_checks',
        addresses.map((a) => ({
          project_id: target.projectId,
          target_id: target.id,
          checked_at: result.checkedAt,
          check_id: checkId,
          host: target.host,
          port: target.port,
          protocol: target.protocol,
          server_name: target.serverName,
          address: a.address,
          family: a.family,
          connected: a.connected ? 1 : 0,
          error: a.error,
          state: a.state,
          min_days_left: a.minDaysLeft,
          verdict_codes: a.verdicts.map((v) => v.code),
          verdict_severities: a.verdicts.map((v) => v.severity),
          verdict_messages: a.verdicts.map((v) => v.message),
          leaf_fingerprint: a.leafFingerprint,
          leaf_subject: a.leafSubject,
          leaf_issuer: a.leafIssuer,
          leaf_not_after: a.leafNotAfter,
          protocol_version: a.protocolVersion,
          cipher: a.cipher,
          chain: JSON.stringify(a.chain),
          ocsp: a.ocsp ? JSON.stringify(a.ocsp) : '',
          collector_id: collectorId,
        })),
      );
      return { targetId: target.id, checkId, checkedAt: result.checkedAt, addresses };
    },
    async latest(projectId) {
      const rows = await store.query<Record<string, any>>(
        `SELECT ${COLUMNS} FROM cert_checks
         WHERE project_id = {projectId:UInt32}
           AND (target_id, check_id) IN (SELECT target_id, argMax(check_id, checked_at) FROM cert_checks WHERE project_id = {projectId:UInt32} GROUP BY target_id)
         ORDER BY target_id, address`,
        { projectId },
      );
      return new Map(group(rows).map((check) => [check.targetId, check]));
    },
    async previous(projectId, targetId, before) {
      const rows = await store.query<Record<string, any>>(
        `SELECT ${COLUMNS} FROM cert_checks
         WHERE project_id = {projectId:UInt32} AND target_id = {targetId:String}
           AND check_id = (SELECT argMax(check_id, checked_at) FROM cert_checks
                           WHERE project_id = {projectId:UInt32} AND target_id = {targetId:String} AND checked_at < fromUnixTimestamp64Milli({before:Int64}))
         ORDER BY address`,
        { projectId, targetId, before },
      );
      return group(rows)[0] ?? null;
    },
    async history(projectId, targetId) {
      const rows = await store.query<Record<string, any>>(
        `SELECT address, leaf_fingerprint, any(leaf_subject) AS subject, any(leaf_issuer) AS issuer, any(leaf_not_after) AS not_after,
                toUnixTimestamp64Milli(min(checked_at)) AS first_ms, toUnixTimestamp64Milli(max(checked_at)) AS last_ms, count() AS checks
         FROM cert_checks WHERE project_id = {projectId:UInt32} AND target_id = {targetId:String} AND leaf_fingerprint != ''
         GROUP BY address, leaf_fingerprint ORDER BY last_ms DESC, address LIMIT 1000`,
        { projectId, targetId },
      );
      return rows.map((row) => ({
        address: row.address,
        fingerprint: row.leaf_fingerprint,
        subject: row.subject,
        issuer: row.issuer,
        notAfter: row.not_after,
        firstSeen: Number(row.first_ms),
        lastSeen: Number(row.last_ms),
        checks: Number(row.checks),
      }));
    },
    async lastCheckWithout(projectId, targetId, rowCondition, params = {}) {
      const [row] = await store.query<{ t: string | number }>(
        `SELECT toUnixTimestamp64Milli(max(checked_at)) AS t FROM (
           SELECT check_id, max(checked_at) AS checked_at FROM cert_checks
           WHERE project_id = {projectId:UInt32} AND target_id = {targetId:String}
           GROUP BY check_id HAVING countIf(${rowCondition}) = 0)`,
        { ...params, projectId, targetId },
      );
      return row ? Number(row.t) : 0;
    },
  };
}
