/**
 * The processor's seam. Between reading the spool and writing the store, stages run in order
 * over each batch (enrichment now; symbolication and grouping plug in here). After the store
 * accepted a batch, listeners see it (live feed, alerts). Nothing here reaches back to ingest.
 */
import type { LookoutEvent, Sdk } from '../../../protocol/wire.js';
import type { ClientInfo } from './user-agent.js';

export interface ProcessedEvent {
  projectId: number;
  /** Server receive time, epoch ms. */
  receivedAt: number;
  sdk: Sdk;
  client: ClientInfo;
  event: LookoutEvent;
  /** Extra columns a stage adds for the event's table (e.g. an issue id). */
  columns?: Record<string, unknown>;
}

export interface ProcessorStage {
  readonly name: string;
  /** May change events in place. Must be deterministic enough that a replay is harmless. */
  run(events: ProcessedEvent[]): void | Promise<void>;
}

/** Sees every batch once the store has accepted it; must not throw or block. */
export type StoredListener = (events: readonly ProcessedEvent[]) => void;
