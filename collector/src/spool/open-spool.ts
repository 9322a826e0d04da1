/**
 * The disk-backed Spool: group-committed appends to segment files, ordered reads of
 * durable records only, and an atomically replaced checkpoint that releases segments.
 */
import { rm } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import {
  SpoolFullError,
  type Checkpoint,
  type Spool,
  type SpoolEntry,
  type SpoolPosition,
  type SpoolStats,
} from './types.js';
import { checkpointProblem, writeCheckpointFile } from './checkpoint-file.js';
import { createGroupCommitQueue } from './group-commit-queue.js';
import { readEntries } from './read-entries.js';
import { encodeRecord } from './record-format.js';
import { recoverSpool, type RecoveredSpool } from './recover-spool.js';
import { segmentPath } from './segment-files.js';
import { loadSpoolId } from './spool-id.js';
import { comparePositions, readableBytesFrom, totalFileBytes } from './segment-table.js';
import { openSegmentWriter, type DurableChunk, type SegmentWriter } from './segment-writer.js';

export interface SpoolOptions {
  /** Holds the segment files and checkpoint.json; created if missing. One open spool per directory. */
  dir: string;
  /** A segment that has reached this size is sealed and appends move to a new one. Default 64 MiB. */
  segmentBytes?: number;
  /**
   * While more than this many bytes wait for the processor to commit them, appends
   * reject with SpoolFullError. Default 1 GiB.
   */
  quotaBytes?: number;
  /**
   * How long an idle spool waits for company before writing a new group. Default 0:
   * the appends of one event-loop turn form a group; appends that arrive during a
   * write always wait for the next group, whatever this is.
   */
  groupCommitMaxDelayMs?: number;
  /**
   * Damage found on open, failed writes, throwing listeners. The spool carries on
   * after each. Default: console.error.
   */
  onError?: (error: Error) => void;
}

export interface DiskSpoolStats extends SpoolStats {
  /** Group commits since open; each is one write and one fdatasync (two when it rolls a segment). */
  groupCommits: number;
  /** fdatasync calls on segment files since open. */
  syncs: number;
  /** Bytes accepted by append() that are still waiting for their group commit. */
  queuedBytes: number;
}

export interface DiskSpool extends Spool {
  stats(): DiskSpoolStats;
}

interface QueuedAppend {
  record: Buffer;
  resolve: () => void;
  reject: (error: Error) => void;
}

const MiB = 1024 * 1024;

/** Spool directories open in this process: two writers on one directory would interleave records. */
const openDirectories = new Set<string>();

