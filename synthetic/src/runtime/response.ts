/**
 * What checks look at: one response, with its body decoded and parsed only when a check asks
 * (most requests only check the status, and decoding a body nobody reads is wasted CPU).
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';

export interface ResponseView {
  status: number;
  /** Lower-cased names; a header sent several times (set-cookie) has several values. */
  headers: Record<string, string[]>;
  /** The final URL (after redirects). */
  url: URL;
  responseTimeMs: number;
  body(): string;
  /** Throws with the parser's reason when the body is not JSON. */
  json(): unknown;
  html(): HTMLElement;
}

export function createResponseView(input: { status: number; headers: Record<string, string[]>; url: URL; responseTimeMs: number; bodyBytes: Buffer }): ResponseView {
  let text: string | undefined;
  let parsedJson: { value: unknown } | undefined;
  let parsedHtml: HTMLElement | undefined;
  const body = () => (text ??= decode(input.bodyBytes, input.headers['content-encoding']?.[0]).toString('utf8'));
  return {
    status: input.status,
    headers: input.headers,
    url: input.url,
    responseTimeMs: input.responseTimeMs,
    body,
    json: () => (parsedJson ??= { value: JSON.parse(body()) }).value,
    html: () => (parsedHtml ??= parseHtml(body())),
  };
}

/** undici hands the body over as sent; a test that asked for gzip still wants to read text. */
function decode(bytes: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(bytes);
    case 'deflate':
      return inflateSync(bytes);
    case 'br':
      return brotliDecompressSync(bytes);
    default:
      return bytes;
  }
}
