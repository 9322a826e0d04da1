import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../collector/src/store/embedded.js';
import { describeStoreContract } from './store-contract.js';

const temporaryDir = (purpose: string) => mkdtemp(join(tmpdir(), `lookout-${purpose}-`));

describeStoreContract('embedded', async () => {
  const dataDir = await temporaryDir('embedded-store');
  const store = await openEmbeddedStore({ dataDir, database: 'lookout_test' });
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describe('embedded store, beyond the contract', () => {
  it('refuses a second data directory in the same process, saying why', async () => {
    const [first, second] = [await temporaryDir('embedded-first'), await temporaryDir('embedded-second')];
    const open = await openEmbeddedStore({ dataDir: first, database: 'lookout_test' });
    try {
      await expect(openEmbeddedStore({ dataDir: second, database: 'lookout_test' })).rejects.toThrow(
        /Cannot open the embedded ClickHouse store at .*clickhouse: .*one active data directory per process.*close the other one, or use --clickhouse-url/s,
      );
    } finally {
      await open.close();
      await rm(first, { recursive: true, force: true });
      await rm(second, { recursive: true, force: true });
    }
  });

  it('refuses a database name that would have to be spliced into SQL unchecked', async () => {
    await expect(openEmbeddedStore({ dataDir: tmpdir(), database: 'lookout; DROP DATABASE system' })).rejects.toThrow(
      /Database name .* is not usable/,
    );
  });
});
