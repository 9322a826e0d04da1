/**
 * Frame statuses shared by the symbolicator (this module) and the artifact lookup (later).
 * Every symbolicated frame carries exactly one of these.
 */
export const FRAME_STATUSES = [
  'mapped',
  // Artifact lookup (not in this module): no map for the release, debug ID unknown, URL unmatched.
  'no_artifact',
  'no_debug_id_match',
  'url_not_matched',
  // Symbolicator: map found but no segment covers the position.
  'no_mapping_at_position',
  // Map rejected at parse time.
  'map_invalid',
  'map_too_large',
  // Mapped, but the map carries no sourcesContent for that source (position is still returned).
  'source_missing',
] as const;

export type FrameStatus = (typeof FRAME_STATUSES)[number];

/** Why a map was rejected: what the parse stage can say. */
export type MapErrorStatus = Extract<FrameStatus, 'map_invalid' | 'map_too_large'>;

/** A rejected map: `status` for the frame, `reason` for people (says what was wrong and what to do). */
export class SourceMapError extends Error {
  readonly status: MapErrorStatus;
  constructor(status: MapErrorStatus, reason: string) {
    super(reason);
    this.name = 'SourceMapError';
    this.status = status;
  }
}

export const invalid = (reason: string): SourceMapError =>
  new SourceMapError('map_invalid', `${reason}; rebuild the map with your bundler and upload it again`);

export const tooLarge = (reason: string): SourceMapError =>
  new SourceMapError('map_too_large', reason);
