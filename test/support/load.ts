/**
 * Steady ingest load for fault tests: a few concurrent senders, each posting batches of
 * fresh events; remembers exactly which event ids were acknowledged (202).
 */
import { mixedBatch, USER_AGENTS } from './events.js';

export interface LoadResult {
  acknowledged: Set<string>;
  statuses: Map<number, number>;
  networkErrors: number;
  /** 429 and 503 answers with their Retry-After header. */
  refusals: { status: number; retryAfter: string | null }[];
}

export async function runLoad(options: { url: string; key: string; durationMs: number; senders?: number; batchSize?: number; pauseMs?: number; stop?: () => boolean }): Promise<LoadResult> {
  const acknowledged = new Set<string>();
  const statuses = new Map<number, number>();
  let networkErrors = 0;
  const refusals: LoadResult['refusals'] = [];
  let seed = Math.floor(Math.random() * 1e6);
  const deadline = Date.now() + options.durationMs;

  const sender = async (n: number) => {
    while (Date.now() < deadline && !options.stop?.()) {
      const batch = mixedBatch(seed++, options.batchSize ?? 20);
      try {
        const response = await fetch(`${options.url}/api/1/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-lookout-key': options.key, 'user-agent': USER_AGENTS[n % USER_AGENTS.length] },
          body: JSON.stringify(batch),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 202) {
          const body = (await response.json()) as { accepted: number };
          if (body.accepted !== batch.events.length) throw new Error(`expected every event accepted, got ${body.accepted}`);
          for (const event of batch.events) acknowledged.add(event.event_id);
        } else {
          if (response.status === 429 || response.status === 503) refusals.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
          await response.arrayBuffer();
        }
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('expected')) throw error;
        networkErrors++;
      }
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: options.senders ?? 4 }, (_, n) => sender(n)));
  return { acknowledged, statuses, networkErrors, refusals };
}
