/**
 * Debug IDs in real browsers (Chromium through playwright-core, Firefox ESR through puppeteer-core
 * over WebDriver BiDi): a page with the built lookout.min.js and two bundles that end with the
 * registration `lookout sourcemaps inject` appends (protocol/debug-id.ts), loaded after the agent;
 * one of them throws on a click. The error event the agent sends must map exactly that bundle's
 * frame file (scrubbed as sent) to its debug ID: the registration's key, found in its own stack,
 * is the agent's parsed frame file in both engines. The events must pass the collector's schema.
 */
import type { ServerResponse } from 'node:http';
import { rollup } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventValidator } from '../../collector/src/ingest/validate-event.js';
import { DEBUG_IDS_GLOBAL, debugIdRegistration } from '../../protocol/debug-id.js';
import type { Batch, ErrorEvent } from '../../protocol/wire.js';
import { html, readBody, serve, useBrowser } from './e2e-helpers.js';
// @ts-expect-error -- the rollup config is plain JavaScript without types
import { agentIife } from '../../rollup.config.mjs';

const APP_ID = '85314830-023f-4cf1-a267-535f4e37bb17';
const OTHER_ID = '0b5d4c2e-9a61-4f0e-8d3b-7c2a1e6f9d40';
/** The bundle that throws, under a URL with a query the agent scrubs. */
const APP_PATH = '/static/app.3f9c.js?v=3&token=s3cret';

const js = (res: ServerResponse, body: string) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);

let agent = '';
let site: Awaited<ReturnType<typeof serve>>;
const received: ErrorEvent[] = [];

beforeAll(async () => {
  const bundle = await rollup({ ...agentIife, onwarn: () => {} });
  agent = (await bundle.generate(agentIife.output)).output[0].code;
  await bundle.close();

  site = await serve(async (req, res, url) => {
    if (req.method == 'POST' && url.pathname == '/api/1/ingest') {
      const batch = JSON.parse((await readBody(req)).toString()) as Batch;
      for (const event of batch.events) if (event.kind == 'error') received.push(event);
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"rejected":[]}');
    } else if (url.pathname == '/lookout.min.js') js(res, agent);
    else if (url.pathname == '/static/app.3f9c.js')
      js(
        res,
        `function checkout(cart) { return cart.total; }\n` +
          `document.getElementById('buy').addEventListener('click', function onBuy() { checkout(undefined); });\n` +
          debugIdRegistration(APP_ID),
      );
    else if (url.pathname == '/static/other.js') js(res, `window.otherLoaded = true;\n` + debugIdRegistration(OTHER_ID));
    else
      html(
        res,
        `<!doctype html><html><head><meta charset="utf-8"><script src="/lookout.min.js"></script>` +
          `<script>Lookout.init({ dsn: '${site.origin.replace('//', '//pk_debug@')}/1' });</script></head>` +
          `<body><button id="buy">Buy</button><script src="${APP_PATH}"></script><script src="/static/other.js"></script></body></html>`,
      );
  });
}, 60_000);

afterAll(async () => {
  await site?.close();
});

describe.each(['Chromium', 'Firefox'] as const)('debug IDs in %s', (name) => {
  const browserSession = useBrowser(name);

  it("sends the throwing bundle's frame file → its debug ID, and only that", { timeout: 60_000 }, async () => {
    const tab = await browserSession.driver.newTab();
    const path = '/checkout-' + name.toLowerCase();
    await tab.goto(site.origin + path);
    // What the registrations recorded: the scripts' URLs as this engine prints them in stacks.
    const registered = await tab.evaluate<Record<string, string>>(`window.${DEBUG_IDS_GLOBAL}`);
    expect(registered).toEqual({ [site.origin + APP_PATH]: APP_ID, [site.origin + '/static/other.js']: OTHER_ID });

    await tab.click('#buy');
    const end = Date.now() + 15_000;
    let error: ErrorEvent | undefined;
    while (!(error = received.find((e) => e.url == site.origin + path))) {
      if (Date.now() > end) throw new Error(`no error event from ${name}; received: ${JSON.stringify(received)}`);
      await tab.evaluate('Lookout.flush()');
      await new Promise((r) => setTimeout(r, 100));
    }

    const seen = `${name} frames: ${JSON.stringify(error.frames)}; registered: ${JSON.stringify(registered)}; debug_ids: ${JSON.stringify(error.debug_ids)}`;
    const file = site.origin + '/static/app.3f9c.js?v=3&token=[redacted]';
    expect(error.type, seen).toBe('TypeError');
    expect(error.frames!.length, seen).toBeGreaterThanOrEqual(2);
    for (const frame of error.frames!) expect(frame.file, seen).toBe(file);
    // V8 names the listener "HTMLButtonElement.onBuy", Firefox "onBuy".
    expect(error.frames![0].function, seen).toBe('checkout');
    expect(error.frames![1].function, seen).toMatch(/onBuy$/);
    expect(error.debug_ids, seen).toEqual({ [file]: APP_ID });
    // The collector takes it as it is.
    expect(createEventValidator()(JSON.parse(JSON.stringify(error)))).toMatchObject({ ok: true });
    await tab.close();
  });
});
