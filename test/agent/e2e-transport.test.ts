/**
 * End to end, the transport under bad conditions, in headless Chromium and Firefox ESR: a
 * collector that cannot be reached (then can again, across a reload) and a collector that
 * answers 429 with Retry-After. A small proxy sits between the page and the real collector:
 * it plays the outage and the 429, and logs when each ingest request arrived and with which
 * events, so that "nothing sent early" and "nothing sent twice" are checked where requests
 * land, and "nothing lost" in what the collector stored.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Batch, ErrorEvent } from '../../protocol/wire.js';
import type { TestCollector } from '../support/test-collector.js';
import { dsnFor, html, readBody, serve, startCollectorWithFreshAgent, storedEvents, until, type StoredEvent, type Tab, useBrowser } from './e2e-helpers.js';

interface Arrival {
  at: number;
  /** 0: the proxy cut the connection (collector unreachable). */
  status: number;
  batch: Batch;
}

let collector: TestCollector;
let proxy: Awaited<ReturnType<typeof serve>>;
let pages: Awaited<ReturnType<typeof serve>>;
let reachable = true;
/** When set, the next ingest request is answered 429 with this Retry-After (seconds). */
let tooManyRequests: number | undefined;
const arrivals: Arrival[] = [];

const messagesOf = (arrival: Arrival) => arrival.batch.events.filter((e): e is ErrorEvent => e.kind == 'error').map((e) => e.message);
/** Ingest requests that carried an error whose message starts with `prefix`. */
const arrivalsOf = (prefix: string) => arrivals.filter((a) => messagesOf(a).some((m) => m.startsWith(prefix)));

beforeAll(async () => {
  collector = await startCollectorWithFreshAgent();
  const upstream = new URL(collector.url);
  proxy = await serve(async (req, res, url) => {
    const body = await readBody(req);
    if (req.method == 'POST' && url.pathname.endsWith('/ingest')) {
      const arrival: Arrival = { at: Date.now(), status: 0, batch: JSON.parse(body.toString()) };
      arrivals.push(arrival);
      if (!reachable) return void req.socket.destroy();
      if (tooManyRequests) {
        arrival.status = 429;
        res
          .writeHead(429, {
            'retry-after': String(tooManyRequests),
            'access-control-allow-origin': req.headers.origin ?? '*',
            'access-control-expose-headers': 'Retry-After',
            'content-type': 'application/json',
          })
          .end('{"statusCode":429,"error":"Too Many Requests","message":"slow down"}');
        tooManyRequests = undefined;
        return;
      }
      res.on('finish', () => (arrival.status = res.statusCode));
    }
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    forward.end(body);
  });
  const dsn = dsnFor(proxy.origin, collector.ingestKey);
  pages = await serve((_req, res, url) =>
    url.pathname == '/blank'
      ? html(res, '<!doctype html><p>bye</p>')
      : html(
          res,
          `<!doctype html><html><head><script src="${proxy.origin}/lookout.js" crossorigin="anonymous"></script>` +
            `<script>Lookout.init({ dsn: '${dsn}' });</script></head><body><h1>Transport</h1></body></html>`,
        ),
  );
}, 60_000);

afterAll(async () => {
  await pages?.close();
  await proxy?.close();
  await collector?.stop();
});

/** Messages of the errors in the agent's localStorage retry queue (the page load and vitals wait there too). */
const retryQueue = (tab: Tab) =>
  tab.evaluate<string[]>(
    `JSON.parse(localStorage.getItem('lookout.retry') || '[]').filter(function (e) { return e.kind == 'error'; }).map(function (e) { return e.message; })`,
  );
const capture = (tab: Tab, message: string) => tab.evaluate(`Lookout.captureException(new Error(${JSON.stringify(message)}))`);

/** Stored errors whose message starts with `prefix`, by message. */
async function storedMessages(prefix: string): Promise<string[]> {
  return (await storedEvents(collector))
    .filter((e): e is ErrorEvent & StoredEvent => e.kind == 'error' && e.message.startsWith(prefix))
    .map((e) => e.message)
    .sort();
}

/** Every event of these requests reached the collector in exactly one accepted request. */
function expectEachAcceptedOnce(prefix: string, expected: string[]) {
  const accepted = arrivalsOf(prefix).filter((a) => a.status == 202);
  const ids = accepted.flatMap((a) => a.batch.events.map((e) => e.event_id));
  expect(new Set(ids).size, 'an event was accepted twice').toBe(ids.length);
  expect(accepted.flatMap(messagesOf).filter((m) => m.startsWith(prefix)).sort()).toEqual(expected);
  for (const arrival of accepted) expect(arrival.batch.sdk).toMatchObject({ failures: 0, dropped: 0 });
}

