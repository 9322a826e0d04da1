/**
 * Everything a collector can be told, with the defaults a newcomer gets.
 * Every field maps to a CLI flag and an environment variable (docs/configuration.md).
 */

export interface ClickHouseServerOptions {
  url: string;
  username: string;
  password: string;
  database: string;
  /** With a cluster name, DDL uses ON CLUSTER, Replicated*MergeTree and Distributed tables. */
  cluster?: string;
}

export interface IngestLimits {
  /** Largest request body, after gzip is undone. */
  bodyBytes: number;
  eventsPerBatch: number;
  /** Longer messages, stacks, URLs… are cut and end with a marker (see truncate.ts). */
  messageChars: number;
  stackChars: number;
  urlChars: number;
  /** Release, environment, route, tag values, frame fields. */
  shortChars: number;
  framesPerStack: number;
  breadcrumbsPerEvent: number;
  tagsPerEvent: number;
  /** Client timestamps further ahead of the server clock are clamped to receive time. */
  maxFutureSkewMs: number;
}

export interface RateLimits {
  /** Events per second a project may send (token bucket refill); 0 turns the limit off. */
  projectEventsPerSecond: number;
  projectEventsBurst: number;
  /** Requests per second one client IP may send; 0 turns the limit off. */
  ipRequestsPerSecond: number;
  ipRequestsBurst: number;
}

export interface CollectorConfig {
  host: string;
  port: number;
  /** Data folder: embedded ClickHouse data, the spool, the admin token file. */
  dataDir: string;
  /** When set, events go to this ClickHouse server instead of the embedded engine. */
  clickhouse?: ClickHouseServerOptions;
  /** Database name for the embedded engine. */
  embeddedDatabase: string;
  /** Fixed admin token (otherwise one is generated at first start). */
  adminToken?: string;
  /** Base URL people reach the collector at (links in alerts, the printed snippet). */
  publicUrl?: string;
  /** Path prefix of the ingest route: `<prefix>/:projectId/ingest`. */
  ingestPrefix: string;
  retentionDays: number;
  /** Take the client IP from X-Forwarded-For (behind a load balancer): fastify's trustProxy. */
  trustProxy: boolean | number | string;
  limits: IngestLimits;
  rateLimits: RateLimits;
  spool: { quotaBytes: number; segmentBytes: number };
  processor: { batchRows: number; flushIntervalMs: number; errorFlushIntervalMs: number; maxBackoffMs: number };
  /** Uploaded bundles and maps: largest file accepted. */
  artifacts: { maxFileBytes: number };
  symbolication: {
    /** Off: frames are stored as sent (grouping then reads minified names). */
    enabled: boolean;
    /** Parsed maps kept in memory, by the size of their JSON. */
    mapCacheBytes: number;
    /** Worker threads that parse maps. */
    parseWorkers: number;
    /** Source lines shown each side of a frame. */
    contextLines: number;
  };
  /** The config file (alert rules): JSON or YAML; else lookout.config.{json,yaml,yml} in the working folder if present. */
  configFile?: string;
  alerts: {
    /** How often digests and windows are looked at. */
    tickMs: number;
    /** The length of a "minute" in rule settings: 60,000, shortened only by tests. */
    minuteMs: number;
    /** How long a claim waits for other collectors' claims (docs/alerts.md). */
    claimSettleMs: number;
  };
  /** Scheduled certificate checks (docs/certs.md); unset fields come from the config file's `certs`, else the defaults (60 min, 10). */
  certs: {
    intervalMinutes?: number;
    concurrency?: number;
    /** Extra trust anchors (PEM) for every check, besides the system store. */
    caFile?: string;
    /** Ask each leaf's OCSP responder. */
    ocsp: boolean;
    timeoutMs: number;
  };
  logLevel: string;
}

export const DEFAULT_LIMITS: IngestLimits = {
  bodyBytes: 1024 * 1024,
  eventsPerBatch: 200,
  messageChars: 8 * 1024,
  stackChars: 64 * 1024,
  urlChars: 2048,
  shortChars: 256,
  framesPerStack: 100,
  breadcrumbsPerEvent: 100,
  tagsPerEvent: 50,
  maxFutureSkewMs: 60_000,
};

export const DEFAULT_RATE_LIMITS: RateLimits = {
  projectEventsPerSecond: 5_000,
  projectEventsBurst: 20_000,
  ipRequestsPerSecond: 50,
  ipRequestsBurst: 100,
};

export function defaultConfig(): CollectorConfig {
  return {
    host: '127.0.0.1',
    port: 8080,
    dataDir: './data',
    embeddedDatabase: 'lookout',
    ingestPrefix: '/api',
    retentionDays: 30,
    trustProxy: false,
    limits: { ...DEFAULT_LIMITS },
    rateLimits: { ...DEFAULT_RATE_LIMITS },
    spool: { quotaBytes: 1024 * 1024 * 1024, segmentBytes: 64 * 1024 * 1024 },
    processor: { batchRows: 20_000, flushIntervalMs: 1000, errorFlushIntervalMs: 200, maxBackoffMs: 30_000 },
    artifacts: { maxFileBytes: 100 * 1024 * 1024 },
    symbolication: { enabled: true, mapCacheBytes: 256 * 1024 * 1024, parseWorkers: 1, contextLines: 5 },
    alerts: { tickMs: 5000, minuteMs: 60_000, claimSettleMs: 150 },
    certs: { ocsp: false, timeoutMs: 10_000 },
    logLevel: 'info',
  };
}
