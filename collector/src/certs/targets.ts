/**
 * Certificate targets of every project: those of the config file (`certs.targets`, read-only
 * through the API) and those added through the API, kept in ClickHouse (`cert_targets`, newest
 * definition wins, deletion is a tombstone) so every collector on one store checks the same
 * targets. Each collector keeps them in memory, reloaded every `refreshMs` and after its own changes.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { STARTTLS_PROTOCOLS, type CertProtocol, type CertTarget } from '../../../certs/src/contract.js';
import type { Store } from '../store/types.js';

export const DEFAULT_WARN_DAYS = 30;
export const DEFAULT_CRIT_DAYS = 14;
const PROTOCOLS: readonly CertProtocol[] = ['tls', ...STARTTLS_PROTOCOLS];
/** The port a protocol is usually served on, when a target gives none. */
const DEFAULT_PORTS: Record<CertProtocol, number> = { tls: 443, smtp: 587, imap: 143, pop3: 110, ftp: 21, postgres: 5432 };

export interface TargetInput {
  host: string;
  port?: number;
  protocol?: CertProtocol;
  server_name?: string;
  warn_days?: number;
  crit_days?: number;
}

export interface StoredTarget {
  id: string;
  projectId: number;
  host: string;
  port: number;
  protocol: CertProtocol;
  /** SNI and the name checked against the certificate; '' = host. */
  serverName: string;
  warnDays: number;
  critDays: number;
  source: 'config' | 'api';
  updatedAt: number;
}

/** What the checker is handed. */
export const certTarget = (target: StoredTarget): CertTarget => ({
  host: target.host,
  port: target.port,
  protocol: target.protocol,
  ...(target.serverName ? { serverName: target.serverName } : {}),
});

/** `host:port`, with brackets around an IPv6 address; the protocol when it is not plain TLS. */
export const targetLabel = (target: Pick<StoredTarget, 'host' | 'port' | 'protocol'>): string =>
  `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}${target.protocol === 'tls' ? '' : ` (${target.protocol})`}`;

const HOST_NAME = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** A target input, checked and completed with defaults; throws an Error saying which field is wrong. */
export function parseTargetInput(input: unknown): Required<Omit<TargetInput, 'server_name'>> & { server_name: string } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('a target is an object: { "host": "example.com", "port": 443 }');
  const given = input as Record<string, unknown>;
  const known = ['host', 'port', 'protocol', 'server_name', 'warn_days', 'crit_days'];
  const unknown = Object.keys(given).find((key) => !known.includes(key));
  if (unknown) throw new Error(`target has an unknown field "${unknown}" (known: ${known.join(', ')})`);
  let host = typeof given.host === 'string' ? given.host.trim() : '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!host || (!isIP(host) && !HOST_NAME.test(host))) throw new Error(`host must be a host name or an IP address (got ${JSON.stringify(given.host ?? null)})`);
  const protocol = (given.protocol ?? 'tls') as CertProtocol;
  if (!PROTOCOLS.includes(protocol)) throw new Error(`protocol must be one of ${PROTOCOLS.join(', ')} (got ${JSON.stringify(given.protocol)})`);
  const port = given.port ?? DEFAULT_PORTS[protocol];
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65_535) throw new Error(`port must be a whole number from 1 to 65535 (got ${JSON.stringify(given.port)})`);
  const serverName = given.server_name ?? '';
  if (typeof serverName !== 'string' || (serverName !== '' && !HOST_NAME.test(serverName))) throw new Error(`server_name must be a host name (got ${JSON.stringify(given.server_name)})`);
  const days = (name: 'warn_days' | 'crit_days', fallback: number) => {
    const value = given[name] ?? fallback;
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 3650) throw new Error(`${name} must be a whole number of days from 0 to 3650 (got ${JSON.stringify(given[name])})`);
    return value as number;
  };
  const warn = days('warn_days', DEFAULT_WARN_DAYS);
  const crit = days('crit_days', DEFAULT_CRIT_DAYS);
  if (crit > warn) throw new Error(`crit_days (${crit}) must not be more than warn_days (${warn})`);
  return { host: host.toLowerCase(), port: port as number, protocol, server_name: serverName.toLowerCase(), warn_days: warn, crit_days: crit };
}

export interface ConfigTarget extends TargetInput {
  project: number;
}

export interface TargetStore {
  forProject(projectId: number): StoredTarget[];
  all(): StoredTarget[];
  get(projectId: number, id: string): StoredTarget | undefined;
  create(projectId: number, input: unknown): Promise<StoredTarget>;
  remove(projectId: number, id: string): Promise<void>;
  reload(): Promise<void>;
  close(): void;
}

