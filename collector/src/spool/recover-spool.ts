/**
 * Brings a spool directory to a consistent state on open: drops what a crash left
 * half-done, verifies every record not yet committed, and counts what is pending.
 */
import { mkdir, open, rm } from 'node:fs/promises';
import type { Checkpoint } from './types.js';
import { readCheckpointFile, removeTemporaryCheckpoint } from './checkpoint-file.js';
import { iterateRecords } from './record-reader.js';
import { FIRST_SEGMENT, fsyncDirectory, listSegments, segmentPath } from './segment-files.js';
import type { SegmentExtent, SegmentTable } from './segment-table.js';

export interface RecoveredSpool {
  /** The saved checkpoint, or the start of the first segment when none was saved. */
  checkpoint: Checkpoint;
  /** Every segment from the checkpoint on, including the active one. */
  table: SegmentTable;
  /** Existing segment file that appends continue; its size is its table entry's fileBytes. */
  activeSegment: number;
  /** Intact records after the checkpoint. */
  pendingRecords: number;
}

const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

export async function recoverSpool(dir: string, report: (error: Error) => void): Promise<RecoveredSpool> {
  await mkdir(dir, { recursive: true });
  await removeTemporaryCheckpoint(dir);
  const existing = await listSegments(dir);
  const checkpoint = (await readCheckpointFile(dir)) ?? {
    committed: { segment: existing[0] ?? FIRST_SEGMENT, offset: 0 },
  };
  const { committed } = checkpoint;

  // Left behind by a crash between saving a checkpoint and deleting what it released.
  for (const segment of existing.filter((s) => s < committed.segment)) {
    await rm(segmentPath(dir, segment), { force: true });
  }
  const segments = existing.filter((s) => s >= committed.segment);

  const table: SegmentTable = new Map();
  let pendingRecords = 0;
  let lastIsWritable = false;
  for (const [index, segment] of segments.entries()) {
    const isLast = index === segments.length - 1;
    const start = segment === committed.segment ? committed.offset : 0;
    const scanned = await scanSegment(dir, segment, start, isLast, report);
    table.set(segment, scanned.extent);
    pendingRecords += scanned.records;
    lastIsWritable = isLast && scanned.writable;
  }

  let activeSegment = segments.at(-1) ?? committed.segment;
  if (!lastIsWritable) {
    // Appending must never land behind the checkpoint or after an unreadable region.
    if (table.has(activeSegment) || committed.offset > 0) activeSegment += 1;
    await (await open(segmentPath(dir, activeSegment), 'w')).close();
    await fsyncDirectory(dir);
    table.set(activeSegment, { readableEnd: 0, fileBytes: 0 });
  }
  return { checkpoint, table, activeSegment, pendingRecords };
}

interface ScannedSegment {
  extent: SegmentExtent;
  records: number;
  /** Appends may continue at the end of this segment. */
  writable: boolean;
}

async function scanSegment(
  dir: string,
  segment: number,
  start: number,
  isLast: boolean,
  report: (error: Error) => void,
): Promise<ScannedSegment> {
  const path = segmentPath(dir, segment);
  const file = await open(path, isLast ? 'r+' : 'r');
  try {
    const fileBytes = (await file.stat()).size;
    if (start > fileBytes) {
      report(
        new Error(
          `checkpoint points at offset ${start} of ${path}, which has only ${fileBytes} bytes: ` +
            'continuing with the next segment; was the segment file replaced or truncated?',
        ),
      );
      return { extent: { readableEnd: fileBytes, fileBytes }, records: 0, writable: false };
    }
    let records = 0;
    for await (const item of iterateRecords(file, start, fileBytes, SCAN_CHUNK_BYTES)) {
      if (item.kind === 'record') {
        records++;
        continue;
      }
      const damagedBytes = fileBytes - item.offset;
      if (isLast) {
        // Everything up to the last fdatasync is intact, so a bad record here starts
        // the write that the crash interrupted: none of it was acknowledged.
        await file.truncate(item.offset);
        await file.datasync();
        report(
          new Error(
            `dropped a torn tail of ${damagedBytes} bytes at offset ${item.offset} of ${path} ` +
              `(${item.reason}): a write interrupted by a crash, never acknowledged`,
          ),
        );
        return { extent: { readableEnd: item.offset, fileBytes: item.offset }, records, writable: true };
      }
      report(
        new Error(
          `${path} is damaged at offset ${item.offset} (${item.reason}): skipping its last ` +
            `${damagedBytes} bytes and continuing with the next segment; check the disk`,
        ),
      );
      return { extent: { readableEnd: item.offset, fileBytes }, records, writable: false };
    }
    return { extent: { readableEnd: fileBytes, fileBytes }, records, writable: isLast };
  } finally {
    await file.close();
  }
}
