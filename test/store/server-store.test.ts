/**
 * The server backend over real HTTP with the real @clickhouse/client: against
 * CLICKHOUSE_URL when set (CLICKHOUSE_USER / CLICKHOUSE_PASSWORD), else against the
 * test-only ClickHouse HTTP front (chDB) in a child process. Outages are always
 * simulated with a front, since a real server cannot be told to go down.
 */
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../collector/src/store/index.js';
import { openServerStore, type ServerStoreOptions } from '../../collector/src/store/server.js';
import { StoreError, type Store } from '../../collector/src/store/types.js';
import { checkServerVersion } from '../../collector/src/store/version.js';
import { spawnClickHouseHttpFront, type ClickHouseHttpFront } from '../support/clickhouse-http-front.js';
import { describeStoreContract, TABLES } from './store-contract.js';

const FRONT_CREDENTIALS = { username: 'lookout', password: 'front-secret' };

let front: ClickHouseHttpFront;
let frontDataDir: string;

beforeAll(async () => {
  frontDataDir = await mkdtemp(join(tmpdir(), 'lookout-clickhouse-front-'));
  front = await spawnClickHouseHttpFront({ dataDir: frontDataDir, credentials: FRONT_CREDENTIALS });
}, 60_000);

afterAll(async () => {
  await front?.close();
  await rm(frontDataDir, { recursive: true, force: true });
}, 30_000);

/** A database of its own per run, so a shared CLICKHOUSE_URL is left as it was found. */
const scratchDatabase = () => `lookout_test_${randomBytes(4).toString('hex')}`;

function contractServer(): Omit<ServerStoreOptions, 'database'> {
  const url = process.env.CLICKHOUSE_URL;
  if (url) return { url, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '' };
  return { url: front.url, ...FRONT_CREDENTIALS };
}

async function dropDatabase(store: Store): Promise<void> {
  await store.exec(`DROP DATABASE IF EXISTS ${store.database}`);
  await store.close();
}

describeStoreContract('server', async () => {
  const store = await openServerStore({ ...contractServer(), database: scratchDatabase() });
  return { store, cleanup: () => dropDatabase(store) };
});

describe('server store, beyond the contract', () => {
  it('opens through openStore: version check, then the schema', async () => {
    const database = scratchDatabase();
    const store = await openStore({ dataDir: '/nonexistent-on-purpose', server: { ...contractServer(), database } });
    try {
      expect(store.backend).toBe('server');
      const [row] = await store.query<{ n: string }>('SELECT count() AS n FROM system.tables WHERE database = {database:String}', {
        database,
      });
      expect(row.n).toBe(String(TABLES.length));
      // A second collector starting on the same database finds everything in place.
      const again = await openStore({ dataDir: '/nonexistent-on-purpose', server: { ...contractServer(), database } });
      await again.close();
    } finally {
      await dropDatabase(store);
    }
  });

  it('asks for a retry while the server answers 503, and works again once it is back', async () => {
    const store = await openServerStore({ url: front.url, ...FRONT_CREDENTIALS, database: scratchDatabase() });
    try {
      await front.setDown(true, 'http-503');
      const during = await store.query('SELECT 1').catch((caught: unknown) => caught);
      const insertDuring = await store.insert('some_table', [{ a: 1 }]).catch((caught: unknown) => caught);
      const pingDuring = await store.ping().catch((caught: unknown) => caught);
      await front.setDown(false);

      for (const failure of [during, insertDuring, pingDuring]) {
        expect(failure).toBeInstanceOf(StoreError);
        expect((failure as StoreError).retryable).toBe(true);
        expect((failure as StoreError).message).toMatch(/Service Unavailable/);
        expect((failure as StoreError).message).toContain(front.url);
      }
      expect(await store.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await front.setDown(false);
      await dropDatabase(store);
    }
  });

  it('asks for a retry while connections are refused, and works again once it is back', async () => {
    const store = await openServerStore({ url: front.url, ...FRONT_CREDENTIALS, database: scratchDatabase() });
    try {
      await store.query('SELECT 1'); // leaves a kept-alive socket that the outage must also cut
      await front.setDown(true, 'refuse');
      const during = await store.query('SELECT 1').catch((caught: unknown) => caught);
      await front.setDown(false);

      expect(during).toBeInstanceOf(StoreError);
      expect((during as StoreError).retryable).toBe(true);
      expect((during as StoreError).message).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
      expect(await store.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await front.setDown(false);
      await dropDatabase(store);
    }
  });

  it('refuses to open against a server that is down, asking for a retry', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await openServerStore({ url, database: 'lookout', requestTimeoutMs: 2_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).retryable).toBe(true);
    expect((error as StoreError).message).toMatch(/ECONNREFUSED.*check that the server is running/);

    const versionError = await checkServerVersion(url).catch((caught: unknown) => caught);
    expect((versionError as StoreError).retryable).toBe(true);
    expect((versionError as StoreError).message).toBe(
      `Cannot reach ClickHouse at ${url} (ECONNREFUSED). Check that the server is running and that --clickhouse-url is right.`,
    );
  });

  it('names the credentials when the login is refused, without asking for a retry', async () => {
    const wrong = { url: front.url, username: 'lookout', password: 'wrong', database: 'lookout' };
    const error = await openServerStore(wrong).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).retryable).toBe(false);
    expect((error as StoreError).message).toMatch(/Authentication failed.*Check --clickhouse-user and --clickhouse-password/);

    const versionError = await checkServerVersion(front.url, wrong).catch((caught: unknown) => caught);
    expect((versionError as StoreError).retryable).toBe(false);
    expect((versionError as StoreError).message).toMatch(/HTTP 401.*Check --clickhouse-user and --clickhouse-password/);
  });

  it('reads the version of a supported server', async () => {
    await expect(checkServerVersion(front.url, FRONT_CREDENTIALS)).resolves.toMatch(/^\d+\.\d+\./);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
