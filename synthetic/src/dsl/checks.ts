/**
 * Checks, as in Gatling: what to extract (status, a header, a regex match, a JSONPath, a CSS
 * selector, the response time), which occurrence (`find()` the first, `find(n)`, `findAll()`,
 * `count()`), optionally `transform(fn)`, what it must satisfy (`is`, `not`, `in`, `exists`
 * (the default), `notExists`, `lt/lte/gt/gte`), and `saveAs(key)` to keep the value in the
 * session. A failed check fails the request with a reason naming the check, what it expected and
 * what it found: `jsonPath($.token).find.exists, found nothing`.
 */
import { JSONPath } from 'jsonpath-plus';
import type { ResponseView } from '../runtime/response.js';
import type { Session } from '../runtime/session.js';
import { hasPlaceholders, resolveValue } from '../runtime/template.js';

type Mode = { kind: 'find'; index: number } | { kind: 'findAll' } | { kind: 'count' };

interface Validator {
  description: string;
  /** `found` is undefined when nothing was found; expected values may be templates of the session. */
  test(found: unknown, session: Session): boolean;
}

interface Extractor {
  /** `status`, `jsonPath($.id)`, … */
  label: string;
  /** Every occurrence; a thrown error (body is not JSON) fails the check with its message. */
  extract(response: ResponseView): unknown[];
  isStatus?: boolean;
  /** Reads the response body (the runtime only keeps a body some check or the resource scanner reads). */
  readsBody?: boolean;
}

export interface CheckOutcome {
  ok: boolean;
  session: Session;
  failure?: string;
}

export interface Check {
  readonly description: string;
  readonly isStatusCheck: boolean;
  /** false when the check never reads the body; anything else (a check of your own) is taken to read it. */
  readonly readsBody?: boolean;
  evaluate(response: ResponseView, session: Session): CheckOutcome;
}

export interface CheckBuilder extends Check {
  find(occurrence?: number): CheckBuilder;
  findAll(): CheckBuilder;
  count(): CheckBuilder;
  transform(fn: (value: any, session: Session) => unknown): CheckBuilder;
  is(expected: unknown): CheckBuilder;
  not(unexpected: unknown): CheckBuilder;
  in(...expected: unknown[]): CheckBuilder;
  exists(): CheckBuilder;
  notExists(): CheckBuilder;
  lt(limit: number): CheckBuilder;
  lte(limit: number): CheckBuilder;
  gt(limit: number): CheckBuilder;
  gte(limit: number): CheckBuilder;
  saveAs(key: string): CheckBuilder;
}

interface CheckSpec {
  extractor: Extractor;
  mode: Mode;
  transforms: ((value: any, session: Session) => unknown)[];
  validator?: Validator;
  saveAs?: string;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'function') return 'fn';
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Numbers compare with numeric strings, since headers and regex captures are strings.
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) return a !== '' && b !== '' && Number(a) === Number(b);
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function compare(description: string, test: (found: number, limit: number) => boolean, limit: number): Validator {
  return {
    description: `${description}(${limit})`,
    test: (found) => found !== undefined && found !== null && found !== '' && !Number.isNaN(Number(found)) && test(Number(found), limit),
  };
}

/** An expected value may be a template (`is('#{id}')`, as in Gatling's EL) or a function of the session. */
function expectedValue(expected: unknown, session: Session): unknown {
  if (typeof expected === 'function') return (expected as (s: Session) => unknown)(session);
  if (typeof expected === 'string' && hasPlaceholders(expected)) return resolveValue(expected, session);
  return expected;
}

const validators = {
  exists: (): Validator => ({ description: 'exists', test: (found) => found !== undefined }),
  notExists: (): Validator => ({ description: 'notExists', test: (found) => found === undefined }),
  is: (expected: unknown): Validator => ({ description: `is(${show(expected)})`, test: (found, session) => found !== undefined && equal(found, expectedValue(expected, session)) }),
  // As in Gatling, finding nothing is "not equal" too.
  not: (unexpected: unknown): Validator => ({ description: `not(${show(unexpected)})`, test: (found, session) => !equal(found, expectedValue(unexpected, session)) }),
  in: (expected: unknown[], label?: string): Validator => ({
    description: `in(${label ?? expected.map(show).join(', ')})`,
    test: (found, session) => found !== undefined && expected.some((candidate) => equal(found, expectedValue(candidate, session))),
  }),
};

function modeLabel(mode: Mode): string {
  if (mode.kind === 'find') return mode.index === 0 ? 'find' : `find(${mode.index})`;
  return mode.kind;
}

function build(spec: CheckSpec): CheckBuilder {
  const next = (change: Partial<CheckSpec>) => build({ ...spec, ...change });
  const validate = (validator: Validator) => next({ validator });
  const validator = spec.validator ?? validators.exists();
  const description = `${spec.extractor.label}.${modeLabel(spec.mode)}${spec.transforms.length ? '.transform' : ''}.${validator.description}`;
  return {
    description,
    isStatusCheck: spec.extractor.isStatus === true,
    readsBody: spec.extractor.readsBody === true,
    evaluate: (response, session) => evaluate(spec, validator, description, response, session),
    find: (occurrence = 0) => next({ mode: { kind: 'find', index: occurrence } }),
    findAll: () => next({ mode: { kind: 'findAll' } }),
    count: () => next({ mode: { kind: 'count' } }),
    transform: (fn) => next({ transforms: [...spec.transforms, fn] }),
    is: (expected) => validate(validators.is(expected)),
    not: (unexpected) => validate(validators.not(unexpected)),
    in: (...expected) => validate(validators.in(expected)),
    exists: () => validate(validators.exists()),
    notExists: () => validate(validators.notExists()),
    lt: (limit) => validate(compare('lt', (a, b) => a < b, limit)),
    lte: (limit) => validate(compare('lte', (a, b) => a <= b, limit)),
    gt: (limit) => validate(compare('gt', (a, b) => a > b, limit)),
    gte: (limit) => validate(compare('gte', (a, b) => a >= b, limit)),
    saveAs: (key) => next({ saveAs: key }),
  };
}

