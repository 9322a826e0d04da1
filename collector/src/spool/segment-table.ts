/**
 * The in-memory view of the segments on disk, and position arithmetic over it.
 */
import type { SpoolPosition } from './types.js';

export interface SegmentExtent {
  /**
   * Intact, durable records end here. Below `fileBytes` only when the segment is
   * damaged: readers skip the rest and move on to the next segment.
   */
  readableEnd: number;
  fileBytes: number;
}

/** Segment number → extent, iterated in ascending segment order (insert in that order). */
export type SegmentTable = Map<number, SegmentExtent>;

export function comparePositions(a: SpoolPosition, b: SpoolPosition): number {
  return a.segment - b.segment || a.offset - b.offset;
}

/**
 * The first place at or after `position` where a record can be read now, skipping
 * missing (deleted) and exhausted sealed segments; undefined when nothing is there yet.
 */
export function firstReadablePosition(
  table: SegmentTable,
  position: SpoolPosition,
  activeSegment: number,
): SpoolPosition | undefined {
  for (const [segment, extent] of table) {
    if (segment < position.segment) continue;
    const offset = segment === position.segment ? position.offset : 0;
    if (offset < extent.readableEnd) return { segment, offset };
    if (segment >= activeSegment) return undefined;
  }
  return undefined;
}

/** Readable bytes from `position` to the end of the spool. */
export function readableBytesFrom(table: SegmentTable, position: SpoolPosition): number {
  let bytes = 0;
  for (const [segment, extent] of table) {
    if (segment > position.segment) bytes += extent.readableEnd;
    else if (segment === position.segment) bytes += Math.max(0, extent.readableEnd - position.offset);
  }
  return bytes;
}

export function totalFileBytes(table: SegmentTable): number {
  let bytes = 0;
  for (const extent of table.values()) bytes += extent.fileBytes;
  return bytes;
}
