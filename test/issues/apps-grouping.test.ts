/**
 * Grouping with errors thrown by the real apps: the AngularJS and Angular demos (agent/demo,
 * built into dist/demo by `npm run build`, served by the collector at /demo/) in real Chromium
 * and real Firefox ESR, each under two releases, all reporting to ONE real collector. The same
 * bug must make ONE issue whose event count is the number of throws and whose detail lists
 * both releases and both browsers; the two apps' bugs must be two different issues.
 *
 * The demo pages take their release from /demo/config.js, which says `demo@1.0.0`. The second
 * release is served through a small proxy in front of the collector that rewrites that one
 * file (another origin, as a redeploy to another host would be); everything else, the agent,
 * the apps, AngularJS and the Angular bundle, are the collector's own bytes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoDistDir } from '../../collector/src/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type Driver, type Tab } from '../agent/e2e-helpers.js';
import { until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

const RELEASES = ['demo@1.0.0', 'demo@1.1.0'] as const;
const BROWSERS = ['Chromium', 'Firefox'] as const;
/** Generous: a loaded 2-core CI machine runs two browsers and chDB side by side. */
const STORED_MS = 60_000;

interface App {
  name: string;
  path: string;
  /** The button whose click handler throws the bug. */
  button: string;
  /** How the integration reports it. */
  mechanism: string;
}

const APPS: App[] = [
  // HomeController.throwInController: `cart.items` on undefined, inside the digest → $exceptionHandler.
  { name: 'AngularJS', path: '/demo/angularjs/', button: '#throw-controller', mechanism: 'angularjs' },
  // HomePage.throwInside: `order.total` on undefined in a click handler → Angular's ErrorHandler.
  { name: 'Angular', path: '/demo/angular/', button: '#throw-inside', mechanism: 'angular' },
];

let collector: TestCollector;
/** Page origin per release: the collector itself for the one /demo/config.js names, proxies for the others. */
const origins = new Map<string, string>();
const closers: Array<() => Promise<void>> = [];

/** A front for the collector on its own port whose /demo/config.js names `release`. */
async function releaseFront(release: string): Promise<string> {
  const target = new URL(collector.url);
  const server = createServer(async (req, res) => {
    try {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value == 'string' && !['host', 'connection', 'accept-encoding'].includes(name)) headers.set(name, value);
      }
      const response = await fetch(new URL(req.url!, target), { method: req.method, headers });
      let body = Buffer.from(await response.arrayBuffer());
      if (req.url!.split('?')[0] == '/demo/config.js') {
        const text = body.toString('utf8');
        const named = `"release":${JSON.stringify(RELEASES[0])}`;
        // The test checks the page's release: a config.js that changed shape fails it there.
        if (!text.includes(named)) return void res.writeHead(502).end(`/demo/config.js no longer holds ${named}: ${text}`);
        body = Buffer.from(text.replace(named, `"release":${JSON.stringify(release)}`));
      }
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
      });
      res.writeHead(response.status, out).end(body);
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const drivers = new Map<string, Driver>();

/**
 * The collector registers the Angular demo's source map for the release /demo/config.js names
 * (demo@1.0.0); the second release gets the same files uploaded, as a deploy pipeline would — so
 * both releases' frames are symbolicated alike and the same bug can be one issue.
 */
