/**
 * The tc39 source-map-tests conformance suite (ECMA-426), run against collector/src/symbolicate.
 * Read in place from ../shared/fixtures/source-map-tests (next to the repo; CI has it there too)
 * — not copied, so its README/LICENSE/ATTRIBUTION stay with it.
 *
 * Cases we do not support are listed in KNOWN_UNSUPPORTED with the reason, and run as
 * `it.fails`: if one starts passing, the test fails until it is removed from the list.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SourceMapError, parseSourceMap } from '../../collector/src/symbolicate/index.js';
import type { ParsedMap } from '../../collector/src/symbolicate/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const suiteDir = resolve(repoRoot, '../shared/fixtures/source-map-tests');
const resources = join(suiteDir, 'resources');

interface Action {
  actionType: 'checkMapping' | 'checkMappingTransitive' | 'checkIgnoreList';
  generatedLine?: number;
  generatedColumn?: number;
  originalSource?: string | null;
  originalLine?: number | null;
  originalColumn?: number | null;
  mappedName?: string | null;
  intermediateMaps?: string[];
  present?: string[];
}
interface Case {
  name: string;
  description: string;
  sourceMapFile: string;
  sourceMapIsValid: boolean;
  testActions?: Action[];
}

/** Suite cases this implementation does not pass, and why. Keep in sync with bench/README.md. */
export const KNOWN_UNSUPPORTED: Record<string, string> = {
  // decoding/debug-id: these two fixtures have trailing commas inside "offset" objects, so
  // they are not JSON (ECMA-426 maps are JSON; JSON.parse in every browser rejects them too).
  // We reject them with map_invalid rather than ship a lenient JSON parser for uploads.
  'debug-id-index.map': 'fixture is not valid JSON (trailing commas); rejected as map_invalid',
  'debug-id-index-section.map': 'fixture is not valid JSON (trailing commas); rejected as map_invalid',
};

const load = (file: string): ParsedMap => parseSourceMap(readFileSync(join(resources, file), 'utf8'));

function lookup(map: ParsedMap, line: number, column: number) {
  const p = map.originalPosition(line, column);
  return p ? { source: p.source, line: p.line, column: p.column, name: p.name } : null;
}

function runAction(map: ParsedMap, a: Action): void {
  if (a.actionType === 'checkIgnoreList') {
    const ignored = map.data.ignoreList.map((i) => map.data.sources[i]);
    for (const s of a.present ?? []) expect(ignored).toContain(s);
    return;
  }
  let pos = lookup(map, a.generatedLine!, a.generatedColumn!);
  if (a.actionType === 'checkMappingTransitive') {
    // Each step maps the previous original position through the next map; the name is the
    // last map's (the suite expects `null` when the final map has no `names` at the position).
    for (const next of a.intermediateMaps ?? []) {
      if (!pos) break;
      pos = lookup(load(next), pos.line, pos.column);
    }
  }
  const expected =
    a.originalLine == null
      ? null
      : { source: a.originalSource ?? null, line: a.originalLine, column: a.originalColumn, name: a.mappedName ?? null };
  expect(pos, `${a.actionType} ${a.generatedLine}:${a.generatedColumn}`).toEqual(expected);
}

function runCase(c: Case): void {
  const text = readFileSync(join(resources, c.sourceMapFile), 'utf8');
  if (!c.sourceMapIsValid) {
    let error: unknown;
    try {
      parseSourceMap(text);
    } catch (err) {
      error = err;
    }
    expect(error, 'an invalid map must be rejected').toBeInstanceOf(SourceMapError);
    expect(['map_invalid', 'map_too_large']).toContain((error as SourceMapError).status);
    return;
  }
  const map = parseSourceMap(text);
  for (const a of c.testActions ?? []) runAction(map, a);
}

const present = existsSync(join(suiteDir, 'source-map-spec-tests.json'));

describe.runIf(present)('tc39 source-map-tests: source-map-spec-tests.json', () => {
  const { tests } = JSON.parse(readFileSync(join(suiteDir, 'source-map-spec-tests.json'), 'utf8')) as { tests: Case[] };
  it('has the expected number of cases', () => expect(tests.length).toBeGreaterThanOrEqual(99));
  for (const c of tests) {
    const why = KNOWN_UNSUPPORTED[c.name];
    if (why) it.fails(`${c.name} (known unsupported: ${why})`, () => runCase(c));
    else it(`${c.name}: ${c.description}`, () => runCase(c));
  }
});

describe.runIf(present)('tc39 source-map-tests: decoding/debug-id goldens', () => {
  const dir = join(suiteDir, 'decoding/debug-id');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.map'))) {
    const why = KNOWN_UNSUPPORTED[f];
    (why ? it.fails : it)(why ? `${f} (known unsupported: ${why})` : f, () => {
      const golden = JSON.parse(readFileSync(join(dir, `${f}.golden`), 'utf8')) as { debugId?: string; sources: unknown[] };
      const map = parseSourceMap(readFileSync(join(dir, f), 'utf8'));
      expect(map.data.debugId).toBe(golden.debugId ?? null);
      expect(map.data.sources.length).toBe(golden.sources.length);
    });
  }
});

describe.runIf(present)('tc39 source-map-tests: decoding/scopes (proposal not implemented)', () => {
  // The scopes proposal (function names from original scopes) is not decoded: trace-mapping
  // does not implement it. These maps must still parse, and lookups ignore the `scopes` field.
  // (Enclosing-function names come from parsing the minified code instead: scopes.ts.)
  const dir = join(suiteDir, 'decoding/scopes');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.map'))) {
    it(`${f} parses (scopes ignored)`, () => {
      expect(() => parseSourceMap(readFileSync(join(dir, f), 'utf8'))).not.toThrow();
    });
  }
});

it('the suite is next to the repo (../shared/fixtures/source-map-tests)', () => {
  expect(present, `tc39 suite not found at ${suiteDir}`).toBe(true);
});
