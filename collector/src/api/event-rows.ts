/**
 * Stored rows → events with the wire format's field names (plus what the collector added:
 * received_at, browser, os, device), so what the agent sent reads back the same.
 */
import type { EventKind, Frame } from '../../../protocol/wire.js';
import type { FrameStatus } from '../symbolicate/status.js';
import type { StoredFrame } from '../symbolicate/stored-frame.js';

// Aliases differ from column names: ClickHouse lets an alias shadow a column in WHERE.
const COMMON = `
  toString(event_id) AS id, toUnixTimestamp64Milli(timestamp) AS ts_ms,
  toUnixTimestamp64Milli(received_at) AS received_ms, url, release, environment, session_id,
  page_view_id, route, user_id, viewport, connection, tags, sdk_name, sdk_version, browser_name, browser_version,
  os_name, os_version, device_type`;

export const SELECT_COLUMNS: Record<EventKind, string> = {
  error: `${COMMON}, type, message, stack, frame_functions, frame_files, frame_lines, frame_columns,
    mechanism, handled, level, hint, count, fingerprint,
    arrayMap(t -> toUnixTimestamp64Milli(t), breadcrumb_timestamps) AS breadcrumb_ms,
    breadcrumb_categories, breadcrumb_messages, breadcrumb_levels, issue_id, frame_statuses, frame_reasons,
    original_functions, original_files, original_lines, original_columns, original_function_sources, frame_in_app,
    frame_ignored, frame_context_ids`,
  vital: `${COMMON}, name, value, rating, target, navigation_type`,
  navigation: `${COMMON}, type, duration, router_duration, requests, status, from_route`,
};

type Row = Record<string, any>;

const optional = (value: string) => (value === '' ? undefined : value);

export function rowToEvent(kind: EventKind, row: Row): Record<string, unknown> {
  const common = {
    kind,
    event_id: row.id,
    timestamp: Number(row.ts_ms),
    received_at: Number(row.received_ms),
    url: row.url,
    release: optional(row.release),
    environment: optional(row.environment),
    session_id: optional(row.session_id),
    page_view_id: optional(row.page_view_id),
    route: optional(row.route),
    user_id: optional(row.user_id),
    viewport: optional(row.viewport),
    connection: optional(row.connection),
    tags: row.tags,
    sdk: { name: row.sdk_name, version: row.sdk_version },
    browser: { name: row.browser_name, version: row.browser_version },
    os: { name: row.os_name, version: row.os_version },
    device: { type: row.device_type },
  };
  switch (kind) {
    case 'error':
      return {
        ...common,
        type: row.type,
        message: row.message,
        stack: optional(row.stack),
        frames: (row.frame_functions as string[]).map((fn, i) => ({
          function: fn,
          file: row.frame_files[i],
          line: row.frame_lines[i],
          column: row.frame_columns[i],
        })),
        mechanism: optional(row.mechanism),
        handled: Boolean(row.handled),
        level: row.level,
        hint: optional(row.hint),
        count: Number(row.count),
        fingerprint: row.fingerprint.length ? row.fingerprint : undefined,
        breadcrumbs: (row.breadcrumb_ms as Array<number | string>).map((ts, i) => ({
          timestamp: Number(ts),
          category: row.breadcrumb_categories[i],
          message: row.breadcrumb_messages[i],
          level: optional(row.breadcrumb_levels[i]),
        })),
        issue_id: optional(row.issue_id),
        // The frames after symbolication: status (mapped, or why not), original position, context (attached later), minified frame.
        symbolicated_frames: row.frame_statuses.length ? symbolicatedFrames(row) : undefined,
      };
    case 'vital':
      return { ...common, name: row.name, value: Number(row.value), rating: row.rating, target: optional(row.target), navigation_type: optional(row.navigation_type) };
    case 'navigation':
      return {
        ...common,
        type: row.type,
        duration: Number(row.duration),
        router_duration: row.router_duration === null ? undefined : Number(row.router_duration),
        requests: row.requests === null ? undefined : Number(row.requests),
        status: row.status,
        from_route: optional(row.from_route),
      };
  }
}

function symbolicatedFrames(row: Row): StoredFrame[] {
  return (row.frame_statuses as FrameStatus[]).map((status, i) => {
    const minified: Frame = {
      function: optional(row.frame_functions[i]),
      file: optional(row.frame_files[i]),
      line: row.frame_lines[i],
      column: row.frame_columns[i],
    };
    return {
      status,
      ...(row.frame_reasons[i] ? { reason: row.frame_reasons[i] } : {}),
      function: row.original_functions[i] || null,
      file: row.original_files[i] || null,
      line: row.original_lines[i] || null,
      column: row.original_columns[i] || null,
      in_app: row.frame_in_app[i] === 1,
      function_source: row.original_function_sources[i] || null,
      ...(row.frame_ignored[i] === 1 ? { ignored: true } : {}),
      ...(row.frame_context_ids[i] ? { context_id: row.frame_context_ids[i] } : {}),
      minified,
    };
  });
}
