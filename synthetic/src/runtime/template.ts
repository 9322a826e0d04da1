/**
 * Gatling-style templates: `'/requests/#{id}'`, `'Bearer #{authToken}'`, `'#{user.name}'` (a
 * dotted path into objects and arrays: `#{items.0.id}`). A missing attribute is an error with
 * Gatling's reason, which fails the request that needed it. `\#{` writes a literal `#{`.
 * Wherever a template is accepted, a function of the session works too.
 */
import type { Session } from './session.js';

/** A template string, or a function computing the value from the session. */
export type Expression<T> = T | ((session: Session) => T);

export class TemplateError extends Error {}

type Part = { literal: string } | { path: string[]; source: string };

const compiled = new Map<string, Part[]>();

function compile(template: string): Part[] {
  let parts = compiled.get(template);
  if (parts) return parts;
  parts = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('\\#{', i)) {
      literal += '#{';
      i += 3;
    } else if (template.startsWith('#{', i)) {
      const close = template.indexOf('}', i + 2);
      if (close < 0) throw new TemplateError(`unclosed '#{' in template '${template}'`);
      const source = template.slice(i + 2, close).trim();
      if (source === '') throw new TemplateError(`empty '#{}' in template '${template}'`);
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ path: source.split('.'), source });
      i = close + 1;
    } else {
      literal += template[i++];
    }
  }
  if (literal || parts.length === 0) parts.push({ literal });
  compiled.set(template, parts);
  return parts;
}

export function hasPlaceholders(template: string): boolean {
  return compile(template).some((part) => 'path' in part);
}

/** The value at a dotted path in the session; throws Gatling's reason when it is missing. */
export function lookup(session: Session, path: string[], source = path.join('.')): unknown {
  const [key, ...rest] = path;
  if (!session.contains(key)) throw new TemplateError(`no attribute named '${key}' in the session`);
  let value: unknown = session.get(key);
  let walked = key;
  for (const segment of rest) {
    if (value === null || typeof value !== 'object' || !(segment in (value as object))) {
      throw new TemplateError(`no attribute named '${source}' in the session ('${walked}' has no '${segment}')`);
    }
    value = (value as Record<string, unknown>)[segment];
    walked += `.${segment}`;
  }
  return value;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Resolves a template to a string (objects become JSON). */
export function resolveString(expression: Expression<string>, session: Session): string {
  if (typeof expression === 'function') return stringify(expression(session));
  return compile(expression)
    .map((part) => ('literal' in part ? part.literal : stringify(lookup(session, part.path, part.source))))
    .join('');
}

/**
 * Resolves to the raw value when the template is exactly one placeholder (`'#{ids}'` → the array,
 * `'#{count}'` → the number), else to the string: what foreach, repeat and JsonBody need.
 */
export function resolveValue(expression: Expression<unknown>, session: Session): unknown {
  if (typeof expression === 'function') return expression(session);
  if (typeof expression !== 'string') return expression;
  const parts = compile(expression);
  if (parts.length === 1 && 'path' in parts[0]) return lookup(session, parts[0].path, parts[0].source);
  return resolveString(expression, session);
}
