/**
 * `lookout serve` flags and their environment variables (flags win). Every entry here is
 * documented in docs/configuration.md.
 */
import { parseArgs } from 'node:util';
import { defaultConfig, type CollectorConfig } from './config.js';

const FLAGS = {
  port: { type: 'string', env: 'PORT' },
  host: { type: 'string', env: 'HOST' },
  data: { type: 'string', env: 'LOOKOUT_DATA' },
  'clickhouse-url': { type: 'string', env: 'CLICKHOUSE_URL' },
  'clickhouse-user': { type: 'string', env: 'CLICKHOUSE_USER' },
  'clickhouse-password': { type: 'string', env: 'CLICKHOUSE_PASSWORD' },
  'clickhouse-database': { type: 'string', env: 'CLICKHOUSE_DATABASE' },
  'clickhouse-cluster': { type: 'string', env: 'CLICKHOUSE_CLUSTER' },
  'admin-token': { type: 'string', env: 'LOOKOUT_ADMIN_TOKEN' },
  'public-url': { type: 'string', env: 'LOOKOUT_PUBLIC_URL' },
  'ingest-prefix': { type: 'string', env: 'LOOKOUT_INGEST_PREFIX' },
  'retention-days': { type: 'string', env: 'LOOKOUT_RETENTION_DAYS' },
  'trust-proxy': { type: 'string', env: 'LOOKOUT_TRUST_PROXY' },
  'max-body-bytes': { type: 'string', env: 'LOOKOUT_MAX_BODY_BYTES' },
  'max-batch-events': { type: 'string', env: 'LOOKOUT_MAX_BATCH_EVENTS' },
  'rate-limit-project': { type: 'string', env: 'LOOKOUT_RATE_LIMIT_PROJECT' },
  'rate-limit-ip': { type: 'string', env: 'LOOKOUT_RATE_LIMIT_IP' },
  'spool-quota-mb': { type: 'string', env: 'LOOKOUT_SPOOL_QUOTA_MB' },
  'artifact-max-mb': { type: 'string', env: 'LOOKOUT_ARTIFACT_MAX_MB' },
  'map-cache-mb': { type: 'string', env: 'LOOKOUT_MAP_CACHE_MB' },
  symbolicate: { type: 'string', env: 'LOOKOUT_SYMBOLICATE' },
  config: { type: 'string', env: 'LOOKOUT_CONFIG' },
  'certs-interval-minutes': { type: 'string', env: 'LOOKOUT_CERTS_INTERVAL_MINUTES' },
  'certs-concurrency': { type: 'string', env: 'LOOKOUT_CERTS_CONCURRENCY' },
  'certs-ca-file': { type: 'string', env: 'LOOKOUT_CERTS_CA_FILE' },
  'certs-ocsp': { type: 'string', env: 'LOOKOUT_CERTS_OCSP' },
  'log-level': { type: 'string', env: 'LOG_LEVEL' },
  help: { type: 'boolean', env: '' },
} as const;

