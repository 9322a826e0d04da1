/**
 * Prometheus metrics (prom-client) on a registry of the collector's own, not the global one,
 * so two collectors in one process (tests) never mix their figures.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SpoolStats } from '../spool/types.js';

export type CollectorMetrics = ReturnType<typeof createMetrics>;

/** Why an ingest request or event was turned away; a small fixed set, so it is a safe label. */
export type RejectReason =
  | 'invalid_event'
  | 'malformed_body'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'forbidden_origin'
  | 'rate_limited'
  | 'spool_full'
  | 'not_found';

export function createMetrics(spoolStats: () => SpoolStats) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'lookout_process_' });

  const spoolGauge = (name: string, help: string, pick: (s: SpoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(pick(spoolStats()));
      },
    });

  const metrics = {
    registry,
    eventsAccepted: new Counter({
      name: 'lookout_events_accepted_total',
      help: 'Events acknowledged (written to the spool), by kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    eventsRejected: new Counter({
      name: 'lookout_events_rejected_total',
      help: 'Events turned away at ingest, by reason (whole requests count their events when they could be read, else 1)',
      labelNames: ['reason'] as const,
      registers,
    }),
    eventsStored: new Counter({
      name: 'lookout_events_stored_total',
      help: 'Events written to ClickHouse by the processor, by table',
      labelNames: ['table'] as const,
      registers,
    }),
    spoolPendingRecords: spoolGauge('lookout_spool_pending_records', 'Spool records acknowledged but not yet stored', (s) => s.pendingRecords),
    spoolPendingBytes: spoolGauge('lookout_spool_pending_bytes', 'Spool bytes acknowledged but not yet stored', (s) => s.pendingBytes),
    spoolBytes: spoolGauge('lookout_spool_bytes', 'Bytes of spool segments on disk', (s) => s.bytes),
    flushRows: new Histogram({
      name: 'lookout_flush_rows',
      help: 'Rows per processor flush to ClickHouse',
      buckets: [1, 10, 100, 500, 1000, 2000, 5000, 10000, 50000],
      registers,
    }),
    flushSeconds: new Histogram({
      name: 'lookout_flush_duration_seconds',
      help: 'Time to write one processor flush to ClickHouse',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    stageErrors: new Counter({
      name: 'lookout_stage_errors_total',
      help: 'Batches a processor stage failed on for a reason other than the store (stored without that stage)',
      labelNames: ['stage'] as const,
      registers,
    }),
    framesSymbolicated: new Counter({
      name: 'lookout_frames_symbolicated_total',
      help: 'Error frames by symbolication status (mapped, or why not: no_artifact, url_not_matched, …)',
      labelNames: ['status'] as const,
      registers,
    }),
    issuesOpened: new Counter({
      name: 'lookout_issues_opened_total',
      help: 'Issues opened (first event of a fingerprint) and reopened (regressions)',
      labelNames: ['reason'] as const,
      registers,
    }),
    liveClients: new Gauge({
      name: 'lookout_live_clients',
      help: 'WebSocket clients of the live feed',
      registers,
    }),
    liveDropped: new Counter({
      name: 'lookout_live_dropped_total',
      help: 'Live-feed events not sent to a client whose connection was too slow (it is told how many)',
      registers,
    }),
    eventsDeadLettered: new Counter({
      name: 'lookout_events_dead_lettered_total',
      help: 'Events the store refused as invalid, kept in DATA/dead-letter.ndjson instead',
      registers,
    }),
    storeErrors: new Counter({
      name: 'lookout_store_errors_total',
      help: 'Failed ClickHouse operations of the processor, retried: insert (events) or stage (the stages\' reads and writes)',
      labelNames: ['operation'] as const,
      registers,
    }),
    alertDeliveries: new Counter({
      name: 'lookout_alert_deliveries_total',
      help: 'Alert messages handed to a destination (Slack, webhook, Icinga2), by message kind and whether it was delivered',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
  };
  // Zero series exist from the start, so dashboards and alerts see 0 rather than nothing.
  metrics.storeErrors.inc({ operation: 'insert' }, 0);
  metrics.storeErrors.inc({ operation: 'stage' }, 0);
  for (const result of ['delivered', 'failed']) metrics.alertDeliveries.inc({ kind: 'issue.new', result }, 0);
  return metrics;
}
