/**
 * The Icinga2 destination against a real Icinga 2 (Debian `icinga2`, started isolated by
 * test/support/icinga2.ts): check results land on the passive service, the state is read back
 * through Icinga's API — CRITICAL on the alert, OK when it clears, UNKNOWN after the ttl with the
 * collector silent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createIcinga2Destination,
  icinga2CheckResult,
  performanceData,
  pluginOutput,
  PLUGIN_OUTPUT_LIMIT,
  type Icinga2DestinationOptions,
} from '../../collector/src/alerts/destinations/icinga2.js';
import type { AlertMessage, Destination, DestinationLog } from '../../collector/src/alerts/destinations/types.js';
import { startIcinga2, type Icinga2, type ServiceState } from '../support/icinga2.js';

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

function memoryLog(): DestinationLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

const link = 'https://lookout.example.com/projects/1/alerts/errors-spike';

const firing: AlertMessage = {
  kind: 'threshold.firing',
  projectId: 1,
  rule: { id: 'errors-spike', name: 'Errors spike' },
  title: 'Errors spike: 42 errors in 5 minutes',
  summary: 'More than 30 errors in the last 5 minutes on shop.',
  metric: { name: 'errors', value: 42, threshold: 30, windowMinutes: 5 },
  link,
};

const resolved: AlertMessage = {
  ...firing,
  kind: 'threshold.resolved',
  title: 'Errors spike resolved: 3 errors in 5 minutes',
  summary: 'Back under 30 errors in 5 minutes.',
  metric: { name: 'errors', value: 3, threshold: 30, windowMinutes: 5 },
};

/** Polls until `accept` holds; no time bound in the assertion, only a generous give-up. */
async function waitForState(icinga: Icinga2, accept: (s: ServiceState) => boolean, what: string, giveUpMs = 60_000): Promise<ServiceState> {
  const started = Date.now();
  let last: ServiceState | undefined;
  for (;;) {
    last = await icinga.serviceState('shop', 'lookout-errors');
    if (accept(last)) return last;
    if (Date.now() - started > giveUpMs) throw new Error(`${what}: not seen within ${giveUpMs} ms; last state ${JSON.stringify(last)}\n${icinga.output().slice(-3000)}`);
    await delay(250);
  }
}

describe('Icinga2 check results (pure)', () => {
  it('maps kinds to exit statuses, one-line output with the link, perfdata from the metric', () => {
    const options = { host: 'shop', service: 'lookout-errors', ttlSeconds: 300, checkSource: 'lookout-test' };
    expect(icinga2CheckResult(firing, options)).toEqual({
      type: 'Service',
      service: 'shop!lookout-errors',
      exit_status: 2,
      plugin_output: `CRITICAL - Errors spike: 42 errors in 5 minutes: More than 30 errors in the last 5 minutes on shop. ${link}`,
      performance_data: ['errors_5m=42;;30;0'],
      check_source: 'lookout-test',
      ttl: 300,
    });
    expect(icinga2CheckResult(resolved, options).exit_status).toBe(0);
    expect(icinga2CheckResult({ ...firing, kind: 'issue.new', metric: undefined }, options).exit_status).toBe(2);
    expect(icinga2CheckResult({ ...firing, kind: 'issue.regression' }, options).exit_status).toBe(2);
    expect(icinga2CheckResult(firing, { ...options, firingState: 'WARNING' }).exit_status).toBe(1);
    expect(performanceData(firing, 'WARNING')).toEqual(['errors_5m=42;30;;0']);
    const test = icinga2CheckResult({ ...firing, kind: 'test', title: 'Lookout test alert', summary: 'It works.', metric: undefined }, { ...options, ttlSeconds: 0 });
    expect(test.exit_status).toBe(0);
    expect(test.plugin_output).toMatch(/^OK - test alert from Lookout: /);
    expect(test).not.toHaveProperty('ttl');
    expect(performanceData({ ...firing, kind: 'issue.new', metric: { name: 'Error rate', value: 0.125, threshold: 0.05, windowMinutes: 15 }, issue: { id: 'a'.repeat(16), events: 12, users: 4 } })).toEqual([
      'error_rate_15m=0.125;;0.05;0',
      'events=12;;;0',
      'users=4;;;0',
    ]);
  });

  it('keeps plugin_output on one line, at most 1,000 characters, the link whole', () => {
    const long = pluginOutput({ ...firing, title: 'TypeError:\ncannot read\r\n  x', summary: 'y'.repeat(5000) }, 2);
    expect(long).not.toMatch(/[\r\n]/);
    expect(long.length).toBeLessThanOrEqual(PLUGIN_OUTPUT_LIMIT);
    expect(long.endsWith(` ${link}`)).toBe(true);
    expect(long).toMatch(/^CRITICAL - TypeError: cannot read x: y+… https:/);
  });
});

