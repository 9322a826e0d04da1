/**
 * The same bug thrown in Chromium, Firefox, Safari (and Edge/IE) groups into one
 * fingerprint: real browser traces from shared/fixtures/stacks, parsed by the agent's own
 * parser, then fingerprinted. Families are the cases whose source tests throw the same
 * error from the same functions in different browsers.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { framesOf, type ErrorLike } from '../../agent/src/stack.js';
import '../../agent/src/presto.js';
import { fingerprintError, type FingerprintOptions } from '../../collector/src/issues/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = resolve(repoRoot, '../shared/fixtures/stacks');
interface Case { test: string; fixture?: string; input: ErrorLike }
const load = (name: string): Case[] => JSON.parse(readFileSync(resolve(fixtures, name), 'utf8'));
const sentry = load('sentry-javascript.json');
const esp = load('error-stack-parser.json');

/** A case by source and test name (the error-stack-parser cases by their fixture name). */
function pick(source: 'sentry' | 'esp', name: string): Case {
  const found = source == 'sentry' ? sentry.filter((c) => c.test.endsWith(name)) : esp.filter((c) => c.fixture == name);
  if (found.length != 1) throw new Error(`${source} "${name}": ${found.length} matches`);
  return found[0];
}

/**
 * The source tests often name the error "foo" (or leave it out) where the browser said
 * TypeError; V8 and IE stacks still carry the real name in their header. A family states
 * the real type; the test checks that every case either names it or is such a placeholder.
 */
const PLACEHOLDERS = new Set([undefined, '', 'foo', 'bar']);
function typeOf(c: Case, familyType: string): string {
  const header = /^(\w+): /.exec(c.input.stack ?? '')?.[1];
  if (header) expect(header, c.test).toBe(familyType);
  if (!PLACEHOLDERS.has(c.input.name)) expect(c.input.name, c.test).toBe(familyType);
  return familyType;
}

interface Family {
  name: string;
  type: string;
  cases: Array<[browser: string, source: 'sentry' | 'esp', test: string]>;
  options?: FingerprintOptions;
}

const FAMILIES: Family[] = [
  {
    name: 'native code frames (fooIterator → Array.map → foo)',
    type: 'Error',
    cases: [
      ['Chrome 73', 'sentry', 'should parse Chrome 73 with native code frames'],
      ['Firefox 66', 'sentry', 'should parse exceptions with native code frames in Firefox 66'],
      ['Safari 12', 'sentry', 'should parse exceptions with native code frames in Safari 12'],
      ['Edge 44', 'sentry', 'should parse exceptions with native code frames in Edge 44'],
    ],
  },
  {
    name: 'eval frames (aha → callAnotherThing → callback → map → test → eval → testMethod)',
    type: 'Error',
    cases: [
      ['Chrome 73', 'sentry', 'should parse exceptions with eval frames in Chrome 73'],
      ['Firefox 66', 'sentry', 'should parse exceptions with eval frames in Firefox 66'],
      ['Safari 12', 'sentry', 'should parse exceptions with eval frames in Safari 12'],
      ['Edge 44', 'sentry', 'should parse exceptions with eval frames in Edge 44'],
    ],
  },
  {
    name: "x.undef on null (anonymous → foo → bar)",
    type: 'TypeError',
    cases: [
      ['Opera 25 (Blink)', 'sentry', 'should parse Opera 25 error'],
      ['Safari 7', 'sentry', 'should parse Safari 7 error'],
      ['Safari 8', 'sentry', 'should parse Safari 8 error'],
      ['IE 10', 'sentry', 'should parse IE 10 error'],
      ['IE 11', 'sentry', 'should parse IE 11 error'],
      ['Opera 25 (Blink)', 'esp', 'OPERA_25'],
      ['Safari 7', 'esp', 'SAFARI_7'],
      ['Safari 8', 'esp', 'SAFARI_8'],
      ['IE 10', 'esp', 'IE_10'],
      ['IE 11', 'esp', 'IE_11'],
    ],
  },
  {
    name: 'x is null in a click handler (anonymous → dumpException3 → onclick)',
    type: 'TypeError',
    cases: [
      ['Firefox 14', 'sentry', 'should parse Firefox 14 error'],
      ['Safari 6', 'sentry', 'should parse Safari 6 error'],
      ['Safari 6', 'esp', 'SAFARI_6'],
    ],
  },
  {
    name: 'this.undef() under recursion (bar → bar → foo), stacktrace.js frames configured out',
    type: 'TypeError',
    options: { notInApp: [/\/stacktrace\.js$/] },
    cases: [
      ['Chrome 15', 'sentry', 'should parse Chrome 15 error'],
      ['Chrome 15', 'esp', 'CHROME_15'],
      ['Firefox 3', 'sentry', 'should parse Firefox 3 error'],
      ['Firefox 7', 'sentry', 'should parse Firefox 7 error'],
    ],
  },
  {
    name: "ReferenceError in eval'd code (eval → foo → bar)",
    type: 'ReferenceError',
    cases: [
      ['IE 11', 'sentry', 'should parse IE 11 eval error'],
      ['Safari 8', 'sentry', 'should parse Safari 8 eval error'],
    ],
  },
  {
    name: 'nested eval (baz → foo → eval → speak), Chromium and Firefox',
    type: 'Error',
    cases: [
      ['Chrome', 'sentry', 'should parse nested eval() from Chrome'],
      ['Chrome 48', 'esp', 'CHROME_48_NESTED_EVAL'],
      ['Firefox', 'sentry', 'should parse Firefox errors with eval URLs'],
      ['Firefox 43', 'esp', 'FIREFOX_43_NESTED_EVAL'],
    ],
  },
];

