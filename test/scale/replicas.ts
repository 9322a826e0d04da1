/**
 * Collector replicas for the scale tests: each a real child process (serve-child.ts, from source,
 * so a test can shorten the alert minute) on its own data folder (its own spool), all pointed at
 * one ClickHouse with the same admin token. Restart one by spawning it again on its data folder.
 */
import { fileURLToPath } from 'node:url';
import { spawnCollector, type ChildCollector } from '../support/child-collector.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const script = fileURLToPath(new URL('./serve-child.ts', import.meta.url));

export interface Replica extends ChildCollector {
  name: string;
  dataDir: string;
}

export async function spawnReplica(name: string, dataDir: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Replica> {
  const collector = await spawnCollector(['--data', dataDir, ...args], env, timeoutMs, { entry: ['--import', 'tsx', script], cwd: repositoryRoot }).catch((error: Error) => {
    throw new Error(`replica ${name}: ${error.message}`);
  });
  return Object.assign(collector, { name, dataDir });
}
