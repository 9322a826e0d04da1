/**
 * `lookout load run` through the CLI: exit code 0 when every assertion passes, 1 naming the one
 * that failed, 2 for usage errors; a real DSL simulation file (TypeScript, importing
 * 'lookout/load') end to end in a child process, from source and — once `npm run build` has
 * run — compiled.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommand } from '../../synthetic/src/cli.js';
import { type RunTarget, startRunTarget } from './run-support.js';

const root = resolve(import.meta.dirname, '../..');
let target: RunTarget;
let dir: string;

beforeAll(async () => {
  target = await startRunTarget({ delayMs: 5 });
  dir = await mkdtemp(join(tmpdir(), 'lookout-run-cli-'));
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

/** A simulation written by hand (no DSL): plain data and a runUser, as a .mjs file. */
function handBuiltSimulation(assertions: object[], path = '/ok'): string {
  return `
import { Pool } from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('undici')).href)};
const pool = new Pool(${JSON.stringify(target.url)});
export default {
  scenarios: [{
    name: 'status',
    injection: [{ model: 'open', kind: 'constantRate', rate: 50, seconds: 1 }],
    async runUser(context) {
      const start = performance.now();
      const response = await pool.request({ method: 'GET', path: ${JSON.stringify(path)} });
      await response.body.dump();
      context.recorder.request({ name: 'ok', groups: [], intendedStart: context.arrival, start, end: performance.now(), ok: response.statusCode === 200, status: response.statusCode });
    },
  }],
  assertions: ${JSON.stringify(assertions)},
  throttle: [],
  close: () => pool.close(),
};
`;
}

async function capture(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await loadCommand(argv, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('loadCommand', () => {
  it('exits 0 when every assertion passes, printing the summary table and the assertions', async () => {
    const file = join(dir, 'passing.mjs');
    await writeFile(file, handBuiltSimulation([{ scope: 'global', path: [], metric: 'failedRequests', stat: 'count', op: 'is', value: 0 }]));
    const result = await capture(['run', file, '--quiet']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Global\s+50\s+50\s+0/);
    expect(result.out).toContain('Global: count of failed requests is 0 : OK');
  });

  it('exits 1 when an assertion fails, and says which', async () => {
    const file = join(dir, 'failing.mjs');
    await writeFile(
      file,
      handBuiltSimulation([
        { scope: 'global', path: [], metric: 'allRequests', stat: 'count', op: 'is', value: 50 },
        { scope: 'details', path: ['ok'], metric: 'responseTime', stat: 'max', op: 'lt', value: 1 },
      ]),
    );
    const result = await capture(['run', file, '--quiet']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('assertion failed: ok: max of response time is less than 1 ms');
    expect(result.err).not.toContain('count of all requests');
    expect(result.out).toContain('Global: count of all requests is 50 : OK');
  });

  it('without assertions, exits 0 when no request failed and 1 when some did (as its JUnit file says)', async () => {
    const clean = join(dir, 'no-assertions.mjs');
    await writeFile(clean, handBuiltSimulation([]));
    expect((await capture(['run', clean, '--quiet'])).code).toBe(0);
    const failing = join(dir, 'no-assertions-404.mjs');
    await writeFile(failing, handBuiltSimulation([], '/no-such-route'));
    const result = await capture(['run', failing, '--quiet']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('no assertions declared, and 50 of 50 requests failed');
  });

  it('exits 2 for usage errors', async () => {
    expect((await capture([])).code).toBe(2);
    expect((await capture(['fly'])).code).toBe(2);
    expect((await capture(['run'])).code).toBe(2);
    const missing = await capture(['run', join(dir, 'nope.ts')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no simulation at');
    expect((await capture(['run', join(dir, 'passing.mjs'), '--report-to', 'http://127.0.0.1:1'])).code).toBe(2);
    expect((await capture(['run', join(dir, 'passing.mjs'), '--bogus'])).code).toBe(2);
    const notSimulation = join(dir, 'not-a-simulation.mjs');
    await writeFile(notSimulation, 'export default 42;\n');
    expect((await capture(['run', notSimulation])).err).toContain('must `export default simulation');
  });
});

/** A real DSL simulation, TypeScript, importing the DSL as users do. */
async function dslSimulation(name: string) {
  const file = join(dir, name);
  await writeFile(
    file,
    `import { constantUsersPerSec, exec, global, details, http, httpProtocol, scenario, simulation, status } from 'lookout/load';

const target: string = ${JSON.stringify(target.url)};
const check = scenario('Check').exec(http('Status').get('/ok').check(status().is(200)));

export default simulation({
  protocol: httpProtocol().baseUrl(target),
  scenarios: [check.injectOpen(constantUsersPerSec(40).during(2))],
  assertions: [
    global().failedRequests().count().is(0),
    details('Status').responseTime().max().lt(0.001),
  ],
});
`,
  );
  return file;
}

/** collector/src/cli.ts's main, as bin/lookout.js calls it, but from source. */
const FROM_SOURCE = "const { main } = await import('./collector/src/cli.ts'); await main(process.argv.slice(1));";

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('a DSL simulation file through `lookout load run`', () => {
  it('from source (collector/src/cli.ts main under tsx): runs, reports, exits 1 naming the failed assertion', async () => {
    const file = await dslSimulation('status-check.ts');
    const reportDir = join(dir, 'report');
    const before = target.arrivals.length;
    const result = await runCli(['--import', 'tsx', '--input-type=module', '-e', FROM_SOURCE, 'load', 'run', file, '--report-dir', reportDir, '--label', 'abc123']);
    expect(result.stderr).toContain('assertion failed: Status: max of response time is less than 0.001 ms');
    expect(result.code).toBe(1);
    expect(target.arrivals.length - before).toBe(80);
    expect(result.stdout).toContain('Global: count of failed requests is 0 : OK');
    const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ simulation: 'status-check', label: 'abc123', global: { count: 80, ko: 0 } });
  });

  it.skipIf(!existsSync(join(root, 'dist/synthetic/src/cli.js')))('compiled (bin/lookout.js, after npm run build): the same file runs against dist/', async () => {
    const file = await dslSimulation('status-check-dist.ts');
    const before = target.arrivals.length;
    const result = await runCli(['bin/lookout.js', 'load', 'run', file, '--quiet']);
    expect(result.stderr).toContain('assertion failed: Status: max of response time');
    expect(result.code).toBe(1);
    expect(target.arrivals.length - before).toBe(80);
  });
});
