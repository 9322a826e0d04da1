/**
 * The collector logs through fastify's pino logger; modules get it passed in.
 * Secrets never reach a log line: see the redaction list in server/build-app.ts.
 */
import type { FastifyBaseLogger } from 'fastify';

export type Logger = FastifyBaseLogger;
