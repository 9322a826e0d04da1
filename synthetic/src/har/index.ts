/**
 * `lookout load from-har recording.har > simulation.ts`: a browser's recorded HAR file as the
 * TypeScript source of a starting simulation, like Gatling's recorder without a proxy or
 * certificates. The base URL is the most common origin; each request becomes one
 * `exec(http(…))` in order, with the headers that matter, its body, a check of the recorded
 * status and the user's think time as pauses; static resources are left out (listed in a comment)
 * unless `includeResources`.
 */
import { keptHeader, SKIP_LABELS, skipReason, waitedFor, type SkipReason } from './filters.js';
import { parseHar, HarError, type HarEntry } from './har.js';

export { HarError } from './har.js';

export interface HarToSimulationOptions {
  /** Keep images, fonts, stylesheets and scripts as requests of their own (default: skipped, listed in a comment). */
  includeResources?: boolean;
  /** The scenario's name (default: the recorded page's title, else 'Recorded'). */
  scenarioName?: string;
  /** The recording's file name, for the header comment. */
  source?: string;
  /** Gaps between requests shorter than this are not pauses (default 100 ms). */
  minPauseMs?: number;
}

const MAX_LISTED_SKIPS = 40;

/** A single-quoted TypeScript string literal. */
function quote(value: string): string {
  return `'${value.replace(/[\\'\u0000-\u001f\u2028\u2029\u007f]/g, (char) => {
    const named: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  })}'`;
}

/** Recorded text is literal: a `#{` in it must not become a session lookup (`\#{` is the DSL's escape). */
const untemplated = (value: string) => value.replace(/#\{/g, '\\#{');
const literal = (value: string) => quote(untemplated(value));

/** An object key: bare when it is an identifier. */
const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name));

const comment = (text: string) => text.replace(/[\r\n\u2028\u2029]+/g, ' ');

function indent(text: string, spaces: number): string {
  return text.replace(/\n/g, `\n${' '.repeat(spaces)}`);
}

