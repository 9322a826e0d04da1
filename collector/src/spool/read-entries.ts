/**
 * Ordered reads across segments, bounded by what is durable when each segment is reached.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { SpoolEntry, SpoolPosition } from './types.js';
import { iterateRecords } from './record-reader.js';
import { segmentPath } from './segment-files.js';
import { firstReadablePosition, type SegmentTable } from './segment-table.js';

export interface ReadContext {
  dir: string;
  table: SegmentTable;
  activeSegment(): number;
  /** A bad record at `offset`: must stop readers from going past it in that segment, or throw. */
  onDamage(segment: number, offset: number, reason: string): void;
}

const MIN_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/** Records from `from` on, up to about `maxBytes` of them (at least one when there is one). */
export async function readEntries(context: ReadContext, from: SpoolPosition, maxBytes: number): Promise<SpoolEntry[]> {
  const { dir, table } = context;
  const entries: SpoolEntry[] = [];
  let bytes = 0;
  let position = firstReadablePosition(table, from, context.activeSegment());
  while (position && (bytes < maxBytes || entries.length === 0)) {
    const { segment } = position;
    // Taken before any await: bytes past it may be mid-write and not yet acknowledged.
    const end = table.get(segment)!.readableEnd;
    const file = await openUnlessDeleted(segmentPath(dir, segment));
    if (!file) {
      // Released by a concurrent saveCheckpoint: the caller is reading behind the commit.
      position = firstReadablePosition(table, { segment: segment + 1, offset: 0 }, context.activeSegment());
      continue;
    }
    let budgetSpent = false;
    try {
      const chunkBytes = Math.min(Math.max(maxBytes - bytes, MIN_CHUNK_BYTES), MAX_CHUNK_BYTES);
      for await (const item of iterateRecords(file, position.offset, end, chunkBytes)) {
        if (item.kind === 'damage') {
          context.onDamage(segment, item.offset, item.reason);
          break;
        }
        const recordBytes = item.next - item.offset;
        if (entries.length > 0 && bytes + recordBytes > maxBytes) {
          budgetSpent = true;
          break;
        }
        entries.push({
          position: { segment, offset: item.offset },
          next: { segment, offset: item.next },
          payload: item.payload,
        });
        bytes += recordBytes;
      }
    } finally {
      await file.close();
    }
    if (budgetSpent) break;
    // Continues in the same segment if more became durable meanwhile, else the next one.
    position = firstReadablePosition(table, { segment, offset: end }, context.activeSegment());
  }
  return entries;
}

async function openUnlessDeleted(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
