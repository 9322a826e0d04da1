/**
 * npm run bench:agent — what a page pays for its monitoring agent: the same page in headless
 * Chromium with (a) no agent, (b) Lookout, (c) @sentry/browser with browserTracingIntegration,
 * interleaved a, b, c, a, b, c, … so drift in the machine's load hits all three alike.
 *
 * Prints medians of the agent's bytes (brotli as served, and raw), the main-thread time at load
 * (agent scripts' evaluation and init, attributed from a CDP trace; and the page's whole
 * main-thread time minus the no-agent run's), and the main-thread cost of one captured error
 * (the click that throws, and the 400 ms after it), with the ratios Lookout / Sentry.
 * Env: BENCH_RUNS (default 20 per variant), BENCH_PAGE_URL (default: bench/agent-page/ served
 * here), BENCH_THROW_SELECTOR (the button whose click handler throws; default #boom).
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terserPlugin from '@rollup/plugin-terser';
import { chromium, type Browser } from 'playwright-core';
import { rollup, VERSION as rollupVersion, type Plugin } from 'rollup';
import { packageRoot } from '../collector/src/paths.js';

// The plugin's types describe a CommonJS default export; at runtime the ESM default is the function.
const terser = terserPlugin as unknown as (options: object) => Plugin;

const runsPerVariant = Number(process.env.BENCH_RUNS ?? 20);
const throwSelector = process.env.BENCH_THROW_SELECTOR ?? '#boom';
/** Sentry's pageload span ends 1 s after the last activity and only then reads the resource timings: wait past it. */
const SETTLE_AFTER_LOAD_MS = 1200;
/** After the click: long enough for what the agents do asynchronously (Sentry sends at once; Lookout queues). */
const ERROR_TAIL_MS = 400;

type Variant = 'none' | 'lookout' | 'sentry';
const variants: Variant[] = ['none', 'lookout', 'sentry'];

const sentryVersion = JSON.parse(readFileSync(resolve(packageRoot, 'node_modules/@sentry/browser/package.json'), 'utf8')).version as string;
const SENTRY_BUILD = `@sentry/browser ${sentryVersion} { init, browserTracingIntegration }, rollup ${rollupVersion} + node-resolve + terser (defaults), IIFE`;

/** Sentry as a site ships it: only what it imports, bundled and minified into one script. */
async function bundleSentry(): Promise<string> {
  const entry = '\0sentry-entry';
  const bundle = await rollup({
    input: entry,
    plugins: [
      { name: 'sentry-entry', resolveId: (id) => (id == entry ? id : null), load: (id) => (id == entry ? "export { init, browserTracingIntegration } from '@sentry/browser';" : null) },
      nodeResolve({ browser: true }),
    ],
  });
  const { output } = await bundle.generate({ format: 'iife', name: 'Sentry', plugins: [terser({ format: { comments: false } })] });
  await bundle.close();
  return output[0].code;
}

type Asset = { type: string; raw: Buffer; brotli: Buffer };
const asset = (type: string, text: string | Buffer): Asset => {
  const raw = Buffer.from(text);
  return { type, raw, brotli: brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }) };
};
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/**
 * One server for the demo page, the agents' scripts (brotli q11, like a CDN would serve them) and
 * the sink both agents send to (202 to every POST). It keeps the bodies the sink received so the
 * bench can check that each agent really captured the error it is timed on.
 */
