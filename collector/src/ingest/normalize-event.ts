/**
 * Bounds what one event may cost downstream: long strings are cut with a visible marker,
 * stacks keep their newest and oldest frames, future timestamps are clamped.
 */
import type { IngestLimits } from '../config/config.js';
import { scrubUrl, scrubUrlsIn } from '../../../protocol/scrub.js';
import type { LookoutEvent, Frame } from '../../../protocol/wire.js';

export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.length - max;
  return `${value.slice(0, max)}…[truncated ${cut} chars]`;
}

/** Newest and oldest frames carry the crash site and the entry point; the middle is usually recursion. */
export function boundFrames(frames: Frame[], max: number): Frame[] {
  if (frames.length <= max) return frames;
  const head = Math.ceil(max / 2);
  return [...frames.slice(0, head), ...frames.slice(frames.length - (max - head))];
}

export function normalizeEvent(event: LookoutEvent, limits: IngestLimits, receivedAt: number): LookoutEvent {
  const short = (s: string | undefined) => (s === undefined ? s : truncate(s, limits.shortChars));
  event.timestamp = event.timestamp > receivedAt + limits.maxFutureSkewMs ? receivedAt : Math.round(event.timestamp);
  // The agent scrubs these already; a hand-rolled sender or a framework's own wording may not.
  event.url = truncate(scrubUrl(event.url), limits.urlChars);
  event.release = short(event.release);
  event.environment = short(event.environment);
  event.session_id = short(event.session_id);
  event.page_view_id = short(event.page_view_id);
  event.user_id = short(event.user_id);
  event.viewport = short(event.viewport);
  event.connection = short(event.connection);
  event.route = short(event.route);
  if (event.tags) event.tags = boundTags(event.tags, limits);

  if (event.kind === 'error') {
    event.type = truncate(event.type, limits.shortChars);
    event.message = truncate(scrubUrlsIn(event.message), limits.messageChars);
    if (event.hint !== undefined) event.hint = truncate(scrubUrlsIn(event.hint), limits.messageChars);
    if (event.stack !== undefined) event.stack = truncate(event.stack, limits.stackChars);
    if (event.frames) {
      event.frames = boundFrames(event.frames, limits.framesPerStack).map((frame) => ({
        ...frame,
        function: short(frame.function),
        file: frame.file === undefined ? undefined : truncate(frame.file, limits.urlChars),
      }));
    }
    if (event.debug_ids) {
      // Keyed like the frames' files (cut the same way) so the two still match; IDs lower-cased.
      const ids: Record<string, string> = {};
      for (const [file, id] of Object.entries(event.debug_ids)) ids[truncate(file, limits.urlChars)] = id.toLowerCase();
      event.debug_ids = ids;
    }
    if (event.breadcrumbs && event.breadcrumbs.length > limits.breadcrumbsPerEvent) {
      event.breadcrumbs = event.breadcrumbs.slice(-limits.breadcrumbsPerEvent);
    }
    event.breadcrumbs = event.breadcrumbs?.map((crumb) => ({ ...crumb, message: truncate(crumb.message, limits.shortChars * 4) }));
  } else if (event.kind === 'vital') {
    event.target = short(event.target);
  } else {
    event.from_route = short(event.from_route);
  }
  return event;
}

function boundTags(tags: Record<string, string>, limits: IngestLimits): Record<string, string> {
  const bounded: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags).slice(0, limits.tagsPerEvent)) {
    bounded[truncate(key, 64)] = truncate(value, limits.shortChars);
  }
  return bounded;
}
