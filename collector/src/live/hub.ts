/**
 * The live feed's fan-out: the processor hands every stored batch to `publish`; each connected
 * client gets the events of its project that pass its filters. A slow client never slows the
 * processor: when its socket already buffers more than `maxBufferedBytes`, events for it are
 * dropped and counted, and once it has caught up it is told how many it missed.
 */
import type { EventKind } from '../../../protocol/wire.js';
import type { ProcessedEvent } from '../process/pipeline.js';
import { feedEvent } from './feed-event.js';

export interface LiveFilters {
  kinds?: EventKind[];
  issue?: string;
  route?: string;
}

/** What the hub needs of a socket (ws's WebSocket has it). */
export interface LiveSocket {
  readonly bufferedAmount: number;
  send(data: string): void;
}

export interface LiveClient {
  projectId: number;
  socket: LiveSocket;
  filters: LiveFilters;
  /** Events dropped since the client was last told. */
  missed: number;
}

export interface LiveHub {
  add(client: LiveClient): () => void;
  /** Processor `onStored` listener. */
  publish(events: readonly ProcessedEvent[]): void;
  /** Tells caught-up clients what they missed (also done on each publish). */
  sweep(): void;
  readonly clients: number;
}

export interface LiveHubOptions {
  /** Per client: beyond this many bytes waiting in its socket, its events are dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  onDropped?: (count: number) => void;
}

const matches = (filters: LiveFilters, processed: ProcessedEvent): boolean => {
  const { event } = processed;
  if (filters.kinds && !filters.kinds.includes(event.kind)) return false;
  if (filters.issue && processed.issue?.id !== filters.issue) return false;
  if (filters.route && event.route !== filters.route) return false;
  return true;
};

export function createLiveHub(options: LiveHubOptions = {}): LiveHub {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const byProject = new Map<number, Set<LiveClient>>();
  let count = 0;

  const tellMissed = (client: LiveClient) => {
    if (client.missed > 0 && client.socket.bufferedAmount <= maxBuffered / 2) {
      client.socket.send(JSON.stringify({ type: 'missed', count: client.missed, message: `the connection was too slow: ${client.missed} events were not sent` }));
      client.missed = 0;
    }
  };

  return {
    add(client) {
      let set = byProject.get(client.projectId);
      if (!set) byProject.set(client.projectId, (set = new Set()));
      set.add(client);
      count++;
      return () => {
        if (set.delete(client)) count--;
        if (!set.size) byProject.delete(client.projectId);
      };
    },
    publish(events) {
      if (!count) return;
      let dropped = 0;
      // Serialised once per event, whoever receives it.
      const serialised = new Map<ProcessedEvent, string>();
      for (const processed of events) {
        const clients = byProject.get(processed.projectId);
        if (!clients) continue;
        for (const client of clients) {
          if (!matches(client.filters, processed)) continue;
          if (client.socket.bufferedAmount > maxBuffered) {
            client.missed++;
            dropped++;
            continue;
          }
          tellMissed(client);
          let text = serialised.get(processed);
          if (text === undefined) serialised.set(processed, (text = JSON.stringify({ type: 'event', event: feedEvent(processed) })));
          client.socket.send(text);
        }
      }
      if (dropped) options.onDropped?.(dropped);
    },
    sweep() {
      for (const clients of byProject.values()) for (const client of clients) tellMissed(client);
    },
    get clients() {
      return count;
    },
  };
}