async function uploadDemoMaps(release: string): Promise<void> {
  const form = new FormData();
  for (const file of ['main.js', 'main.js.map']) {
    form.append('file', new Blob([await readFile(join(demoDistDir, 'angular', file))]), `~/demo/angular/${file}`);
  }
  const response = await fetch(`${collector.url}/api/1/releases/${encodeURIComponent(release)}/artifacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${collector.config.adminToken}` },
    body: form,
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

beforeAll(async () => {
  collector = await startTestCollector();
  await uploadDemoMaps(RELEASES[1]);
  origins.set(RELEASES[0], collector.url);
  origins.set(RELEASES[1], await releaseFront(RELEASES[1]));
  for (const name of BROWSERS) drivers.set(name, await launch(name));
}, 120_000);

afterAll(async () => {
  for (const driver of drivers.values()) await driver.close().catch(() => {});
  for (const close of closers) await close().catch(() => {});
  await collector?.stop();
});

/** An error event as GET /api/1/events returns it. */
interface StoredError {
  event_id: string;
  kind: 'error';
  type: string;
  message: string;
  url: string;
  release?: string;
  mechanism?: string;
  issue_id?: string;
  browser?: { name: string; version?: string };
  frames?: { function?: string; file?: string; line?: number; column?: number }[];
}

async function storedErrors(): Promise<StoredError[]> {
  await collector.processor.drain();
  const { events } = await collector.api<{ events: StoredError[] }>('/api/1/events?kind=error&since=0&limit=1000');
  return events;
}

/** Opens `app` under `release` in `browser`, clicks its bug once, and waits until the collector stored it. */
async function throwOnce(app: App, browser: Driver, release: string): Promise<StoredError> {
  const before = new Set((await storedErrors()).map((e) => e.event_id));
  const origin = origins.get(release)!;
  const tab: Tab = await browser.newTab();
  try {
    await tab.goto(`${origin}${app.path}`);
    const selector = JSON.stringify(app.button);
    await until(() => tab.evaluate<boolean>(`!!document.querySelector(${selector}) && !!window.Lookout`), `${app.name}'s ${app.button} in ${browser.name}`, STORED_MS);
    expect(await tab.evaluate<string>('window.LOOKOUT_DEMO.release')).toBe(release);
    await tab.click(app.button);
    const isOurs = (e: StoredError) => !before.has(e.event_id) && e.url.startsWith(origin + app.path) && e.release == release;
    return await until(
      async () => {
        await tab.evaluate('Lookout.flush()');
        return (await storedErrors()).find(isOurs);
      },
      `the ${app.name} error from ${browser.name} (${release})`,
      STORED_MS,
    );
  } finally {
    await tab.close().catch(() => {});
  }
}

/** Each app's issue, as the list returned it. */
const issueOf = new Map<string, any>();

for (const app of APPS)
  describe(`${app.name} demo`, () => {
    it(`${app.name}: the same bug in Chromium and Firefox, in two releases, is one issue`, { timeout: 300_000 }, async () => {
      const events: StoredError[] = [];
      for (const release of RELEASES) {
        for (const name of BROWSERS) events.push(await throwOnce(app, drivers.get(name)!, release));
      }
      // Each throw is stored once (a twin from the integration and window.onerror would have
      // gone out in the same flush), and no other error came from the app.
      const all = (await storedErrors()).filter((e) => e.url.includes(app.path));
      expect(all.map((e) => e.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
      for (const event of events) expect(event).toMatchObject({ type: 'TypeError', mechanism: app.mechanism });

      const issueIds = [...new Set(events.map((e) => e.issue_id))];
      if (issueIds.length != 1) await explainSplit(app, events, issueIds);
      expect(issueIds, `${app.name}: one issue for all ${events.length} throws`).toHaveLength(1);
      const [issueId] = issueIds as string[];

      // The list: the issue that the first throw opened carries its title, and counts every throw.
      const title = `TypeError: ${events[0].message}`;
      const listed = (await collector.api<{ issues: any[] }>('/api/1/issues?since=0')).issues;
      const byTitle = listed.filter((issue) => issue.title == title);
      expect(byTitle.map((issue) => issue.id), `issues titled ${title}`).toEqual([issueId]);
      const [issue] = byTitle;
      // No other issue holds any of these throws (Firefox words the message differently).
      for (const event of events.slice(1)) {
        if (`TypeError: ${event.message}` != title) expect(listed.filter((i) => i.title == `TypeError: ${event.message}`)).toEqual([]);
      }
      expect(issue).toMatchObject({ events: events.length, status: 'unresolved', first_release: RELEASES[0], type: 'TypeError' });
      expect(issue.grouping.kind).toBe('stack');
      const raw = events.map((e) => `  ${e.browser?.name} ${e.release}: ${(e.frames ?? []).map((f) => `${f.function ?? '?'}@${f.file?.split('/').pop()}`).join(' < ')}`);
      console.log(`${app.name}: the frames each browser sent\n${raw.join('\n')}`);
      console.log(`${app.name}: issue ${issueId} "${issue.title}", culprit "${issue.culprit}", grouping parts:\n  ${issue.grouping.parts.join('\n  ')}`);

      // The detail: both releases, both browsers, each with its share of the throws.
      const detail = await collector.api(`/api/1/issues/${issueId}`);
      expect(detail.issue).toMatchObject({ id: issueId, events: events.length });
      const releases = detail.issue.releases.map((r: any) => [r.release, r.events]).sort();
      expect(releases).toEqual(RELEASES.map((release) => [release, BROWSERS.length]));
      const browsers: { value: string; events: number }[] = detail.breakdowns.browsers;
      console.log(`${app.name}: browsers ${JSON.stringify(browsers)}, releases ${JSON.stringify(releases)}`);
      expect(browsers).toHaveLength(BROWSERS.length);
      expect(browsers.find((b) => /^Chrom/.test(b.value))?.events, JSON.stringify(browsers)).toBe(RELEASES.length);
      expect(browsers.find((b) => /^Firefox/.test(b.value))?.events, JSON.stringify(browsers)).toBe(RELEASES.length);
      issueOf.set(app.name, issue);
    });
  });

it('the two apps\' bugs are two different issues, and nothing else was opened', async () => {
  const [angularJs, angular] = APPS.map((app) => issueOf.get(app.name));
  expect(angularJs, 'the AngularJS issue').toBeDefined();
  expect(angular, 'the Angular issue').toBeDefined();
  expect(angularJs.id).not.toBe(angular.id);
  expect(angularJs.grouping.parts).not.toEqual(angular.grouping.parts);
  const listed = (await collector.api<{ issues: any[] }>('/api/1/issues?since=0')).issues;
  expect(listed.map((issue) => issue.id).sort()).toEqual([angularJs.id, angular.id].sort());
});

/** Prints what each event's frames were and how each issue grouped them, for the failure report. */
async function explainSplit(app: App, events: StoredError[], issueIds: (string | undefined)[]): Promise<void> {
  for (const event of events) {
    console.log(`${app.name} ${event.browser?.name} ${event.release} → issue ${event.issue_id}: ${event.message}`);
    console.log(JSON.stringify(event.frames, null, 1));
  }
  for (const id of issueIds) {
    if (!id) continue;
    const { issue } = await collector.api(`/api/1/issues/${id}`);
    console.log(`${app.name} issue ${id} grouping:`, issue.grouping);
    const { events: stored } = await collector.api(`/api/1/issues/${id}/events`);
    for (const event of stored) console.log(`  ${event.browser?.name}: ${JSON.stringify(event.symbolicated_frames ?? event.frames)}`);
  }
}