export type ServeFlags = { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

export function readServeFlags(argv: string[], env: NodeJS.ProcessEnv): ServeFlags {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(FLAGS).map(([name, { type }]) => [name, { type }])),
    strict: true,
    allowPositionals: false,
  });
  const flags: Record<string, unknown> = {};
  for (const [name, { env: variable }] of Object.entries(FLAGS)) {
    flags[name] = values[name] ?? (variable ? env[variable] || undefined : undefined);
  }
  return flags as ServeFlags;
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min} (got "${value}")`);
  return n;
}

/** "rate[/burst]": events (or requests) per second, optional burst; 0 turns the limit off. */
function rate(value: string | undefined, name: string): [number, number] | undefined {
  if (value === undefined) return undefined;
  const [perSecond, burst] = value.split('/');
  const r = integer(perSecond, name, 0)!;
  return [r, integer(burst, name, 1) ?? r * 2];
}

export function configFromFlags(flags: ServeFlags): CollectorConfig {
  const config = defaultConfig();
  config.port = integer(flags.port, 'port', 0) ?? config.port;
  config.host = flags.host ?? config.host;
  config.dataDir = flags.data ?? config.dataDir;
  if (flags['clickhouse-url']) {
    config.clickhouse = {
      url: flags['clickhouse-url'],
      username: flags['clickhouse-user'] ?? 'default',
      password: flags['clickhouse-password'] ?? '',
      database: flags['clickhouse-database'] ?? 'lookout',
      cluster: flags['clickhouse-cluster'],
    };
  } else if (flags['clickhouse-cluster']) {
    throw new Error('--clickhouse-cluster needs --clickhouse-url: the embedded store is a single node');
  }
  config.adminToken = flags['admin-token'];
  config.publicUrl = flags['public-url']?.replace(/\/+$/, '');
  if (flags['ingest-prefix']) {
    if (!/^\/[A-Za-z0-9/_-]*$/.test(flags['ingest-prefix'])) throw new Error('--ingest-prefix must be a path such as /collect');
    config.ingestPrefix = flags['ingest-prefix'];
  }
  config.retentionDays = integer(flags['retention-days'], 'retention-days', 1) ?? config.retentionDays;
  if (flags['trust-proxy'] !== undefined) config.trustProxy = trustProxyValue(flags['trust-proxy']);
  config.limits.bodyBytes = integer(flags['max-body-bytes'], 'max-body-bytes', 1024) ?? config.limits.bodyBytes;
  config.limits.eventsPerBatch = integer(flags['max-batch-events'], 'max-batch-events', 1) ?? config.limits.eventsPerBatch;
  const project = rate(flags['rate-limit-project'], 'rate-limit-project');
  if (project) [config.rateLimits.projectEventsPerSecond, config.rateLimits.projectEventsBurst] = project;
  const ip = rate(flags['rate-limit-ip'], 'rate-limit-ip');
  if (ip) [config.rateLimits.ipRequestsPerSecond, config.rateLimits.ipRequestsBurst] = ip;
  const quotaMb = integer(flags['spool-quota-mb'], 'spool-quota-mb', 1);
  if (quotaMb) config.spool.quotaBytes = quotaMb * 1024 * 1024;
  const artifactMb = integer(flags['artifact-max-mb'], 'artifact-max-mb', 1);
  if (artifactMb) config.artifacts.maxFileBytes = artifactMb * 1024 * 1024;
  const cacheMb = integer(flags['map-cache-mb'], 'map-cache-mb', 1);
  if (cacheMb) config.symbolication.mapCacheBytes = cacheMb * 1024 * 1024;
  if (flags.symbolicate !== undefined) {
    if (flags.symbolicate !== 'true' && flags.symbolicate !== 'false') throw new Error(`--symbolicate must be true or false (got "${flags.symbolicate}")`);
    config.symbolication.enabled = flags.symbolicate === 'true';
  }
  config.configFile = flags.config;
  config.certs.intervalMinutes = integer(flags['certs-interval-minutes'], 'certs-interval-minutes', 1);
  config.certs.concurrency = integer(flags['certs-concurrency'], 'certs-concurrency', 1);
  config.certs.caFile = flags['certs-ca-file'];
  if (flags['certs-ocsp'] !== undefined) {
    if (flags['certs-ocsp'] !== 'true' && flags['certs-ocsp'] !== 'false') throw new Error(`--certs-ocsp must be true or false (got "${flags['certs-ocsp']}")`);
    config.certs.ocsp = flags['certs-ocsp'] === 'true';
  }
  config.logLevel = flags['log-level'] ?? config.logLevel;
  return config;
}

/** fastify's trustProxy: `true`/`false`, a number of hops (a number, not the string "1", which it would read as an address), or addresses/subnets. */
function trustProxyValue(text: string): boolean | number | string {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^\d+$/.test(text)) return Number(text);
  return text;
}
