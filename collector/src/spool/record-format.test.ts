import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, MAX_PAYLOAD_BYTES, RECORD_HEADER_BYTES } from './record-format.js';

describe('record format', () => {
  it('round-trips a payload and reports the record size', () => {
    const payload = Buffer.from('{"type":"error","message":"boom"}');
    const record = encodeRecord(payload);
    expect(record.length).toBe(RECORD_HEADER_BYTES + payload.length);
    expect(record.readUInt32LE(0)).toBe(payload.length);
    const decoded = decodeRecord(record, 0);
    expect(decoded).toEqual({ status: 'ok', payload, recordBytes: record.length });
  });

  it('decodes records back to back at any offset', () => {
    const records = Buffer.concat([encodeRecord(Buffer.from('a')), encodeRecord(Buffer.from('bc'))]);
    const second = decodeRecord(records, RECORD_HEADER_BYTES + 1);
    expect(second.status === 'ok' && second.payload.toString()).toBe('bc');
  });

  it('asks for more bytes when the header or payload is cut short', () => {
    const record = encodeRecord(Buffer.alloc(100, 1));
    expect(decodeRecord(record.subarray(0, 5), 0)).toEqual({ status: 'incomplete', needBytes: RECORD_HEADER_BYTES });
    expect(decodeRecord(record.subarray(0, 50), 0)).toEqual({ status: 'incomplete', needBytes: record.length });
  });

  it('rejects a flipped payload bit by checksum', () => {
    const record = encodeRecord(Buffer.from('payload'));
    record[RECORD_HEADER_BYTES + 3] ^= 0x01;
    expect(decodeRecord(record, 0)).toMatchObject({ status: 'corrupt', reason: 'crc32 mismatch' });
  });

  it('treats zero-filled space and absurd lengths as corrupt, not as records', () => {
    expect(decodeRecord(Buffer.alloc(64), 0)).toMatchObject({ status: 'corrupt' });
    const absurd = Buffer.alloc(RECORD_HEADER_BYTES);
    absurd.writeUInt32LE(MAX_PAYLOAD_BYTES + 1, 0);
    expect(decodeRecord(absurd, 0)).toMatchObject({ status: 'corrupt' });
  });

  it('refuses to encode empty payloads', () => {
    expect(() => encodeRecord(Buffer.alloc(0))).toThrow(/cannot be empty/);
  });
});
