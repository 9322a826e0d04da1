/**
 * Processed events → rows of the typed tables (errors, vitals, navigations).
 * Column names follow collector/src/store/migrations.ts.
 */
import type { EventKind } from '../../../protocol/wire.js';
import type { ProcessedEvent } from './pipeline.js';

export const TABLE_OF_KIND: Record<EventKind, string> = {
  error: 'errors',
  vital: 'vitals',
  navigation: 'navigations',
};

export function rowsByTable(events: readonly ProcessedEvent[], retentionDays: number): Map<string, object[]> {
  const tables = new Map<string, object[]>();
  for (const processed of events) {
    const table = TABLE_OF_KIND[processed.event.kind];
    let rows = tables.get(table);
    if (!rows) tables.set(table, (rows = []));
    rows.push(toRow(processed, retentionDays));
  }
  return tables;
}

function toRow(processed: ProcessedEvent, retentionDays: number): object {
  const { event, client } = processed;
  const common = {
    project_id: processed.projectId,
    timestamp: event.timestamp,
    event_id: event.event_id,
    received_at: processed.receivedAt,
    retention_days: retentionDays,
    release: event.release ?? '',
    environment: event.environment ?? '',
    session_id: event.session_id ?? '',
    page_view_id: event.page_view_id ?? '',
    url: event.url,
    route: event.route ?? '',
    user_id: event.user_id ?? '',
    tags: event.tags ?? {},
    sdk_name: processed.sdk.name,
    sdk_version: processed.sdk.version,
    ...client,
    ...processed.columns,
  };
  switch (event.kind) {
    case 'error': {
      const frames = event.frames ?? [];
      const crumbs = event.breadcrumbs ?? [];
      return {
        ...common,
        type: event.type,
        message: event.message,
        stack: event.stack ?? '',
        frame_functions: frames.map((f) => f.function ?? ''),
        frame_files: frames.map((f) => f.file ?? ''),
        frame_lines: frames.map((f) => f.line ?? 0),
        frame_columns: frames.map((f) => f.column ?? 0),
        mechanism: event.mechanism ?? '',
        handled: event.handled ?? false,
        count: event.count ?? 1,
        fingerprint: event.fingerprint ?? [],
        breadcrumb_timestamps: crumbs.map((c) => Math.round(c.timestamp)),
        breadcrumb_categories: crumbs.map((c) => c.category),
        breadcrumb_messages: crumbs.map((c) => c.message),
        breadcrumb_levels: crumbs.map((c) => c.level ?? ''),
      };
    }
    case 'vital':
      return {
        ...common,
        name: event.name,
        value: event.value,
        rating: event.rating,
        target: event.target ?? '',
        navigation_type: event.navigation_type ?? '',
      };
    case 'navigation':
      return {
        ...common,
        type: event.type,
        duration: event.duration,
        router_duration: event.router_duration ?? null,
        requests: event.requests ?? null,
        status: event.status ?? 'ok',
        from_route: event.from_route ?? '',
      };
  }
}
