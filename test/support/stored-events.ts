/** Polling for what a real collector stored, shared by the browser tests. */
import type { LookoutEvent } from '../../protocol/wire.js';
import type { TestCollector } from './test-collector.js';

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls until `check` returns something truthy; fails with `what` and the last `state()` after `ms`. */
export async function until<T>(check: () => T | Promise<T>, what: string, ms = 10_000, state: () => unknown = () => ''): Promise<Truthy<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const result = await check();
    if (result) return result as Truthy<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} ${JSON.stringify(state())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A stored event as the read API returns it: the wire fields plus what the collector added. */
export type StoredEvent = LookoutEvent & { received_at: number; sdk: { name: string; version: string }; browser: { name: string } };

/** Everything the collector has stored for project 1, once what it accepted is in the store. */
export async function storedEvents(collector: TestCollector): Promise<StoredEvent[]> {
  await collector.processor.drain();
  const events: StoredEvent[] = [];
  let cursor: string | null = null;
  do {
    const page: { events: StoredEvent[]; next_cursor: string | null } = await collector.api(
      `/api/1/events?limit=1000&since=0${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor);
  return events;
}
