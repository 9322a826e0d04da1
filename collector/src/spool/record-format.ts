/**
 * On-disk framing of one spool record: `[u32 LE payload length][u32 LE crc32(payload)][payload]`.
 */
import { crc32 } from 'node:zlib';

export const RECORD_HEADER_BYTES = 8;

/**
 * Largest payload accepted. Far above any ingest batch; its real job is to let the
 * reader reject a garbage length field instead of trying to read gigabytes.
 */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export type DecodedRecord =
  | { status: 'ok'; payload: Buffer; recordBytes: number }
  /** `buffer` ends before the record does; `needBytes` counts from the record start. */
  | { status: 'incomplete'; needBytes: number }
  | { status: 'corrupt'; reason: string };

/** Header and payload as one buffer, ready to append. */
export function encodeRecord(payload: Buffer): Buffer {
  if (payload.length === 0) {
    // A zero-filled tail (left by some filesystems after a power cut) would otherwise
    // decode as an endless run of valid empty records.
    throw new RangeError('spool records cannot be empty: append at least one byte');
  }
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new RangeError(
      `spool record of ${payload.length} bytes exceeds the ${MAX_PAYLOAD_BYTES}-byte limit: split the batch`,
    );
  }
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(crc32(payload), 4);
  payload.copy(record, RECORD_HEADER_BYTES);
  return record;
}

/** Decodes the record starting at `offset`; the payload is a view into `buffer`, not a copy. */
export function decodeRecord(buffer: Buffer, offset: number): DecodedRecord {
  if (buffer.length - offset < RECORD_HEADER_BYTES) {
    return { status: 'incomplete', needBytes: RECORD_HEADER_BYTES };
  }
  const length = buffer.readUInt32LE(offset);
  if (length === 0 || length > MAX_PAYLOAD_BYTES) {
    return { status: 'corrupt', reason: `implausible record length ${length}` };
  }
  const recordBytes = RECORD_HEADER_BYTES + length;
  if (buffer.length - offset < recordBytes) {
    return { status: 'incomplete', needBytes: recordBytes };
  }
  const payload = buffer.subarray(offset + RECORD_HEADER_BYTES, offset + recordBytes);
  const expected = buffer.readUInt32LE(offset + 4);
  if (crc32(payload) !== expected) {
    return { status: 'corrupt', reason: 'crc32 mismatch' };
  }
  return { status: 'ok', payload, recordBytes };
}
