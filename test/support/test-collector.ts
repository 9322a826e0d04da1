/** A real collector on a temporary data folder and a free port, for tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type RunningCollector } from '../../collector/src/collector.js';
import { defaultConfig, type CollectorConfig } from '../../collector/src/config/config.js';

export interface TestCollector extends RunningCollector {
  dataDir: string;
  config: CollectorConfig;
  ingestKey: string;
  /** POST a batch to the default project's ingest route. */
  ingest(body: unknown, init?: { headers?: Record<string, string>; projectId?: number }): Promise<Response>;
  /** GET an API path with the admin token; throws on non-2xx unless `raw`. */
  api<T = any>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startTestCollector(
  adjust: (config: CollectorConfig) => void = () => {},
  /** agentDistDir: where lookout.min.js is served from (default dist/agent/, built by `npm run build`). */
  options: { logStream?: NodeJS.WritableStream; agentDistDir?: string } = {},
): Promise<TestCollector> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lookout-test-'));
  const config = defaultConfig();
  config.dataDir = dataDir;
  config.port = 0;
  config.adminToken = 'test-admin-token';
  config.logLevel = 'warn';
  config.processor.flushIntervalMs = 100;
  adjust(config);
  const collector = await startCollector(config, {
    logger: options.logStream ? { stream: options.logStream } : false,
    agentDistDir: options.agentDistDir,
  });
  const ingestKey = collector.defaultProject!.ingestKey;
  return Object.assign(collector, {
    dataDir,
    config,
    ingestKey,
    ingest: (body: unknown, init: { headers?: Record<string, string>; projectId?: number } = {}) =>
      fetch(`${collector.url}${config.ingestPrefix}/${init.projectId ?? 1}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-lookout-key': ingestKey, ...init.headers },
        body: typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
      }),
    async api(path: string) {
      const response = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${config.adminToken}` } });
      if (!response.ok) throw new Error(`GET ${path} → ${response.status}: ${await response.text()}`);
      return response.json();
    },
    async stop() {
      await collector.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
