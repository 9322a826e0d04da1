/**
 * Opens the store the collector writes to: the embedded engine unless a ClickHouse
 * server is configured, and brings its schema up to date before anything uses it.
 */
import { openEmbeddedStore } from './embedded.js';
import { migrate } from './migrations.js';
import { openServerStore, type ServerStoreOptions } from './server.js';
import type { Store } from './types.js';
import { checkServerVersion } from './version.js';

export { StoreError, type InsertOptions, type QueryParams, type Store } from './types.js';
export type { ServerStoreOptions } from './server.js';

export interface OpenStoreOptions {
  /** Lookout's data folder; the embedded engine keeps its files in `<dataDir>/clickhouse`. */
  dataDir: string;
  /** Database used by the embedded engine. Default `lookout`. */
  embeddedDatabase?: string;
  /**
   * A ClickHouse server (`--clickhouse-url` and friends). When given, the embedded engine
   * is not opened; the server must be ClickHouse 23.8 or newer.
   */
  server?: ServerStoreOptions;
  /** Default for rows written without `retention_days` (see SchemaOptions). Default 30. */
  retentionDays?: number;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const server = options.server;
  let store: Store;
  if (server) {
    await checkServerVersion(server.url, { username: server.username, password: server.password });
    store = await openServerStore(server);
  } else {
    store = await openEmbeddedStore({ dataDir: options.dataDir, database: options.embeddedDatabase ?? 'lookout' });
  }
  try {
    await migrate(store, { cluster: server?.cluster, retentionDays: options.retentionDays ?? 30 });
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
