/**
 * The worked example of docs/load-testing.md is real: its code is taken from the page, loaded
 * the way `lookout load run` loads a simulation (`lookout/load` imports, TypeScript, no build),
 * and its users run against the local target.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSimulation } from '../../synthetic/src/load-simulation.js';
import { drive } from './dsl-driver.js';
import { startTarget, type Target } from './target.js';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await target?.close();
});

function workedExample(): string {
  const page = readFileSync(new URL('../../docs/load-testing.md', import.meta.url), 'utf8');
  const section = page.slice(page.indexOf('## Worked example'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('no ```ts block in the worked example');
  return code;
}

it('runs as written: log in from the CSV users, carry the token, read every open request', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-docs-example-'));
  const code = workedExample();
  // The example thinks 0.5–2 s between reads, as users do; the test does not need to.
  expect(code).toContain('.pause(0.5, 2)');
  writeFileSync(join(dir, 'triage.ts'), code.replace('.pause(0.5, 2)', '.pause(0)').replace('.pause(1)', '.pause(0)'));
  writeFileSync(join(dir, 'users.csv'), 'username,password\nann,secret\nbob,secret\n');
  process.env.TARGET = target.url;
  let loaded;
  try {
    loaded = await loadSimulation(join(dir, 'triage.ts'));
  } finally {
    delete process.env.TARGET;
  }
  const { definition } = loaded;
  expect(definition.scenarios.map((s) => s.name)).toEqual(['Triage']);
  expect(definition.assertions).toHaveLength(3);

  target.reset();
  const run = await drive(definition, { users: 3 });
  expect(run.requests.filter((r) => !r.ok)).toEqual([]);
  expect(run.requests.filter((r) => r.name === 'Login').map((r) => r.groups)).toEqual([['Sign in'], ['Sign in'], ['Sign in']]);
  expect(run.requests.filter((r) => r.name === 'Request')).toHaveLength(150);
  expect(run.groups.filter((g) => g.groups.join('/') === 'Read' && g.ok)).toHaveLength(3);
  // The CSV is circular: ann, bob, then ann again.
  expect(target.tokens.has('ann') && target.tokens.has('bob')).toBe(true);
  expect(target.hits('POST /login')).toBe(3);
  expect(target.log.filter((e) => e.path.startsWith('/requests/')).every((e) => e.headers['user-agent'] === 'lookout-load')).toBe(true);
});
