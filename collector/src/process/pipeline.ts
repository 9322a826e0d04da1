/**
 * The processor's seam. Between reading the spool and writing the store, stages run in order
 * over each batch (enrichment now; symbolication and grouping plug in here). After the store
 * accepted a batch, listeners see it (live feed, alerts). Nothing here reaches back to ingest.
 */
import type { LookoutEvent, Sdk } from '../../../protocol/wire.js';
import type { StoredFrame } from '../symbolicate/stored-frame.js';
import type { ClientInfo } from './user-agent.js';

/** The issue an error was grouped into, and what this event did to it. */
export interface IssueAssignment {
  id: string;
  title: string;
  culprit: string;
  status: string;
  /** This event opened the issue (stays true when the same event is replayed). */
  isNew: boolean;
  /** This event reopened a resolved issue. */
  isRegression: boolean;
}

export interface ProcessedEvent {
  projectId: number;
  /** Server receive time, epoch ms. */
  receivedAt: number;
  sdk: Sdk;
  client: ClientInfo;
  event: LookoutEvent;
  /** Extra columns a stage adds for the event's table. */
  columns?: Record<string, unknown>;
  /** Errors: the frames after symbolication (symbolication stage). */
  frames?: StoredFrame[];
  /** Errors: the issue (grouping stage). */
  issue?: IssueAssignment;
}

export interface ProcessorStage {
  readonly name: string;
  /**
   * May change events in place. Runs again when the store write is retried, and again after a
   * crash: it must be harmless to repeat. A thrown StoreError retries the batch with backoff.
   */
  run(events: ProcessedEvent[]): void | Promise<void>;
}

/** Sees every batch once the store has accepted it; must not throw or block. */
export type StoredListener = (events: readonly ProcessedEvent[]) => void;
