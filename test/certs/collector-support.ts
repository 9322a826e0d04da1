/** Shared by the collector-side certificate tests: a private CA, a TLS server whose certificate can be swapped, API calls. */
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { TestCollector } from '../support/test-collector.js';
import type { Issued } from './pki.js';

export interface SwappableServer {
  port: number;
  /** Presents `leaf` (with `chain` after it) to the next connections. */
  present(leaf: Issued, chain?: Issued[]): void;
  close(): Promise<void>;
}

/** A Node TLS server on 127.0.0.1 whose certificate can be replaced between two checks. */
export async function startSwappableServer(leaf: Issued, chain: Issued[] = []): Promise<SwappableServer> {
  const context = (l: Issued, c: Issued[]) => ({ key: l.key, cert: l.cert + c.map((x) => x.cert).join('') });
  const server: Server = createServer(context(leaf, chain), (socket) => socket.end());
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    present(next, nextChain = []) {
      server.setSecureContext(context(next, nextChain));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An API call with the admin token (or `token`), answering status and JSON. */
export async function call(collector: TestCollector, method: string, path: string, body?: unknown, token = collector.config.adminToken): Promise<{ status: number; json: any }> {
  const response = await fetch(`${collector.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** Polls until `probe` answers something truthy. */
export async function until<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, what = 'the condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
