/**
 * `lookout check` against a real collector: OK while a rule is quiet, CRITICAL with perfdata
 * while it fires, UNKNOWN when it cannot tell (no such rule, refused token, collector down,
 * bad flags) — and the built command's exit code, as Icinga runs it.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand } from '../../collector/src/check/check-command.js';
import { packageRoot } from '../../collector/src/paths.js';
import { until } from '../support/stored-events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { closedPort, startReceiver, type Receiver } from './receiver.js';

let collector: TestCollector;
let hook: Receiver;

beforeAll(async () => {
  hook = await startReceiver('/hook');
  collector = await startTestCollector((config) => {
    config.alerts = { tickMs: 200, minuteMs: 1000, claimSettleMs: 50 };
  });
  const response = await fetch(`${collector.url}/api/1/alerts/rules`, {
    method: 'POST',
    headers: { authorization: `Bearer ${collector.config.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Error rate',
      type: 'error.rate',
      threshold: { rate: 0.2, min_page_views: 10, window_minutes: 30 },
      destinations: [{ type: 'webhook', url: hook.url, secret: 'check-test-secret-1234' }],
    }),
  });
  expect(response.status).toBe(201);
});
afterAll(async () => {
  await collector?.stop();
  await hook?.close();
});

async function check(...extra: string[]): Promise<{ code: number; line: string }> {
  const lines: string[] = [];
  const code = await checkCommand(['--url', collector.url, '--project', '1', '--token', collector.config.adminToken!, ...extra], {}, (line) => lines.push(line));
  return { code, line: lines.join('\n') };
}

const common = () => ({ event_id: randomUUID(), timestamp: Date.now(), url: 'https://shop.example.com/cart', route: '/cart' });

describe('lookout check', () => {
  it('is OK while there is not enough data, CRITICAL with perfdata once the rule fires', async () => {
    expect(await check('--rule', 'error rate')).toEqual({ code: 0, line: 'LOOKOUT OK - Error rate: no data yet' });
    const response = await collector.ingest({
      sdk: { name: 'test', version: '1' },
      events: [
        ...Array.from({ length: 20 }, () => ({ kind: 'navigation', ...common(), type: 'route', duration: 100 })),
        ...Array.from({ length: 10 }, () => ({ kind: 'error', ...common(), type: 'TypeError', message: 'x' })),
      ],
    });
    expect(response.status).toBe(202);
    await collector.processor.drain();
    const critical = await until(async () => {
      const result = await check('--rule', 'Error rate');
      return result.code === 2 && result;
    }, 'CRITICAL');
    expect(critical.line).toBe('LOOKOUT CRITICAL - Error rate: errors per page view 0.5 > 0.2 over 30 min | error_rate=0.5;;0.2;0');
  });

  it('is UNKNOWN when it cannot tell, saying why', async () => {
    expect(await check('--rule', 'nope')).toEqual({ code: 3, line: 'LOOKOUT UNKNOWN - project 1 has no alert rule "nope"; its rules: Error rate' });
    const refused = await checkCommand(['--url', collector.url, '--project', '1', '--token', 'wrong', '--rule', 'x'], {}, () => {});
    expect(refused).toBe(3);
    const lines: string[] = [];
    const down = await checkCommand(['--url', `http://127.0.0.1:${await closedPort()}`, '--project', '1', '--token', 't', '--rule', 'x'], {}, (line) => lines.push(line));
    expect(down).toBe(3);
    expect(lines[0]).toMatch(/^LOOKOUT UNKNOWN - cannot read the rule from .*ECONNREFUSED/);
    const flags: string[] = [];
    expect(await checkCommand(['--url', collector.url], {}, (line) => flags.push(line))).toBe(3);
    expect(flags[0]).toBe('LOOKOUT UNKNOWN - missing --project, --token, --rule (lookout check --help)');
  });

  it('exits with the state as a built command (what Icinga runs)', async () => {
    const bin = resolve(packageRoot, 'bin/lookout.js');
    const result = await promisify(execFile)(process.execPath, [bin, 'check', '--url', collector.url, '--project', '1', '--rule', 'Error rate'], {
      env: { ...process.env, LOOKOUT_TOKEN: collector.config.adminToken },
    }).then(
      (ok) => ({ code: 0, stdout: ok.stdout }),
      (failed: { code: number; stdout: string }) => ({ code: failed.code, stdout: failed.stdout }),
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^LOOKOUT CRITICAL - Error rate/);
  });
});
