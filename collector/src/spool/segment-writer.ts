/**
 * Appends batches of encoded records to the active segment, rolling to a new segment
 * once the active one has reached `segmentBytes`. One write and one fdatasync per
 * segment a batch touches (normally exactly one).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { fsyncDirectory, segmentPath } from './segment-files.js';

/** A prefix of a batch that is now on disk. */
export interface DurableChunk {
  segment: number;
  /** Durable size of `segment` after this chunk. */
  end: number;
  /** How many records of the batch (continuing from the previous chunk) it holds. */
  records: number;
}

export interface SegmentWriter {
  readonly activeSegment: number;
  /** Bytes of the active segment known to be on disk. */
  readonly activeBytes: number;
  /** fdatasync calls on segments so far. */
  readonly syncs: number;
  /**
   * Writes `records` in order. `onDurable` runs after each fdatasync with the records
   * it covered; if the promise rejects, the records not yet reported are not stored.
   */
  writeBatch(records: readonly Buffer[], onDurable: (chunk: DurableChunk) => void): Promise<void>;
  close(): Promise<void>;
}

export interface SegmentWriterOptions {
  dir: string;
  /** Existing segment file to continue; its first `bytes` bytes are intact records. */
  segment: number;
  bytes: number;
  segmentBytes: number;
}

export async function openSegmentWriter(options: SegmentWriterOptions): Promise<SegmentWriter> {
  const { dir, segmentBytes } = options;
  let segment = options.segment;
  let bytes = options.bytes;
  let file: FileHandle = await open(segmentPath(dir, segment), 'r+');
  let syncs = 0;
  // After a failed write or fsync the bytes past `bytes` are unknown: they must go
  // before anything else is written, or a later recovery could resurrect records
  // whose appends were rejected.
  let tailUnknown = false;

  async function roll(): Promise<void> {
    const nextSegment = segment + 1;
    // 'w' rather than 'wx': a file left by an earlier failed roll holds nothing acknowledged.
    const nextFile = await open(segmentPath(dir, nextSegment), 'w');
    try {
      await fsyncDirectory(dir);
    } catch (error) {
      await nextFile.close().catch(() => {});
      throw error;
    }
    const previous = file;
    file = nextFile;
    segment = nextSegment;
    bytes = 0;
    tailUnknown = false;
    await previous.close();
  }

  async function writeAll(data: Buffer, position: number): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const result = await file.write(data, written, data.length - written, position + written);
      written += result.bytesWritten;
    }
  }

  async function writeBatch(
    records: readonly Buffer[],
    onDurable: (chunk: DurableChunk) => void,
  ): Promise<void> {
    try {
      if (tailUnknown) {
        await file.truncate(bytes);
        await file.datasync();
        syncs++;
        tailUnknown = false;
      }
      let index = 0;
      while (index < records.length) {
        if (bytes >= segmentBytes) await roll();
        const chunk: Buffer[] = [];
        let chunkBytes = 0;
        do {
          const record = records[index++];
          chunk.push(record);
          chunkBytes += record.length;
        } while (index < records.length && bytes + chunkBytes < segmentBytes);
        await writeAll(chunk.length === 1 ? chunk[0] : Buffer.concat(chunk, chunkBytes), bytes);
        await file.datasync();
        syncs++;
        bytes += chunkBytes;
        onDurable({ segment, end: bytes, records: chunk.length });
      }
    } catch (error) {
      tailUnknown = true;
      throw error;
    }
  }

  return {
    get activeSegment() {
      return segment;
    },
    get activeBytes() {
      return bytes;
    },
    get syncs() {
      return syncs;
    },
    writeBatch,
    close: () => file.close(),
  };
}
