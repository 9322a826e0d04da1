/**
 * Shared pieces of the agent's end-to-end tests (e2e-*.test.ts): the agent built from source,
 * a real collector serving it, pages on another origin, one small interface over Chromium
 * (playwright-core) and Firefox (puppeteer-core over WebDriver BiDi), and reads of what the
 * collector stored.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rollup } from 'rollup';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, launchFirefox } from '../support/browsers.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
// @ts-expect-error -- the rollup config is plain JavaScript without types
import { agentIife } from '../../rollup.config.mjs';

/**
 * A collector that serves lookout.min.js built from the sources now, not whatever an earlier
 * `npm run build` left in dist/: a test of the agent must test the agent as it is.
 */
export async function startCollectorWithFreshAgent(adjust?: Parameters<typeof startTestCollector>[0]): Promise<TestCollector> {
  const dir = await mkdtemp(join(tmpdir(), 'lookout-agent-'));
  const bundle = await rollup({ ...agentIife, onwarn: () => {} });
  const { output } = await bundle.generate(agentIife.output);
  await bundle.close();
  await writeFile(join(dir, 'lookout.min.js'), output[0].code);
  const collector = await startTestCollector(adjust, { agentDistDir: dir });
  const stop = collector.stop;
  collector.stop = async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  };
  return collector;
}

/** The collector's `?key=`/DSN user part and project 1, as a page would paste it. */
export const dsnFor = (origin: string, ingestKey: string): string => origin.replace('//', `//${ingestKey}@`) + '/1';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** A node:http server on 127.0.0.1 and a free port: another origin than the collector's. */
export async function serve(handler: Handler): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res, new URL(req.url!, 'http://127.0.0.1'))).catch((error) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const html = (res: ServerResponse, body: string): void => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);

export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** One tab, whichever browser drives it. `evaluate` takes an expression; promises are awaited. */
export interface Tab {
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** A real (trusted) mouse click in the middle of the element: it counts as an interaction. */
  click(selector: string): Promise<void>;
  close(): Promise<void>;
}

/** A fresh profile (storage, cache) per `newTab`, so tests do not see each other's retry queues. */
export interface Driver {
  name: 'Chromium' | 'Firefox';
  newTab(): Promise<Tab>;
  /** Chromium only: the browser's own offline emulation (navigator.onLine turns false). */
  setOffline?(offline: boolean): Promise<void>;
  /** Closes every tab opened so far (with its profile). */
  closeTabs(): Promise<void>;
  close(): Promise<void>;
}

export async function launch(name: Driver['name']): Promise<Driver> {
  if (name == 'Chromium') {
    const browser = await launchChromium();
    let contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    return {
      name,
      async newTab() {
        const context = await browser.newContext();
        contexts.push(context);
        const page = await context.newPage();
        return {
          goto: async (url) => void (await page.goto(url)),
          reload: async () => void (await page.reload()),
          evaluate: (expression) => page.evaluate(expression),
          click: (selector) => page.click(selector),
          close: () => context.close(),
        };
      },
      setOffline: async (offline) => {
        for (const context of contexts) await context.setOffline(offline);
      },
      async closeTabs() {
        await Promise.all(contexts.splice(0).map((context) => context.close()));
      },
      close: () => browser.close(),
    };
  }
  const browser = await launchFirefox();
  const contexts: Awaited<ReturnType<typeof browser.createBrowserContext>>[] = [];
  return {
    name,
    async newTab() {
      const context = await browser.createBrowserContext();
      contexts.push(context);
      const page = await context.newPage();
      return {
        goto: async (url) => void (await page.goto(url)),
        reload: async () => void (await page.reload()),
        evaluate: <T,>(expression: string) => page.evaluate(expression) as Promise<T>,
        click: (selector) => page.click(selector),
        close: () => context.close(),
      };
    },
    async closeTabs() {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    },
    close: () => browser.close(),
  };
}

/**
 * Launches the browser before the tests of the enclosing `describe` and closes it after them;
 * the tests read `.driver`.
 */
export function useBrowser(name: Driver['name']): { readonly driver: Driver } {
  const session = {} as { driver: Driver };
  beforeAll(async () => {
    session.driver = await launch(name);
  }, 60_000);
  afterAll(async () => {
    await session.driver?.close();
  });
  return session;
}

export { storedEvents, until, type StoredEvent } from '../support/stored-events.js';