describe('Icinga2 destination against a real Icinga 2', () => {
  let icinga: Icinga2;
  const destinations: Destination[] = [];
  const make = (overrides: Partial<Icinga2DestinationOptions> = {}) => {
    const log = memoryLog();
    const destination = createIcinga2Destination({
      url: icinga.url,
      username: icinga.users.lookout.username,
      password: icinga.users.lookout.password,
      caFile: icinga.caFile,
      host: 'shop',
      service: 'lookout-errors',
      ttlSeconds: 600,
      checkSource: 'lookout-test',
      log,
      backoffBaseMs: 10,
      backoffCapMs: 50,
      ...overrides,
    });
    destinations.push(destination);
    return { destination, log };
  };

  beforeAll(async () => {
    const started = Date.now();
    icinga = await startIcinga2();
    console.log(`icinga2 ready in ${Date.now() - started} ms (certificates included); its API answered ${icinga.startupMs} ms after the daemon was spawned`);
  });

  afterAll(async () => {
    await Promise.all(destinations.map((d) => d.close()));
    await icinga?.stop();
  });

  it('CRITICAL on the alert with our output, perfdata and check_source; OK when it clears', async () => {
    const { destination, log } = make();
    const sent = await destination.send(firing);
    expect(sent, JSON.stringify(log.lines)).toEqual({ ok: true, status: 200, attempts: 1 });
    const critical = await waitForState(icinga, (s) => s.state === 2, 'CRITICAL');
    // Icinga keeps a passive result's exit status as the result's `state` (its `exit_status` stays 0).
    expect(critical.lastCheckResult).toMatchObject({
      state: 2,
      output: `CRITICAL - Errors spike: 42 errors in 5 minutes: More than 30 errors in the last 5 minutes on shop. ${link}`,
      performance_data: ['errors_5m=42;;30;0'],
      check_source: 'lookout-test',
      ttl: 600,
    });

    expect(await destination.send(resolved)).toMatchObject({ ok: true, attempts: 1 });
    const ok = await waitForState(icinga, (s) => s.state === 0, 'OK');
    expect(ok.lastCheckResult).toMatchObject({ state: 0, performance_data: ['errors_5m=3;;30;0'] });
    expect(ok.lastCheckResult!.output).toMatch(/^OK - Errors spike resolved/);
    expect(log.lines.filter((l) => l.level !== 'info')).toEqual([]);
  });

  it('a test message is OK with "test" in the output; a client certificate works as well as a password', async () => {
    const { destination } = make({ username: undefined, password: undefined, certFile: icinga.clientCertFile, keyFile: icinga.clientKeyFile, checkSource: 'lookout-cert' });
    expect(await destination.send({ ...firing, kind: 'test', title: 'Lookout test alert', summary: 'Icinga2 destination works.', metric: undefined })).toMatchObject({ ok: true });
    const state = await waitForState(icinga, (s) => s.lastCheckResult?.check_source === 'lookout-cert', 'the test result');
    expect(state.state).toBe(0);
    expect(state.lastCheckResult!.output).toMatch(/test/);
  });

  it('a wrong password: ok=false with what to fix, not retried, the password never logged', async () => {
    const { destination, log } = make({ password: 'not-the-password', maxAttempts: 5 });
    const result = await destination.send(firing);
    expect(result).toMatchObject({ ok: false, status: 401, attempts: 1 });
    expect(result.error).toMatch(/refused the credentials.*username and password.*docs\/icinga2\.md/);
    expect(JSON.stringify(log.lines)).not.toContain('not-the-password');
    expect(log.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('an unknown service: ok=false saying which service to define, not retried', async () => {
    const { destination } = make({ service: 'no-such-service', maxAttempts: 5 });
    const result = await destination.send(firing);
    expect(result).toMatchObject({ ok: false, status: 404, attempts: 1 });
    expect(result.error).toContain('define the passive service no-such-service on host shop');
  });

  it("without Icinga's CA: a TLS error naming caFile, not retried", async () => {
    const { destination } = make({ caFile: undefined, maxAttempts: 5 });
    const result = await destination.send(firing);
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.error).toMatch(/TLS: .*caFile/);
  });

  it('nobody listening: retried with backoff, then ok=false', async () => {
    const { destination, log } = make({ url: 'https://localhost:1', maxAttempts: 3 });
    const result = await destination.send(firing);
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(result.error).toMatch(/network error: .*gave up after 3 attempts/);
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('after close, sends end at once with "destination closed"', async () => {
    const { destination } = make();
    await destination.close();
    expect(await destination.send(firing)).toEqual({ ok: false, attempts: 0, error: 'destination closed' });
  });

  it('UNKNOWN once the ttl runs out with the collector silent', async () => {
    const ttlSeconds = 5;
    const { destination } = make({ ttlSeconds });
    const sentAt = Date.now();
    expect(await destination.send(firing)).toMatchObject({ ok: true });
    const first = await icinga.serviceState('shop', 'lookout-errors');
    // The collector stops: no more results.
    await destination.close();
    if (Date.now() - sentAt < ttlSeconds * 1000 - 500) {
      expect(first.state).toBe(2);
      expect(first.lastCheckResult).toMatchObject({ state: 2, ttl: ttlSeconds });
    }
    const unknown = await waitForState(icinga, (s) => s.state === 3, 'UNKNOWN after the ttl', 60_000);
    expect(unknown.lastCheckResult!.output).toMatch(/No Passive Check Result Received/i);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(ttlSeconds * 1000 - 1000);
  }, 90_000);
});