/** Thrown for a change the API must refuse: `statusCode` says which answer. */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 70);
const sameEndpoint = (a: Pick<StoredTarget, 'host' | 'port' | 'protocol' | 'serverName'>, b: Pick<StoredTarget, 'host' | 'port' | 'protocol' | 'serverName'>) =>
  a.host === b.host && a.port === b.port && a.protocol === b.protocol && a.serverName === b.serverName;

function complete(input: ReturnType<typeof parseTargetInput>, projectId: number, id: string, source: StoredTarget['source'], updatedAt: number): StoredTarget {
  return { id, projectId, host: input.host, port: input.port, protocol: input.protocol, serverName: input.server_name, warnDays: input.warn_days, critDays: input.crit_days, source, updatedAt };
}

export async function openTargetStore(store: Store, configTargets: readonly ConfigTarget[] = [], options: { refreshMs?: number } = {}): Promise<TargetStore> {
  const fromConfig: StoredTarget[] = [];
  for (const { project, ...input } of configTargets) {
    const parsed = parseTargetInput(input);
    const id = `config-${slug(`${parsed.host}-${parsed.port}-${parsed.protocol}${parsed.server_name ? `-${parsed.server_name}` : ''}`)}`;
    if (fromConfig.some((target) => target.projectId === project && target.id === id)) throw new Error(`the config file lists the certificate target ${parsed.host}:${parsed.port} of project ${project} twice`);
    fromConfig.push(complete(parsed, project, id, 'config', 0));
  }
  let targets: StoredTarget[] = [...fromConfig];

  async function reload(): Promise<void> {
    const rows = await store.query<Record<string, any>>(
      `SELECT project_id, target_id, host, port, protocol, server_name, warn_days, crit_days, toUnixTimestamp64Milli(updated_at) AS updated_ms
       FROM cert_targets FINAL WHERE deleted = 0 ORDER BY project_id, target_id`,
    );
    const next = [...fromConfig];
    for (const row of rows) {
      try {
        const parsed = parseTargetInput({ host: row.host, port: Number(row.port), protocol: row.protocol, server_name: row.server_name, warn_days: Number(row.warn_days), crit_days: Number(row.crit_days) });
        next.push(complete(parsed, Number(row.project_id), row.target_id, 'api', Number(row.updated_ms)));
      } catch {
        // A target a newer collector wrote and this one cannot read: skipped, not fatal.
      }
    }
    targets = next;
  }

  await reload();
  const timer = setInterval(() => void reload().catch(() => {}), options.refreshMs ?? 10_000);
  timer.unref();
  const get = (projectId: number, id: string) => targets.find((target) => target.projectId === projectId && target.id === id);

  return {
    forProject: (projectId) => targets.filter((target) => target.projectId === projectId),
    all: () => targets,
    get,
    async create(projectId, input) {
      let parsed: ReturnType<typeof parseTargetInput>;
      try {
        parsed = parseTargetInput(input);
      } catch (error) {
        throw new TargetError((error as Error).message, 400);
      }
      const candidate = complete(parsed, projectId, `t${randomBytes(6).toString('hex')}`, 'api', Date.now());
      const twin = targets.find((target) => target.projectId === projectId && sameEndpoint(target, candidate));
      if (twin) throw new TargetError(`project ${projectId} already checks ${targetLabel(twin)}${twin.serverName ? ` as ${twin.serverName}` : ''} (target ${twin.id})`, 409);
      await store.insert('cert_targets', [
        { project_id: projectId, target_id: candidate.id, host: parsed.host, port: parsed.port, protocol: parsed.protocol, server_name: parsed.server_name, warn_days: parsed.warn_days, crit_days: parsed.crit_days, updated_at: candidate.updatedAt, deleted: 0 },
      ]);
      await reload();
      return get(projectId, candidate.id) ?? candidate;
    },
    async remove(projectId, id) {
      const target = get(projectId, id);
      if (!target) throw new TargetError(`project ${projectId} has no certificate target ${id}`, 404);
      if (target.source === 'config') throw new TargetError(`target ${id} comes from the config file: remove it there and restart the collector`, 409);
      await store.insert('cert_targets', [
        { project_id: projectId, target_id: id, host: target.host, port: target.port, protocol: target.protocol, server_name: target.serverName, warn_days: target.warnDays, crit_days: target.critDays, updated_at: Date.now(), deleted: 1 },
      ]);
      await reload();
    },
    reload,
    close: () => clearInterval(timer),
  };
}
