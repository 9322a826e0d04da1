/**
 * What the ingest route appends to the spool for one request, and what the processor reads
 * back. Only what processing needs: the client IP is deliberately not kept.
 */
import type { LookoutEvent, Sdk } from '../../../protocol/wire.js';

export interface SpooledBatch {
  /** Project id. */
  p: number;
  /** Server receive time, epoch ms. */
  t: number;
  /** User-Agent header, parsed in the processor (enrichment stays off the ack path). */
  ua: string;
  sdk: Sdk;
  events: LookoutEvent[];
}

export const encodeBatch = (batch: SpooledBatch): Buffer => Buffer.from(JSON.stringify(batch));
export const decodeBatch = (payload: Buffer): SpooledBatch => JSON.parse(payload.toString('utf8')) as SpooledBatch;