function evaluate(spec: CheckSpec, validator: Validator, description: string, response: ResponseView, session: Session): CheckOutcome {
  let found: unknown;
  try {
    const all = spec.extractor.extract(response);
    if (spec.mode.kind === 'find') found = all[spec.mode.index];
    else if (spec.mode.kind === 'findAll') found = all.length > 0 ? all : undefined;
    else found = all.length;
    // Transforms apply to what was found; finding nothing stays nothing (Gatling's transform).
    if (found !== undefined) for (const transform of spec.transforms) found = transform(found, session);
  } catch (error) {
    return { ok: false, session, failure: `${description} failed: ${(error as Error).message}` };
  }
  let passed: boolean;
  try {
    passed = validator.test(found, session);
  } catch (error) {
    return { ok: false, session, failure: `${description} failed: ${(error as Error).message}` };
  }
  if (!passed) {
    return { ok: false, session, failure: found === undefined ? `${description}, found nothing` : `${description}, but actually found ${show(found)}` };
  }
  return { ok: true, session: spec.saveAs && found !== undefined ? session.set(spec.saveAs, found) : session };
}

function check(extractor: Extractor): CheckBuilder {
  return build({ extractor, mode: { kind: 'find', index: 0 }, transforms: [] });
}

function toRegExp(pattern: string | RegExp): RegExp {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  const flags = typeof pattern === 'string' ? 'g' : pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  return new RegExp(source, flags);
}

/** Each match: the first capture group when the pattern has one, else the whole match. */
function matches(text: string, pattern: string | RegExp): string[] {
  return [...text.matchAll(toRegExp(pattern))].map((match) => match[1] ?? match[0]);
}

export function status(): CheckBuilder {
  return check({ label: 'status', extract: (response) => [response.status], isStatus: true });
}

/** The default check of a request that has no status check: 2xx or 304, as Gatling. */
export function defaultStatusCheck(): Check {
  const okStatuses = [...Array.from({ length: 100 }, (_, i) => 200 + i), 304];
  return build({ extractor: { label: 'status', extract: (response) => [response.status], isStatus: true }, mode: { kind: 'find', index: 0 }, transforms: [], validator: validators.in(okStatuses, '200-299, 304') });
}

/** A response header's values (a header sent several times, like set-cookie, has several). */
export function header(name: string): CheckBuilder {
  const key = name.toLowerCase();
  return check({ label: `header(${name})`, extract: (response) => response.headers[key] ?? [] });
}

/** Matches of `pattern` in a header's values: `headerRegex('set-cookie', 'auth=([^;]+)')`. */
export function headerRegex(name: string, pattern: string | RegExp): CheckBuilder {
  const key = name.toLowerCase();
  return check({ label: `headerRegex(${name}, ${String(pattern)})`, extract: (response) => (response.headers[key] ?? []).flatMap((value) => matches(value, pattern)) });
}

/** Matches of `pattern` in the body (the first capture group when there is one). */
export function regex(pattern: string | RegExp): CheckBuilder {
  return check({ label: `regex(${String(pattern)})`, readsBody: true, extract: (response) => matches(response.body(), pattern) });
}

/** The whole body as a string. */
export function bodyString(): CheckBuilder {
  return check({ label: 'bodyString', readsBody: true, extract: (response) => [response.body()] });
}

/** JSONPath on the JSON body (jsonpath-plus): `jsonPath('$[*].id').findAll().saveAs('ids')`. */
export function jsonPath(path: string): CheckBuilder {
  return check({
    label: `jsonPath(${path})`,
    readsBody: true,
    extract: (response) => {
      let json: unknown;
      try {
        json = response.json();
      } catch (error) {
        throw new Error(`the body is not JSON (${(error as Error).message})`);
      }
      return JSONPath({ path, json: json as object, wrap: true }) as unknown[];
    },
  });
}

/** Elements matching a CSS selector in the HTML body: their text, or the named attribute's value (elements without it are skipped). */
export function css(selector: string, attribute?: string): CheckBuilder {
  return check({
    label: attribute ? `css(${selector}, ${attribute})` : `css(${selector})`,
    readsBody: true,
    extract: (response) => {
      const elements = response.html().querySelectorAll(selector);
      if (!attribute) return elements.map((element) => element.text);
      return elements.map((element) => element.getAttribute(attribute)).filter((value): value is string => value !== undefined);
    },
  });
}

/** The request's response time (ms), from when it was sent to when its body was read. */
export function responseTimeInMillis(): CheckBuilder {
  return check({ label: 'responseTimeInMillis', extract: (response) => [response.responseTimeMs] });
}
