/**
 * Feeders: a source of records, each a set of session attributes. One feeder is one shared
 * source: every user (of every scenario) that feeds from it draws from the same queue, as in
 * Gatling. Strategies: queue (default: in order, and the run stops cleanly when it runs dry),
 * random (any record, forever), shuffle (a random order, then like queue), circular (in order,
 * starting over at the end). Files are read once, when first fed from.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsv } from './csv.js';

export type FeederStrategy = 'queue' | 'random' | 'shuffle' | 'circular';

export interface Feeder {
  readonly description: string;
  readonly strategy: FeederStrategy;
  /** The next record; undefined when a queue or shuffle feeder is exhausted. */
  next(): Record<string, unknown> | undefined;
  /** How many records the source holds. */
  size(): number;
  queue(): Feeder;
  random(): Feeder;
  shuffle(): Feeder;
  circular(): Feeder;
}

export function createFeeder(description: string, load: () => Record<string, unknown>[], strategy: FeederStrategy = 'queue'): Feeder {
  let records: Record<string, unknown>[] | undefined;
  let order: Record<string, unknown>[] | undefined;
  let position = 0;
  const loaded = () => (records ??= load());
  const withStrategy = (next: FeederStrategy) => createFeeder(description, loaded, next);
  return {
    description,
    strategy,
    size: () => loaded().length,
    next() {
      const all = loaded();
      if (all.length === 0) return undefined;
      if (strategy === 'random') return all[Math.floor(Math.random() * all.length)];
      if (strategy === 'circular') return all[position++ % all.length];
      order ??= strategy === 'shuffle' ? shuffled(all) : all;
      return position < order.length ? order[position++] : undefined;
    },
    queue: () => withStrategy('queue'),
    random: () => withStrategy('random'),
    shuffle: () => withStrategy('shuffle'),
    circular: () => withStrategy('circular'),
  };
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

function readText(path: string | URL): string {
  return readFileSync(typeof path === 'string' ? path : fileURLToPath(path), 'utf8');
}

/** Records from a CSV file with a header row (values are strings). Relative paths are resolved from the working directory; `new URL('./users.csv', import.meta.url)` is relative to the simulation file. */
export function csv(path: string | URL, options: { separator?: string } = {}): Feeder {
  return createFeeder(`csv(${String(path)})`, () => parseCsv(readText(path), options.separator));
}

/** Records from a JSON file holding an array of objects. */
export function json(path: string | URL): Feeder {
  return createFeeder(`json(${String(path)})`, () => {
    const parsed: unknown = JSON.parse(readText(path));
    if (!Array.isArray(parsed) || parsed.some((item) => item === null || typeof item !== 'object' || Array.isArray(item))) {
      throw new Error(`json feeder ${String(path)}: the file must hold an array of objects`);
    }
    return parsed as Record<string, unknown>[];
  });
}

/** Records from an array in the simulation file. */
export function arrayFeeder(records: Record<string, unknown>[]): Feeder {
  const copy = [...records];
  return createFeeder(`arrayFeeder(${copy.length} records)`, () => copy);
}
