/**
 * A real old ClickHouse must be refused with a message naming its version. Debian's
 * `clickhouse-server` package is 18.16 (CI installs it); the test starts it as its own
 * process on a free loopback port with its own config and data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../collector/src/store/index.js';
import { StoreError } from '../../collector/src/store/types.js';
import { checkServerVersion, isSupportedClickHouseVersion } from '../../collector/src/store/version.js';
import { freePort } from '../support/ports.js';

let server: ChildProcess | undefined;
let workDir: string;
let url: string;
let logFile: string;

beforeAll(async () => {
  const binary = findClickHouseServer();
  workDir = await mkdtemp(join(tmpdir(), 'lookout-old-clickhouse-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  await writeConfig(workDir, port);
  logFile = join(workDir, 'server.log');
  const log = openSync(logFile, 'a');
  server = spawn(binary, [`--config-file=${join(workDir, 'config.xml')}`], { cwd: workDir, stdio: ['ignore', log, log] });
  await waitUntilServing(server, url);
}, 60_000);

afterAll(async () => {
  await stop(server);
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 30_000);

describe('an old ClickHouse server', () => {
  it('is really older than Lookout supports (else this test proves nothing)', async () => {
    const version = (await (await fetch(`${url}/?query=SELECT%20version()`)).text()).trim();
    expect(isSupportedClickHouseVersion(version), `found ${version}`).toBe(false);
  });

  it('is refused by the version check, naming its version, the minimum and what to do', async () => {
    const error = await checkServerVersion(url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).retryable).toBe(false);
    expect((error as StoreError).message).toMatch(
      new RegExp(
        `^ClickHouse at ${url.replace(/\./g, '\\.')} is version 18\\.16\\.\\d+; Lookout needs 23\\.8 or newer\\. ` +
          'Upgrade the server, or drop --clickhouse-url to use the embedded store\\.$',
      ),
    );
  });

  it('is refused by openStore before anything else talks to it', async () => {
    const error = await openStore({
      dataDir: workDir,
      server: { url, username: 'default', password: '', database: 'lookout' },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/is version 18\.16\.\d+; Lookout needs 23\.8 or newer/);
    // Nothing was created on the old server.
    const databases = await (await fetch(`${url}/?query=SHOW%20DATABASES`)).text();
    expect(databases.split('\n')).not.toContain('lookout');
  });
});

function findClickHouseServer(): string {
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin'];
  for (const directory of directories) {
    const candidate = join(directory, 'clickhouse-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(
    'clickhouse-server is not installed. This test needs an old ClickHouse to check that Lookout refuses it: ' +
      "install Debian's package with `sudo apt-get install -y clickhouse-server` (version 18.16; CI installs it).",
  );
}

async function writeConfig(dir: string, port: number): Promise<void> {
  const data = join(dir, 'data');
  await mkdir(data, { recursive: true });
  // 18.16 reads <yandex> as the root element; only the HTTP port is opened.
  await writeFile(
    join(dir, 'config.xml'),
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${port}</http_port>
  <path>${data}/</path>
  <tmp_path>${data}/tmp/</tmp_path>
  <user_files_path>${data}/user_files/</user_files_path>
  <format_schema_path>${data}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
</yandex>
`,
  );
  await writeFile(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
}

async function waitUntilServing(child: ChildProcess, serverUrl: string): Promise<void> {
  let exitCode: number | null | undefined;
  child.once('exit', (code) => (exitCode = code));
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) break;
    try {
      if ((await fetch(`${serverUrl}/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const log = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
  throw new Error(`clickhouse-server did not start serving ${serverUrl} (exit code ${exitCode ?? 'none'}). Its log:\n${log}`);
}

/** SIGKILL: a graceful stop waits for idle keep-alive connections, and the data is thrown away anyway. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

