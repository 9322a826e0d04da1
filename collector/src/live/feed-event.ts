/**
 * What the live feed sends for one stored event: the wire fields a tail needs (no stack text, no
 * breadcrumbs), the browser and OS, and for errors the issue and the top in-app frame.
 */
import type { ProcessedEvent } from '../process/pipeline.js';

export function feedEvent(processed: ProcessedEvent): Record<string, unknown> {
  const { event, client } = processed;
  const base = {
    kind: event.kind,
    event_id: event.event_id,
    timestamp: event.timestamp,
    received_at: processed.receivedAt,
    url: event.url,
    route: event.route,
    release: event.release,
    environment: event.environment,
    session_id: event.session_id,
    user_id: event.user_id,
    browser: { name: client.browser_name, version: client.browser_version },
    os: { name: client.os_name, version: client.os_version },
  };
  switch (event.kind) {
    case 'error': {
      const top = processed.frames?.find((frame) => frame.in_app) ?? processed.frames?.[0];
      const issue = processed.issue;
      return {
        ...base,
        type: event.type,
        message: event.message,
        mechanism: event.mechanism,
        handled: event.handled,
        level: event.level ?? 'error',
        ...(issue ? { issue: { id: issue.id, title: issue.title, status: issue.status, new: issue.isNew, regression: issue.isRegression } } : {}),
        top_frame: top
          ? { function: top.function, file: top.file, line: top.line, column: top.column, status: top.status }
          : event.frames?.[0] ?? null,
      };
    }
    case 'vital':
      return { ...base, name: event.name, value: event.value, rating: event.rating, target: event.target };
    case 'navigation':
      return { ...base, type: event.type, duration: event.duration, status: event.status ?? 'ok', from_route: event.from_route };
  }
}
