/**
 * The durable write-ahead spool between HTTP acknowledgement and storage.
 * A request is acknowledged only once its record is on disk; the processor reads
 * records in order and checkpoints only what the store has accepted.
 */

/** A place in the spool: segment number and byte offset inside it. */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolEntry {
  /** Where the record starts. */
  position: SpoolPosition;
  /** Where the next record starts (what to checkpoint once this one is stored). */
  next: SpoolPosition;
  payload: Buffer;
}

/**
 * What the processor persisted. `inflight` is written *before* a store write, so a
 * restart re-sends exactly the same range with the same dedup token.
 */
export interface Checkpoint {
  committed: SpoolPosition;
  inflight?: { from: SpoolPosition; to: SpoolPosition; records: number };
}

export interface SpoolStats {
  /** Bytes of every segment on disk. */
  bytes: number;
  /** Bytes appended but not yet committed by the processor. */
  pendingBytes: number;
  /** Records appended but not yet committed by the processor. */
  pendingRecords: number;
  segments: number;
}

export interface Spool {
  /** Random, kept in the spool's folder: tells this spool's positions from another collector's (spool-id.ts). */
  readonly id: string;
  /**
   * Appends one record. Resolves once it is on disk: one fdatasync is shared by every
   * append waiting in the same group commit. Rejects with SpoolFullError over quota.
   */
  append(payload: Buffer): Promise<void>;
  /** Records starting at `from`, in order, until about `maxBytes` (at least one if any). */
  readFrom(from: SpoolPosition, maxBytes: number): Promise<SpoolEntry[]>;
  /** Called after every group commit; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void;
  loadCheckpoint(): Promise<Checkpoint>;
  /**
   * Atomically persists the checkpoint (write, fsync, rename, fsync dir).
   * `committedRecords` is how many records moved behind `committed` since the last call.
   * Segments wholly behind `committed` are deleted.
   */
  saveCheckpoint(checkpoint: Checkpoint, committedRecords: number): Promise<void>;
  stats(): SpoolStats;
  /** True when pending bytes are over the quota: ingest answers 503 + Retry-After. */
  isFull(): boolean;
  close(): Promise<void>;
}

export class SpoolFullError extends Error {
  constructor(readonly pendingBytes: number, readonly quotaBytes: number) {
    super(`spool is full: ${pendingBytes} bytes waiting for storage, quota ${quotaBytes} bytes`);
    this.name = 'SpoolFullError';
  }
}
