/**
 * Request bodies for the ingest route: JSON sent as application/json or as text/plain
 * (sendBeacon and no-preflight fetches), optionally gzip-compressed. Registered inside the
 * ingest plugin only, so the rest of the API keeps fastify's defaults.
 */
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { httpError } from '../server/http-error.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function registerIngestBodyParsing(app: FastifyInstance): void {
  // Decompress before the body limit is applied, so the limit bounds the *inflated* size
  // and a gzip bomb is cut off at the limit instead of filling memory.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (!encoding || encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      throw httpError(415, `Content-Encoding "${encoding}" is not supported: send gzip or no encoding`);
    }
    const inflated = Object.assign(createGunzip(), { receivedEncodedLength: 0 });
    payload.on('data', (chunk: Buffer) => {
      inflated.receivedEncodedLength += chunk.length;
    });
    payload.on('error', (error) => inflated.destroy(error));
    inflated.on('error', (error) => {
      Object.assign(error, { statusCode: 400, message: `body is not valid gzip: ${error.message}` });
    });
    return payload.pipe(inflated);
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(httpError(400, 'body is not valid UTF-8'));
    }
    if (!text.trim()) return done(httpError(400, 'body is empty: send {"sdk": {...}, "events": [...]}'));
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const reason = error instanceof SyntaxError ? error.message : String(error);
      done(httpError(400, `body is not valid JSON: ${reason}`));
    }
  });
}