async function startServer(assets: Map<string, Asset>) {
  const pageDir = resolve(packageRoot, 'bench/agent-page');
  const received: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    // The page may live elsewhere (BENCH_PAGE_URL): allow cross-origin sends and resource timing.
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Access-Control-Allow-Headers', '*');
    response.setHeader('Timing-Allow-Origin', '*');
    if (request.method == 'OPTIONS') return response.writeHead(204).end();
    if (request.method == 'POST') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => (received.push(Buffer.concat(chunks).toString('latin1')), response.writeHead(202).end()));
      return;
    }
    const path = new URL(request.url!, 'http://x').pathname;
    let found = assets.get(path);
    if (!found) {
      // A history router's URLs all get the page: anything that is not a file is index.html.
      const file = join(pageDir, path);
      const isFile = file.startsWith(pageDir) && statSync(file, { throwIfNoEntry: false })?.isFile();
      found = asset(types[extname(isFile ? file : '.html')] ?? 'application/octet-stream', readFileSync(isFile ? file : join(pageDir, 'index.html')));
    }
    const br = /\bbr\b/.test(String(request.headers['accept-encoding']));
    response.writeHead(200, {
      'Content-Type': found.type,
      'Cache-Control': 'no-store',
      ...(br ? { 'Content-Encoding': 'br' } : {}),
      'Content-Length': (br ? found.brotli : found.raw).length,
    });
    response.end(br ? found.brotli : found.raw);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** Complete ('X') events carry dur (wall) and tdur (the thread's CPU time), in µs. */
type TraceEvent = { name: string; ph: string; ts: number; dur?: number; tdur?: number; pid: number; tid: number; args?: any };

/**
 * The main thread's own CPU time for an event: other processes on a busy machine (this benchmark
 * runs beside tests) stretch the wall time of a task, not the thread time it needs.
 */
const cpuMicros = (event: TraceEvent) => event.tdur ?? event.dur!;

type Run = {
  agentEncodedBytes: number;
  agentRawBytes: number;
  /** Main-thread busy time (all top-level tasks) from navigation to the click. */
  loadMainThreadMs: number;
  /** Evaluating the agent's script and the script calling its init (from the trace). */
  loadEvaluateInitMs: number;
  /** Later calls from the browser into the agent's functions until the click: listeners, timers, observers. */
  loadCallbacksMs: number;
  /** The click's event dispatch: the handler that throws, and every error and click listener. */
  clickDispatchMs: number;
  /** Main-thread busy time from the click to ERROR_TAIL_MS after it. */
  errorMainThreadMs: number;
  /** The part of it in functions defined in the agent's files. */
  errorAgentScriptMs: number;
  errorReceived: boolean;
};

function analyse(events: TraceEvent[], pageUrl: string, agentPrefix: string): Omit<Run, 'agentEncodedBytes' | 'agentRawBytes' | 'errorReceived'> {
  // The page's main thread: the one that parsed its HTML (navigation moved it to a new renderer process).
  const parse = events.find((e) => e.name == 'ParseHTML' && e.args?.beginData?.url == pageUrl);
  if (!parse) throw new Error(`no ParseHTML of ${pageUrl} in the trace`);
  const mainThread = events.filter((e) => e.pid == parse.pid && e.tid == parse.tid && e.ph == 'X').sort((a, b) => a.ts - b.ts);
  const click = events.find((e) => e.name == 'TimeStamp' && e.args?.data?.message == 'bench:click');
  if (!click) throw new Error('no bench:click mark in the trace');
  const tailEnd = click.ts + ERROR_TAIL_MS * 1000;

  // Top-level tasks do not nest; nested run loops aside, which this skips by requiring no overlap.
  const busyMs = (from: number, to: number) => {
    let sum = 0, end = 0;
    for (const task of mainThread)
      if (task.name == 'ThreadControllerImpl::RunTask' && task.ts >= from && task.ts < to && task.ts >= end) (sum += cpuMicros(task)), (end = task.ts + task.dur!);
    return sum / 1000;
  };
  // Script entered from the browser (script evaluation, or a listener, timer or observer callback)
  // whose function lives in an agent's file; outermost only, so a callback nested in another counts once.
  const agentMs = (from: number, to: number, names = ['EvaluateScript', 'FunctionCall']) => {
    let sum = 0, end = 0;
    for (const e of mainThread)
      if (names.includes(e.name) && e.ts >= from && e.ts < to && e.ts >= end && String(e.args?.data?.url ?? '').startsWith(agentPrefix))
        (sum += cpuMicros(e)), (end = e.ts + e.dur!);
    return sum / 1000;
  };
  const dispatch = mainThread.find((e) => e.name == 'EventDispatch' && e.args?.data?.type == 'click' && e.ts > click.ts);
  if (!dispatch) throw new Error('no click dispatch in the trace');
  return {
    loadMainThreadMs: busyMs(0, click.ts),
    loadEvaluateInitMs: agentMs(0, click.ts, ['EvaluateScript']),
    loadCallbacksMs: agentMs(0, click.ts) - agentMs(0, click.ts, ['EvaluateScript']),
    clickDispatchMs: cpuMicros(dispatch) / 1000,
    errorMainThreadMs: busyMs(click.ts, tailEnd),
    errorAgentScriptMs: agentMs(click.ts, tailEnd),
  };
}

async function measure(browser: Browser, variant: Variant, pageUrl: string, origin: string, received: string[]): Promise<Run> {
  const scripts = variant == 'none' ? [] : [`${origin}/agent/${variant}.js`, `${origin}/agent/${variant}-init.js`];
  // A fresh context per run: cold cache, fresh storage, like a first visit.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // The agent goes where its docs say: a blocking script at the end of <head>, whatever page is loaded.
  await page.route(
    (url) => url.href == pageUrl,
    async (route) => {
      const response = await route.fetch();
      const tags = scripts.map((src) => `<script src="${src}"></script>`).join('');
      await route.fulfill({ status: response.status(), contentType: 'text/html; charset=utf-8', body: (await response.text()).replace('</head>', tags + '</head>') });
    },
  );
  const cdp = await context.newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['toplevel', 'devtools.timeline'] } });

  await page.goto(pageUrl, { waitUntil: 'load' });
  await page.waitForTimeout(SETTLE_AFTER_LOAD_MS);
  const button = page.locator(throwSelector);
  await button.scrollIntoViewIfNeeded();
  const box = (await button.boundingBox())!;
  const sinkBefore = received.length;
  await page.evaluate(() => console.timeStamp('bench:click'));
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForTimeout(ERROR_TAIL_MS);

  const complete = new Promise((done) => cdp.once('Tracing.tracingComplete', done));
  await cdp.send('Tracing.end');
  await complete;

  const bytes = await page.evaluate((src) => {
    const entry = performance.getEntriesByType('resource').find((e) => e.name == src) as PerformanceResourceTiming | undefined;
    return { encoded: entry?.encodedBodySize ?? 0, raw: entry?.decodedBodySize ?? 0 };
  }, scripts[0] ?? '');
  // Lookout batches (sends after 5 s or when the page is hidden): flush to check what it queued.
  if (variant == 'lookout') await page.evaluate(() => (window as any).Lookout.flush());
  let errorReceived = false;
  for (let waited = 0; variant != 'none' && !errorReceived && waited < 2000; waited += 50) {
    // An error event: Lookout's kind "error", or a Sentry envelope item of type "event".
    errorReceived = received.slice(sinkBefore).some((body) => /"kind":"error"|"type":"event"/.test(body));
    if (!errorReceived) await new Promise((r) => setTimeout(r, 50));
  }
  await context.close();
  return { agentEncodedBytes: bytes.encoded, agentRawBytes: bytes.raw, errorReceived, ...analyse(events, pageUrl, `${origin}/agent/`) };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  const sentry = await bundleSentry();
  const assets = new Map<string, Asset>([
    ['/agent/lookout.js', asset('text/javascript', readFileSync(resolve(packageRoot, 'dist/agent/lookout.min.js')))],
    ['/agent/sentry.js', asset('text/javascript', sentry)],
  ]);
  const { server, origin, received } = await startServer(assets);
  // Both DSNs point at this server's sink.
  const dsn = `http://public@127.0.0.1:${new URL(origin).port}/1`;
  assets.set('/agent/lookout-init.js', asset('text/javascript', `Lookout.init({ dsn: ${JSON.stringify(dsn)} });`));
  assets.set('/agent/sentry-init.js', asset('text/javascript', `Sentry.init({ dsn: ${JSON.stringify(dsn)}, integrations: [Sentry.browserTracingIntegration()], tracesSampleRate: 1 });`));
  const pageUrl = process.env.BENCH_PAGE_URL ?? `${origin}/`;

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const runs: Record<Variant, Run[]> = { none: [], lookout: [], sentry: [] };
  const started = Date.now();
  try {
    // One untimed round first: the OS's file cache and Chromium's own start-up costs go there.
    for (const variant of variants) await measure(browser, variant, pageUrl, origin, received);
    for (let i = 0; i < runsPerVariant; i++) for (const variant of variants) runs[variant].push(await measure(browser, variant, pageUrl, origin, received));

    type Figure = Exclude<keyof Run, 'errorReceived'>;
    const m = (variant: Variant, key: Figure) => median(runs[variant].map((run) => run[key]));
    const overNone = (variant: Variant, key: Figure) => m(variant, key) - m('none', key);
    const kb = (bytes: number) => (bytes / 1024).toFixed(1) + ' KB';
    const ms = (value: number) => value.toFixed(2) + ' ms';
    const cells = (...values: string[]) => values.map((value) => value.padStart(11)).join('');
    const ratio = (lookout: number, sentry: number) => cells((lookout / sentry).toFixed(2));
    /** One figure per agent, and Lookout / Sentry. */
    const agentRow = (label: string, format: (value: number) => string, of: (variant: Variant) => number) =>
      console.log(label.padEnd(48) + cells('–', format(of('lookout')), format(of('sentry'))) + ratio(of('lookout'), of('sentry')));
    /** The page's total in each variant: what the Δ rows subtract. */
    const pageRow = (label: string, key: Figure) => console.log(label.padEnd(48) + cells(...variants.map((variant) => ms(m(variant, key)))));

    console.log(`bench:agent — ${runsPerVariant} runs per variant, interleaved, Chromium ${browser.version()} headless, node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(`page: ${pageUrl}`);
    console.log(`lookout: dist/agent/lookout.min.js + Lookout.init({ dsn })`);
    console.log(`sentry:  ${SENTRY_BUILD} + Sentry.init({ dsn, integrations: [browserTracingIntegration()], tracesSampleRate: 1 })`);
    console.log(`medians of the main thread's CPU time from a CDP trace; Δ none = the variant's median minus the no-agent median\n`);
    console.log(''.padEnd(48) + cells('none', 'lookout', 'sentry', 'L / S'));
    agentRow('agent script bytes, brotli q11 as served', kb, (v) => m(v, 'agentEncodedBytes'));
    agentRow('agent script bytes, raw', kb, (v) => m(v, 'agentRawBytes'));
    agentRow('load: agent script evaluation + init', ms, (v) => m(v, 'loadEvaluateInitMs'));
    agentRow('load: agent callbacks until the click', ms, (v) => m(v, 'loadCallbacksMs'));
    pageRow('load: all main-thread tasks', 'loadMainThreadMs');
    agentRow('load: all main-thread tasks, Δ none', ms, (v) => overNone(v, 'loadMainThreadMs'));
    pageRow('error: click dispatch (throw + listeners)', 'clickDispatchMs');
    agentRow('error: click dispatch, Δ none', ms, (v) => overNone(v, 'clickDispatchMs'));
    pageRow(`error: all main-thread tasks, click + ${ERROR_TAIL_MS} ms`, 'errorMainThreadMs');
    agentRow(`error: all main-thread tasks, Δ none`, ms, (v) => overNone(v, 'errorMainThreadMs'));
    agentRow(`error: agent callbacks, click + ${ERROR_TAIL_MS} ms`, ms, (v) => m(v, 'errorAgentScriptMs'));
    const caught = (variant: Variant) => `${runs[variant].filter((run) => run.errorReceived).length}/${runs[variant].length}`;
    console.log(`\nerror received by the sink: lookout ${caught('lookout')}, sentry ${caught('sentry')}`);
    console.log('goal: Lookout ≤ 1/5 of Sentry (L / S ≤ 0.20) in bytes and main-thread time');
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
