/**
 * What checks look at: one response, with its headers decoded and its body decoded and parsed
 * only when a check asks (most requests only check the status, and decoding what nobody reads
 * is wasted CPU). One object per response, its methods shared on the prototype.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { parse as parseHtml, type HTMLElement } from 'node-html-parser';
import { headersOf } from './client.js';

export interface ResponseView {
  status: number;
  /** Lower-cased names; a header sent several times (set-cookie) has several values. */
  readonly headers: Record<string, string[]>;
  /** The final URL (after redirects). */
  url: URL;
  responseTimeMs: number;
  body(): string;
  /** Throws with the parser's reason when the body is not JSON. */
  json(): unknown;
  html(): HTMLElement;
}

export interface ResponseInput {
  status: number;
  /** Decoded headers, or the raw name/value list they are decoded from on first use. */
  headers?: Record<string, string[]>;
  rawHeaders?: Buffer[];
  url: URL;
  responseTimeMs: number;
  /** undefined: the body was not kept (nothing was expected to read it). */
  bodyBytes: Buffer | undefined;
}

class ReceivedResponse implements ResponseView {
  status: number;
  url: URL;
  responseTimeMs: number;
  private decodedHeaders: Record<string, string[]> | undefined;
  private rawHeaders: Buffer[] | undefined;
  private bodyBytes: Buffer | undefined;
  private text: string | undefined = undefined;
  private parsedJson: { value: unknown } | undefined = undefined;
  private parsedHtml: HTMLElement | undefined = undefined;

  constructor(input: ResponseInput) {
    this.status = input.status;
    this.url = input.url;
    this.responseTimeMs = input.responseTimeMs;
    this.decodedHeaders = input.headers;
    this.rawHeaders = input.rawHeaders;
    this.bodyBytes = input.bodyBytes;
  }

  get headers(): Record<string, string[]> {
    return (this.decodedHeaders ??= headersOf(this.rawHeaders ?? []));
  }

  body(): string {
    if (this.text !== undefined) return this.text;
    // The runtime keeps the body of every request a check or the resource scanner may read; this is a bug if it throws.
    if (this.bodyBytes === undefined) throw new Error('the response body was not kept');
    return (this.text = decode(this.bodyBytes, this.headers['content-encoding']?.[0]).toString('utf8'));
  }

  json(): unknown {
    return (this.parsedJson ??= { value: JSON.parse(this.body()) }).value;
  }

  html(): HTMLElement {
    return (this.parsedHtml ??= parseHtml(this.body()));
  }
}

export function createResponseView(input: ResponseInput): ResponseView {
  return new ReceivedResponse(input);
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
