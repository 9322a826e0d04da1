/**
 * What the converter leaves out, and why: static resources (as Gatling's recorder does with its
 * default filters — a browser fetches them, a load test of the application usually should not,
 * unless asked), and headers a client sets on its own or that replay the browser's state.
 */
import type { HarEntry } from './har.js';

// Gatling recorder's default deny list, by file extension.
const STATIC_EXTENSIONS = /\.(?:js|mjs|css|gif|jpe?g|png|webp|avif|svg|ico|bmp|woff2?|[ot]tf|eot|map)$/i;
const STATIC_TYPES = new Set(['script', 'stylesheet', 'image', 'font', 'media', 'manifest', 'texttrack']);
const STATIC_MIME = /^(?:image\/|font\/|audio\/|video\/|text\/css|(?:text|application)\/(?:x-)?javascript)/i;

export type SkipReason = 'static resource' | 'not HTTP' | 'no response' | 'CORS preflight' | 'WebSocket';

/** How the generated file's comment names each kind of skipped entry: [one, several]. */
export const SKIP_LABELS: Record<SkipReason, [string, string]> = {
  'static resource': ['static resource', 'static resources'],
  'not HTTP': ['request that is not HTTP', 'requests that are not HTTP'],
  'no response': ['request without a response (cancelled or blocked in the browser)', 'requests without a response (cancelled or blocked in the browser)'],
  'CORS preflight': ['CORS preflight (the browser sends those itself)', 'CORS preflights (the browser sends those itself)'],
  WebSocket: ['WebSocket', 'WebSockets'],
};

/** Entries the browser waited for: the time they took is not the user's think time. */
export const waitedFor = (reason: SkipReason | undefined) => reason === undefined || reason === 'static resource' || reason === 'CORS preflight';

/** Why an entry is not turned into a request, or undefined when it is. */
export function skipReason(entry: HarEntry, includeResources: boolean): SkipReason | undefined {
  const { request, response } = entry;
  if (entry._resourceType === 'websocket' || response.status === 101 || /^wss?:/i.test(request.url)) return 'WebSocket';
  if (!/^https?:/i.test(request.url)) return 'not HTTP';
  // Status 0: the browser cancelled it or was blocked (an extension, CORS): nothing to replay.
  if (!response.status) return 'no response';
  if (request.method.toUpperCase() === 'OPTIONS' && request.headers.some((h) => h.name.toLowerCase() === 'access-control-request-method')) return 'CORS preflight';
  if (!includeResources && isStaticResource(entry)) return 'static resource';
  return undefined;
}

export function isStaticResource(entry: HarEntry): boolean {
  if (entry._resourceType && STATIC_TYPES.has(entry._resourceType)) return true;
  if (entry.request.method.toUpperCase() !== 'GET') return false;
  let path: string;
  try {
    path = new URL(entry.request.url).pathname;
  } catch {
    return false;
  }
  return STATIC_EXTENSIONS.test(path) || STATIC_MIME.test(entry.response.content?.mimeType ?? '');
}

/**
 * Request headers a replay must not copy: pseudo-headers (HTTP/2), what the HTTP client sets
 * itself (length, host, connection, compression), the browser's cookies (the per-user cookie
 * jar replays Set-Cookie) and cache validators (they would turn every response into a 304), and
 * Chromium's client hints and fetch metadata.
 */
const DROPPED_HEADERS = new Set([
  'cookie',
  'content-length',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'accept-encoding',
  'if-none-match',
  'if-modified-since',
  'priority',
]);

export function keptHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return !lower.startsWith(':') && !DROPPED_HEADERS.has(lower) && !lower.startsWith('sec-ch-') && !lower.startsWith('sec-fetch-');
}
