/**
 * One event at a time, so a bad event is rejected with its index and reason while the
 * rest of the batch is kept. Schemas come from the shared wire module.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { EVENT_KINDS, EVENT_SCHEMAS, type EventKind, type LookoutEvent } from '../../../protocol/wire.js';

// ajv-formats is CommonJS whose types describe an ES default export; require() gets the callable.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv, formats: string[]) => Ajv;

export type EventVerdict = { ok: true; event: LookoutEvent } | { ok: false; reason: string };

export function createEventValidator(): (input: unknown) => EventVerdict {
  // removeAdditional: unknown fields are dropped rather than stored or rejected, as Sentry does.
  const ajv = new Ajv({ allErrors: false, removeAdditional: 'all', coerceTypes: false, strict: false });
  addFormats(ajv, ['uuid']);
  const validators = new Map<string, ValidateFunction>(
    EVENT_KINDS.map((kind) => [kind, ajv.compile(EVENT_SCHEMAS[kind])]),
  );

  return (input) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return { ok: false, reason: 'event must be a JSON object' };
    }
    const kind = (input as { kind?: unknown }).kind;
    const validate = typeof kind === 'string' ? validators.get(kind) : undefined;
    if (!validate) {
      return { ok: false, reason: `kind must be one of ${EVENT_KINDS.join(', ')} (got ${describe(kind)})` };
    }
    if (!validate(input)) return { ok: false, reason: explain(validate.errors?.[0], kind as EventKind) };
    return { ok: true, event: input as LookoutEvent };
  };
}

function explain(error: ErrorObject | undefined, kind: EventKind): string {
  if (!error) return `invalid ${kind} event`;
  const field = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '';
  if (error.keyword === 'required') return `${kind} event is missing required field "${(error.params as { missingProperty: string }).missingProperty}"`;
  if (error.keyword === 'enum') {
    return `${field} must be one of ${(error.params as { allowedValues: string[] }).allowedValues.join(', ')}`;
  }
  return `${field || 'event'} ${error.message ?? 'is invalid'}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