function fingerprintCase(c: Case, family: Family) {
  return fingerprintError({ type: typeOf(c, family.type), message: c.input.message, frames: framesOf(c.input) }, family.options);
}

describe('one fingerprint per bug across browsers (real traces, agent parser)', () => {
  const byFamily = new Map<string, string>();
  for (const family of FAMILIES) {
    it(`${family.name}: ${family.cases.length} cases`, () => {
      const results = family.cases.map(([browser, source, test]) => ({ browser, ...fingerprintCase(pick(source, test), family) }));
      // All from the stack, never the message (which differs across browsers).
      for (const r of results) expect(r.kind, r.browser).toBe('stack');
      const first = results[0];
      for (const r of results) expect({ browser: r.browser, parts: r.parts }).toEqual({ browser: r.browser, parts: first.parts });
      expect(new Set(results.map((r) => r.hash)).size).toBe(1);
      // At least two engines: the point of the family.
      expect(new Set(family.cases.map(([browser]) => browser.split(' ')[0])).size).toBeGreaterThan(1);
      byFamily.set(family.name, first.hash);
    });
  }

  it('different bugs get different fingerprints', () => {
    expect(byFamily.size).toBe(FAMILIES.length);
    expect(new Set(byFamily.values()).size).toBe(FAMILIES.length);
  });

  it('every fixture case fingerprints, and distinct stacks stay apart', () => {
    const hashes = new Map<string, string[]>();
    for (const c of [...sentry, ...esp]) {
      const fp = fingerprintError({ type: c.input.name, message: c.input.message, frames: framesOf(c.input) });
      expect(fp.hash).toMatch(/^[0-9a-f]{40}$/);
      hashes.set(fp.hash, [...(hashes.get(fp.hash) ?? []), c.fixture ?? c.test]);
    }
    // 82 cases, many of them the same trace in both sources or the same bug in several
    // browsers; they must still spread over many groups, not collapse into a handful.
    expect(hashes.size).toBeGreaterThan(40);
  });

  it('the same case with its frames in a different function is a different bug', () => {
    const family = FAMILIES[0];
    const c = pick('sentry', family.cases[0][2]);
    const frames = framesOf(c.input);
    const renamed = frames.map((f) => (f.function == 'fooIterator' ? { ...f, function: 'barIterator' } : f));
    const a = fingerprintError({ type: 'Error', message: 'test', frames });
    const b = fingerprintError({ type: 'Error', message: 'test', frames: renamed });
    const c2 = fingerprintError({ type: 'TypeError', message: 'test', frames });
    expect(b.hash).not.toBe(a.hash);
    expect(c2.hash).not.toBe(a.hash);
  });
});