export async function openSpool(options: SpoolOptions): Promise<DiskSpool> {
  const segmentBytes = options.segmentBytes ?? 64 * MiB;
  const quotaBytes = options.quotaBytes ?? 1024 * MiB;
  const groupCommitDelayMs = options.groupCommitMaxDelayMs ?? 0;
  const report = options.onError ?? ((error: Error) => console.error(`lookout spool: ${error.message}`));
  requirePositive('segmentBytes', segmentBytes);
  requirePositive('quotaBytes', quotaBytes);
  if (!(groupCommitDelayMs >= 0)) {
    throw new RangeError(`groupCommitMaxDelayMs must be 0 or more, got ${groupCommitDelayMs}`);
  }

  const dir = resolvePath(options.dir);
  if (openDirectories.has(dir)) {
    throw new Error(`spool directory ${dir} is already open in this process: close the other spool first`);
  }
  openDirectories.add(dir);
  let recovered: RecoveredSpool;
  let id: string;
  let writer: SegmentWriter;
  try {
    recovered = await recoverSpool(dir, report);
    id = await loadSpoolId(dir);
    writer = await openSegmentWriter({
      dir,
      segment: recovered.activeSegment,
      bytes: recovered.table.get(recovered.activeSegment)!.fileBytes,
      segmentBytes,
    });
  } catch (error) {
    openDirectories.delete(dir);
    throw error;
  }

  const { table } = recovered;
  let checkpoint = recovered.checkpoint;
  let pendingRecords = recovered.pendingRecords;
  let pendingBytes = readableBytesFrom(table, checkpoint.committed);
  let queuedBytes = 0;
  let groupCommits = 0;
  const appendQueue = createGroupCommitQueue({ delayMs: groupCommitDelayMs, commit: commitGroup });
  let checkpointChain: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;
  const appendListeners = new Set<() => void>();

  function isFull(): boolean {
    return pendingBytes + queuedBytes > quotaBytes;
  }

  function append(payload: Buffer): Promise<void> {
    if (closing) return Promise.reject(closedError('append'));
    if (isFull()) return Promise.reject(new SpoolFullError(pendingBytes + queuedBytes, quotaBytes));
    let record: Buffer;
    try {
      record = encodeRecord(payload);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      appendQueue.enqueue({ record, resolve, reject });
      queuedBytes += record.length;
    });
  }

  async function commitGroup(group: QueuedAppend[]): Promise<void> {
    let settled = 0;
    const onDurable = (chunk: DurableChunk): void => {
      const extent = table.get(chunk.segment);
      if (extent) {
        extent.readableEnd = chunk.end;
        extent.fileBytes = chunk.end;
      } else {
        table.set(chunk.segment, { readableEnd: chunk.end, fileBytes: chunk.end });
      }
      for (const stop = settled + chunk.records; settled < stop; settled++) {
        const { record, resolve } = group[settled];
        queuedBytes -= record.length;
        pendingBytes += record.length;
        pendingRecords++;
        resolve();
      }
      // Synchronously with the resolutions, so listeners hear of a group no later than its appenders.
      if (settled === group.length) {
        groupCommits++;
        notifyAppendListeners();
      }
    };
    try {
      await writer.writeBatch(
        group.map((queued) => queued.record),
        onDurable,
      );
    } catch (cause) {
      const error = new Error(
        `spool write to ${segmentPath(dir, writer.activeSegment)} failed (${(cause as Error).message}): ` +
          `${group.length - settled} appends were not stored and must be retried; check disk space and health`,
        { cause },
      );
      report(error);
      for (const { record, reject } of group.slice(settled)) {
        queuedBytes -= record.length;
        reject(error);
      }
      if (settled > 0) notifyAppendListeners();
    }
  }

  function notifyAppendListeners(): void {
    for (const listener of appendListeners) {
      try {
        listener();
      } catch (error) {
        report(new Error(`spool onAppend listener threw: ${(error as Error).message}`, { cause: error }));
      }
    }
  }

  function onAppend(listener: () => void): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const subscription = () => listener();
    appendListeners.add(subscription);
    return () => appendListeners.delete(subscription);
  }

  async function readFrom(from: SpoolPosition, maxBytes: number): Promise<SpoolEntry[]> {
    if (closing) throw closedError('readFrom');
    return readEntries(
      { dir, table, activeSegment: () => writer.activeSegment, onDamage: skipDamagedTail },
      from,
      maxBytes,
    );
  }

  /** Bit rot found after open: readers skip the rest of the segment, as recovery does. */
  function skipDamagedTail(segment: number, offset: number, reason: string): void {
    const message = `${segmentPath(dir, segment)} is damaged at offset ${offset} (${reason})`;
    if (segment === writer.activeSegment) {
      throw new Error(`${message}, in the segment still being written: stop the collector and check the disk`);
    }
    report(new Error(`${message}: skipping the rest of it and continuing with the next segment; check the disk`));
    table.get(segment)!.readableEnd = offset;
    pendingBytes = readableBytesFrom(table, checkpoint.committed);
  }

  async function loadCheckpoint(): Promise<Checkpoint> {
    return structuredClone(checkpoint);
  }

  function saveCheckpoint(next: Checkpoint, committedRecords: number): Promise<void> {
    // Checked here, not when its turn comes: close() waits for saves made before it.
    if (closing) return Promise.reject(closedError('saveCheckpoint'));
    const saving = checkpointChain.then(() => persistCheckpoint(next, committedRecords));
    checkpointChain = saving.catch(() => {});
    return saving;
  }

  async function persistCheckpoint(next: Checkpoint, committedRecords: number): Promise<void> {
    const problem = checkpointProblem(next);
    if (problem) throw new TypeError(`invalid checkpoint (${problem})`);
    if (!Number.isSafeInteger(committedRecords) || committedRecords < 0) {
      throw new TypeError(`committedRecords must be a non-negative integer, got ${committedRecords}`);
    }
    if (comparePositions(next.committed, checkpoint.committed) < 0) {
      throw new Error(
        `checkpoint would move backwards from ${formatPosition(checkpoint.committed)} to ` +
          `${formatPosition(next.committed)}: commit only the next positions of records read, in order`,
      );
    }
    const end = { segment: writer.activeSegment, offset: writer.activeBytes };
    if (comparePositions(next.committed, end) > 0) {
      throw new Error(
        `checkpoint ${formatPosition(next.committed)} is past the end of the spool (${formatPosition(end)}): ` +
          'commit only the next positions of records read',
      );
    }
    const saved: Checkpoint = { committed: { segment: next.committed.segment, offset: next.committed.offset } };
    if (next.inflight) {
      const { from, to, records } = next.inflight;
      saved.inflight = {
        from: { segment: from.segment, offset: from.offset },
        to: { segment: to.segment, offset: to.offset },
        records,
      };
    }
    await writeCheckpointFile(dir, saved);
    checkpoint = saved;
    pendingRecords = Math.max(0, pendingRecords - committedRecords);
    await deleteSegmentsBehind(saved.committed);
    pendingBytes = readableBytesFrom(table, checkpoint.committed);
  }

  async function deleteSegmentsBehind(committed: SpoolPosition): Promise<void> {
    for (const [segment, extent] of table) {
      const whollyBehind =
        segment < committed.segment || (segment === committed.segment && committed.offset >= extent.readableEnd);
      if (segment >= writer.activeSegment || !whollyBehind) return;
      table.delete(segment);
      try {
        await rm(segmentPath(dir, segment), { force: true });
      } catch (error) {
        // Harmless to keep: the next open deletes segments behind the checkpoint.
        report(new Error(`could not delete released segment: ${(error as Error).message}`, { cause: error }));
      }
    }
  }

  function stats(): DiskSpoolStats {
    return {
      bytes: totalFileBytes(table),
      pendingBytes,
      pendingRecords,
      segments: table.size,
      groupCommits,
      syncs: writer.syncs,
      queuedBytes,
    };
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      try {
        await appendQueue.drain();
        await checkpointChain;
        await writer.close();
      } finally {
        openDirectories.delete(dir);
      }
    })();
    return closing;
  }

  return { id, append, readFrom, onAppend, loadCheckpoint, saveCheckpoint, stats, isFull, close };
}

function requirePositive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive whole number of bytes, got ${value}`);
  }
}

function closedError(operation: string): Error {
  return new Error(`spool is closed: ${operation}() after close(); open the spool again first`);
}

function formatPosition(position: SpoolPosition): string {
  return `${position.segment}:${position.offset}`;
}
