/** The collector serves the built agent with an integrity hash that matches, and caching that stays true. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBanner } from '../../collector/src/banner.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector?.stop();
});

it('prints a snippet whose versioned script URL and integrity match what /lookout.js serves', async () => {
  const banner = startBanner(collector, collector.config);
  const [, src, integrity] = banner.match(/<script src="([^"]+)" integrity="([^"]+)" crossorigin="anonymous"><\/script>/) ?? [];
  expect(src, 'npm test builds the agent first, so the snippet has an integrity hash').toMatch(/\/lookout\.js\?v=[0-9a-f]{12}$/);
  expect(banner).toContain(`Lookout.init({ dsn: 'http://${collector.ingestKey}@127.0.0.1:`);

  const pinned = await fetch(src);
  expect(pinned.status).toBe(200);
  const body = Buffer.from(await pinned.arrayBuffer());
  expect(`sha384-${createHash('sha384').update(body).digest('base64')}`).toBe(integrity);
  expect(pinned.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect(pinned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(pinned.headers.get('access-control-allow-origin')).toBe('*');

  const bare = await fetch(`${collector.url}/lookout.js`);
  expect(bare.headers.get('cache-control')).toMatch(/max-age=3600/);
  const revalidated = await fetch(`${collector.url}/lookout.js`, { headers: { 'if-none-match': bare.headers.get('etag')! } });
  expect(revalidated.status).toBe(304);
});
