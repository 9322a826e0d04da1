/**
 * Sequential decoding of the records in one byte range of a segment file.
 */
import type { FileHandle } from 'node:fs/promises';
import { decodeRecord, RECORD_HEADER_BYTES } from './record-format.js';

export interface RecordAt {
  kind: 'record';
  offset: number;
  /** Offset right after this record. */
  next: number;
  payload: Buffer;
}

/** The range stops making sense at `offset`: bad checksum, garbage length, or cut short. */
export interface DamageAt {
  kind: 'damage';
  offset: number;
  reason: string;
}

/**
 * Yields every record in `[start, end)` and, if the range does not end on a record
 * boundary with intact records, one final DamageAt. Reads `chunkBytes` at a time
 * (more when a single record is bigger).
 */
export async function* iterateRecords(
  file: FileHandle,
  start: number,
  end: number,
  chunkBytes: number,
): AsyncGenerator<RecordAt | DamageAt> {
  let buffer: Buffer = Buffer.alloc(0);
  let bufferStart = start;
  let cursor = 0;
  for (;;) {
    const offset = bufferStart + cursor;
    if (offset >= end) return;
    const decoded = decodeRecord(buffer, cursor);
    if (decoded.status === 'ok') {
      cursor += decoded.recordBytes;
      yield { kind: 'record', offset, next: offset + decoded.recordBytes, payload: decoded.payload };
      continue;
    }
    if (decoded.status === 'corrupt') {
      yield { kind: 'damage', offset, reason: decoded.reason };
      return;
    }
    if (offset + decoded.needBytes > end) {
      const reason =
        decoded.needBytes === RECORD_HEADER_BYTES
          ? `only ${end - offset} bytes left, less than a record header`
          : `record of ${decoded.needBytes} bytes runs past the end at ${end}`;
      yield { kind: 'damage', offset, reason };
      return;
    }
    const length = Math.min(end - offset, Math.max(chunkBytes, decoded.needBytes));
    buffer = await readExactly(file, offset, length);
    bufferStart = offset;
    cursor = 0;
  }
}

/** Reads exactly `length` bytes at `position`; a shorter file is an error, not a short read. */
export async function readExactly(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) {
      throw new Error(
        `segment file ended at ${position + filled}, expected data up to ${position + length}: ` +
          'was it truncated or modified by something other than the spool?',
      );
    }
    filled += bytesRead;
  }
  return buffer;
}