for (const name of ['Chromium', 'Firefox'] as const) {
  describe(`in ${name}`, () => {
    const browserSession = useBrowser(name);
    /** Tabs a failed test left open would keep retrying into the next test's logs. */
    afterEach(async () => {
      await browserSession.driver?.closeTabs();
    });

    it('keeps what it captured while the collector was unreachable, across a reload, and stores it once back', { timeout: 40_000 }, async () => {
      const run = `${name} outage:`;
      const tab = await browserSession.driver.newTab();
      await tab.goto(`${pages.origin}/app`);
      reachable = false;
      try {
        await capture(tab, `${run} 1`);
        // Settles once the send failed and the events are in the retry queue.
        await tab.evaluate('Lookout.flush()');
        expect(await retryQueue(tab)).toEqual([`${run} 1`]);
        await capture(tab, `${run} 2`);
        // Leaving the page while the agent is backing off keeps the queue for the next page.
        await tab.reload();
        await capture(tab, `${run} 3`);
        // The new page tried the kept events with its first batch (≤ 5 s: not at init, which
        // leaves Web Storage alone), failed, and kept them again.
        await until(
          async () => {
            const kept = await retryQueue(tab);
            return kept.includes(`${run} 1`) && kept.includes(`${run} 2`) && arrivalsOf(`${run} 2`).length > 0;
          },
          'the kept events after the reload',
        );
        expect(arrivalsOf(run).every((a) => a.status == 0)).toBe(true);
        expect(await storedMessages(run)).toEqual([]);
      } finally {
        reachable = true;
      }

      const expected = [1, 2, 3].map((n) => `${run} ${n}`);
      // Back online: the backoff timer (≤ 2 s here) sends everything, without help from the page.
      await until(async () => (await storedMessages(run)).length >= 3, 'the events once the collector is back', 15_000, () => arrivalsOf(run).map((a) => [a.status, messagesOf(a)]));
      expect(await storedMessages(run)).toEqual(expected);
      await until(async () => (await retryQueue(tab)).length == 0, 'an empty retry queue');
      expectEachAcceptedOnce(run, expected);
    });

    it('waits for Retry-After after a 429, then stores everything once', { timeout: 40_000 }, async () => {
      const run = `${name} 429:`;
      const tab = await browserSession.driver.newTab();
      await tab.goto(`${pages.origin}/app`);
      await capture(tab, `${run} before`);
      await tab.evaluate('Lookout.flush()');
      expect(arrivalsOf(`${run} before`).map((a) => a.status)).toEqual([202]);

      // Longer than the first backoff step (≤ 1 s): an agent that ignored it would come back early.
      const retryAfterSeconds = 3;
      tooManyRequests = retryAfterSeconds;
      await capture(tab, `${run} 1`);
      await tab.evaluate('Lookout.flush()');
      const session = arrivalsOf(`${run} before`)[0].batch.events[0].session_id;
      const refused = arrivalsOf(`${run} 1`);
      expect(refused.map((a) => a.status)).toEqual([429]);
      const pausedUntil = refused[0].at + retryAfterSeconds * 1000;

      // During the pause the page keeps capturing and asking to flush: nothing may go out.
      await capture(tab, `${run} 2`);
      const next = await until(
        async () => {
          await tab.evaluate('Lookout.flush()');
          return arrivals.find((a) => a.at > refused[0].at && a.batch.events.some((e) => e.session_id == session));
        },
        'the first request after the pause',
        10_000,
      );
      expect(next.at, 'sent before Retry-After had elapsed').toBeGreaterThanOrEqual(pausedUntil);
      expect(next.at - pausedUntil, 'resumed promptly once the pause was over').toBeLessThan(1500);
      expect(messagesOf(next).sort()).toEqual([`${run} 1`, `${run} 2`]);

      const expected = [`${run} 1`, `${run} 2`, `${run} before`];
      await until(async () => (await storedMessages(run)).length >= 3, 'the events after the pause');
      expect(await storedMessages(run)).toEqual(expected);
      expectEachAcceptedOnce(run, expected);
      expect(await retryQueue(tab)).toEqual([]);
    });

    if (name == 'Chromium')
      it("keeps what it captured while the browser was offline (Chromium's offline emulation) and sends it on the next page", { timeout: 40_000 }, async () => {
        const run = `${name} offline emulation:`;
        const tab = await browserSession.driver.newTab();
        await tab.goto(`${pages.origin}/app`);
        await browserSession.driver.setOffline!(true);
        try {
          expect(await tab.evaluate('navigator.onLine')).toBe(false);
          await capture(tab, `${run} 1`);
          await tab.evaluate('Lookout.flush()');
          expect(await retryQueue(tab)).toEqual([`${run} 1`]);
          await capture(tab, `${run} 2`);
          // Offline, leaving the page cannot load the next one; pagehide keeps the queue all the same.
          await tab.goto(`${pages.origin}/blank`).catch(() => {});
        } finally {
          await browserSession.driver.setOffline!(false);
        }
        await tab.goto(`${pages.origin}/app`);
        const expected = [`${run} 1`, `${run} 2`];
        await until(async () => (await storedMessages(run)).length >= 2, 'the events kept while offline');
        expect(await storedMessages(run)).toEqual(expected);
        expect(arrivalsOf(run).every((a) => a.status == 202)).toBe(true);
        expectEachAcceptedOnce(run, expected);
        });
  });
}