function originOf(url: string): string {
  return new URL(url).origin;
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

/** Kept request headers, lower-cased, the last of duplicates winning. */
function headersOf(entry: HarEntry): Map<string, string> {
  const headers = new Map<string, string>();
  for (const { name, value } of entry.request.headers) if (keptHeader(name)) headers.set(name.toLowerCase(), String(value ?? ''));
  return headers;
}

/** Headers every request sent with the same value (user-agent, accept-language…): the protocol's. */
function commonHeaders(all: Map<string, string>[]): Map<string, string> {
  const common = new Map<string, string>();
  if (all.length < 2) return common;
  // Body and navigation headers belong to their request even when they happen to repeat.
  const perRequest = new Set(['content-type', 'referer', 'origin']);
  for (const [name, value] of all[0]) {
    if (!perRequest.has(name) && all.every((headers) => headers.get(name) === value)) common.set(name, value);
  }
  return common;
}

type BodyCode = { code: string; uses: string; dropContentType: boolean } | undefined;

function bodyOf(entry: HarEntry, contentType: string | undefined): BodyCode {
  const post = entry.request.postData;
  if (!post || (post.text === undefined && !post.params?.length)) return undefined;
  const mime = (post.mimeType || contentType || '').toLowerCase();
  const text = post.text ?? '';
  if (/^application\/(?:[\w.+-]+\+)?json\b/.test(mime) && text.trim() !== '') {
    try {
      const value = JSON.parse(text);
      const dropContentType = (contentType ?? '').toLowerCase() === 'application/json';
      // A recorded "#{" is text: JsonBody leaves a value of a function alone (its strings are not templates).
      if (text.includes('#{')) return { code: `JsonBody(() => (${JSON.stringify(value, null, 2)}))`, uses: 'JsonBody', dropContentType };
      return { code: `JsonBody(${JSON.stringify(value, null, 2)})`, uses: 'JsonBody', dropContentType };
    } catch {
      // Not valid JSON after all: sent as recorded.
    }
  }
  if (mime.startsWith('application/x-www-form-urlencoded')) {
    const fields = new Map<string, string[]>();
    const pairs = text !== '' ? [...new URLSearchParams(text)] : (post.params ?? []).map((p) => [decodeFormPart(p.name), decodeFormPart(p.value ?? '')] as [string, string]);
    for (const [name, value] of pairs) fields.set(name, [...(fields.get(name) ?? []), value]);
    const lines = [...fields].map(([name, values]) => `  ${key(name)}: ${values.length === 1 ? literal(values[0]) : `[${values.map(literal).join(', ')}]`},`);
    return { code: `FormBody({\n${lines.join('\n')}\n})`, uses: 'FormBody', dropContentType: mime === 'application/x-www-form-urlencoded' || mime.startsWith('application/x-www-form-urlencoded;') };
  }
  return { code: `StringBody(${literal(text)})`, uses: 'StringBody', dropContentType: false };
}

/** HAR `params` of a form body are as sent (percent-encoded), unlike `text`, which URLSearchParams decodes. */
function decodeFormPart(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function requestName(method: string, url: URL): string {
  const name = `${method} ${decodeSafely(url.pathname)}`;
  return name.length > 100 ? `${name.slice(0, 99)}…` : name;
}

function decodeSafely(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

export function harToSimulation(harText: string, options: HarToSimulationOptions = {}): string {
  const { entries, pageTitle, creator } = parseHar(harText);
  const includeResources = options.includeResources ?? false;
  const minPauseMs = options.minPauseMs ?? 100;

  const skipped: { entry: HarEntry; reason: SkipReason }[] = [];
  const unsupported: HarEntry[] = [];
  const kept: HarEntry[] = [];
  // Think time: from the end of everything before (resources included) to the next kept request's start.
  const pauseBefore = new Map<HarEntry, number>();
  let lastEnd: number | undefined;
  for (const entry of entries) {
    const start = Date.parse(entry.startedDateTime);
    const reason = skipReason(entry, includeResources);
    if (reason) skipped.push({ entry, reason });
    else if (!METHODS.has(entry.request.method.toUpperCase())) unsupported.push(entry);
    else {
      if (lastEnd !== undefined && start - lastEnd >= minPauseMs) pauseBefore.set(entry, start - lastEnd);
      kept.push(entry);
    }
    if (waitedFor(reason)) lastEnd = Math.max(lastEnd ?? 0, start + Math.max(0, entry.time));
  }
  if (kept.length === 0) {
    throw new HarError(
      `the HAR file has ${entries.length} requests but none left to replay (${skipped.length} skipped: ${[...new Set(skipped.map((s) => s.reason))].join(', ')})` +
        (includeResources ? '' : '; include static resources to keep them'),
    );
  }

  const baseUrl = mostCommon(kept.map((entry) => originOf(entry.request.url)));
  const headerMaps = kept.map(headersOf);
  const common = commonHeaders(headerMaps);
  const uses = new Set(['simulation', 'scenario', 'http', 'httpProtocol', 'status', 'atOnceUsers']);

  const steps = kept.map((entry, index) => {
    const url = new URL(entry.request.url);
    const method = entry.request.method.toUpperCase();
    const headers = headerMaps[index];
    const body = bodyOf(entry, headers.get('content-type'));
    if (body) uses.add(body.uses);
    const own = [...headers].filter(([name]) => !common.has(name) && !(body?.dropContentType && name === 'content-type'));
    const target = url.origin === baseUrl ? `${url.pathname}${url.search}` : url.href;
    const status = entry.response.status;
    const lines = [`http(${quote(requestName(method, url))})`, `  .${method.toLowerCase()}(${literal(target)})`];
    if (own.length) lines.push(`  .headers({\n${own.map(([name, value]) => `    ${quote(name)}: ${literal(value)},`).join('\n')}\n  })`);
    if (body) lines.push(`  .body(${indent(body.code, 2)})`);
    // The recording has the redirect and the request that followed it as two entries: replay both.
    if (status >= 300 && status < 400 && status !== 304) lines.push('  .disableFollowRedirect()');
    // A 304 answered the browser's cache validators, which are not replayed: the server may say 200.
    lines.push(status === 304 ? '  .check(status().in(200, 304))' : `  .check(status().is(${status}))`);
    const pause = pauseBefore.get(entry);
    // Pauses to the tenth of a second (never 0: a recorded gap of 100 ms or more is a pause).
    const pauseLine = pause !== undefined ? `  .pause(${Math.max(0.1, Math.round(pause / 100) / 10)})\n` : '';
    return `${pauseLine}  .exec(\n    ${indent(lines.join('\n'), 4)},\n  )`;
  });

  const header = [
    `// A starting simulation recorded${options.source ? ` from ${comment(options.source)}` : ''}${creator ? ` by ${comment(creator)}` : ''}: ${kept.length} request${kept.length === 1 ? '' : 's'}.`,
    '// Replace recorded credentials and ids with feeders and saved values (checks with .saveAs), then raise the injection.',
  ];
  const bySkipReason = new Map<SkipReason, HarEntry[]>();
  for (const { entry, reason } of skipped) bySkipReason.set(reason, [...(bySkipReason.get(reason) ?? []), entry]);
  for (const [reason, list] of bySkipReason) {
    const hint = reason === 'static resource' ? ' (images, fonts, stylesheets, scripts: `lookout load from-har --include-resources` keeps them, or use .inferHtmlResources() on page requests)' : '';
    header.push('//', `// Skipped ${list.length} ${SKIP_LABELS[reason][list.length === 1 ? 0 : 1]}${hint}:`);
    for (const entry of list.slice(0, MAX_LISTED_SKIPS)) header.push(`//   ${entry.request.method.toUpperCase()} ${comment(entry.request.url)}`);
    if (list.length > MAX_LISTED_SKIPS) header.push(`//   … and ${list.length - MAX_LISTED_SKIPS} more`);
  }
  if (unsupported.length) {
    header.push('//', `// Skipped ${unsupported.length} request${unsupported.length === 1 ? '' : 's'} with a method the DSL does not send:`);
    for (const entry of unsupported.slice(0, MAX_LISTED_SKIPS)) header.push(`//   ${comment(entry.request.method)} ${comment(entry.request.url)}`);
  }

  const order = ['simulation', 'scenario', 'http', 'httpProtocol', 'status', 'JsonBody', 'FormBody', 'StringBody', 'atOnceUsers'];
  const imports = order.filter((name) => uses.has(name));
  const protocolLines = [`httpProtocol()`, `  .baseUrl(${quote(baseUrl)})`];
  if (common.size) protocolLines.push(`  .headers({\n${[...common].map(([name, value]) => `    ${quote(name)}: ${literal(value)},`).join('\n')}\n  })`);
  const scenarioName = options.scenarioName ?? (pageTitle?.trim() || 'Recorded');

  return `${header.join('\n')}
import { ${imports.join(', ')} } from 'lookout/load';

const protocol = ${protocolLines.join('\n')};

const recorded = scenario(${quote(scenarioName)})
${steps.join('\n')};

export default simulation({
  protocol,
  scenarios: [recorded.injectOpen(atOnceUsers(1))],
});
`;
}
