/**
 * `lookout certs check` as a user runs it: a child process through the collector's CLI dispatch
 * (collector/src/cli.ts main, run by tsx so the test needs no build), against real TLS servers.
 * Table, --json, --plugin: the output and the exit status of each.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../certs/src/contract.js';
import { createPki, type IssuingCa, type Pki } from './pki.js';
import { chainPem, serveTls, serveStarttls, type Endpoint } from './tls-servers.js';

const ROOT = resolve(import.meta.dirname, '../..');
let pki: Pki;
let inter: IssuingCa;
let caFile: string;
let okPort: number;
let tenDaysPort: number;
let expiredPort: number;
let smtpPort: number;
const endpoints: Endpoint[] = [];

function lookout(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `const { main } = await import(${JSON.stringify(resolve(ROOT, 'collector/src/cli.ts'))}); await main(${JSON.stringify(args)});`;
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  pki = await createPki();
  inter = await pki.intermediate({ name: 'inter', cn: 'CLI Intermediate' });
  caFile = await pki.bundle('root', [pki.root]);
  const ok = await pki.leaf({ name: 'ok', sans: ['cli.lookout.test', 'localhost'], issuer: inter, days: 120 });
  const tenDays = await pki.leaf({ name: 'ten', sans: ['cli.lookout.test'], issuer: inter, notAfter: new Date(Date.now() + 10.5 * 86_400_000) });
  const expired = await pki.leaf({ name: 'expired', sans: ['cli.lookout.test'], issuer: inter, notBefore: new Date(Date.now() - 9 * 86_400_000), notAfter: new Date(Date.now() - 1.5 * 86_400_000) });
  const servers = await Promise.all([
    serveTls({ key: ok.key, cert: chainPem(ok, inter) }),
    serveTls({ key: tenDays.key, cert: chainPem(tenDays, inter) }),
    serveTls({ key: expired.key, cert: chainPem(expired, inter) }),
    serveStarttls('smtp', { key: ok.key, cert: chainPem(ok, inter) }),
  ]);
  endpoints.push(...servers);
  [okPort, tenDaysPort, expiredPort, smtpPort] = servers.map((s) => s.port) as [number, number, number, number];
});

afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  await pki?.cleanup();
});

describe('lookout certs check', () => {
  it('the table: one row per target and address, verdict messages below; exit 0 when all is ok', async () => {
    const [ok, bad] = await Promise.all([
      lookout(['certs', 'check', `127.0.0.1:${okPort}`, '--sni', 'cli.lookout.test', '--ca-file', caFile]),
      lookout(['certs', 'check', `127.0.0.1:${okPort}`, `127.0.0.1:${expiredPort}`, '--sni', 'cli.lookout.test', '--ca-file', caFile]),
    ]);
    expect(ok.code).toBe(0);
    const [header, row] = ok.stdout.split('\n');
    expect(header).toMatch(/^TARGET\s+ADDRESS\s+STATE\s+DAYS\s+PROTOCOL\s+CHAIN\s+VERDICTS$/);
    expect(row).toMatch(new RegExp(`^127\\.0\\.0\\.1:${okPort}\\s+127\\.0\\.0\\.1\\s+OK\\s+119\\s+TLSv1\\.3\\s+cli\\.lookout\\.test < CLI Intermediate < \\(Lookout Test Root CA\\)\\s+-$`));

    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${expiredPort}\\s+127\\.0\\.0\\.1\\s+CRITICAL\\s+-2\\s+.*expired`));
    expect(bad.stdout).toContain(`  127.0.0.1:${expiredPort} 127.0.0.1: [critical] the certificate expired on`);
  });

  it('--json: the CheckResults; exit 1 for a warning', async () => {
    const { code, stdout } = await lookout(['certs', 'check', `127.0.0.1:${tenDaysPort}`, '--sni', 'cli.lookout.test', '--ca-file', caFile, '--json', '--warn', '30', '--crit', '5']);
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as CheckResult[];
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ target: { host: '127.0.0.1', port: tenDaysPort, protocol: 'tls', serverName: 'cli.lookout.test' }, state: 'warning', minDaysLeft: 10 });
    expect(results[0]!.addresses[0]!.verdicts.map((v) => v.code)).toEqual(['expiring_warning', 'ocsp_stapling_absent']);
  });

  it('--plugin: one line with perfdata and exit 0/1/2, per address when several', async () => {
    const [ok, warning, critical] = await Promise.all([
      lookout(['certs', 'check', `127.0.0.1:${okPort}`, '--sni', 'cli.lookout.test', '--ca-file', caFile, '--plugin']),
      lookout(['certs', 'check', `127.0.0.1:${tenDaysPort}`, '--sni', 'cli.lookout.test', '--ca-file', caFile, '--plugin', '--warn', '20', '--crit', '7']),
      lookout(['certs', 'check', `127.0.0.1:${okPort}`, `127.0.0.1:${expiredPort}`, '--sni', 'cli.lookout.test', '--ca-file', caFile, '--plugin']),
    ]);
    expect(ok).toMatchObject({ code: 0, stdout: `CERT OK - 127.0.0.1:${okPort}: 119 days left (1 address) | days_left=119;30;14\n` });

    expect(warning.code).toBe(1);
    expect(warning.stdout).toMatch(new RegExp(`^CERT WARNING - 127\\.0\\.0\\.1:${tenDaysPort} 127\\.0\\.0\\.1: the certificate expires in 10 days \\(\\d{4}-\\d\\d-\\d\\d\\) \\| days_left=10;20;7\\n$`));

    expect(critical.code).toBe(2);
    expect(critical.stdout.split('\n')).toHaveLength(2);
    expect(critical.stdout).toMatch(/^CERT CRITICAL - 127\.0\.0\.1:\d+ 127\.0\.0\.1: the certificate expired on .* \| /);
    expect(critical.stdout.trim().split(' | ')[1]).toBe(`'days_left 127.0.0.1:${okPort} 127.0.0.1'=119;30;14 'days_left 127.0.0.1:${expiredPort} 127.0.0.1'=-2;30;14`);
  });

  it('--starttls smtp and --timeout; a name that does not resolve is UNKNOWN (3)', async () => {
    const [smtp, unknown] = await Promise.all([
      lookout(['certs', 'check', `127.0.0.1:${smtpPort}`, '--starttls', 'smtp', '--sni', 'localhost', '--ca-file', caFile, '--timeout', '3000', '--plugin']),
      lookout(['certs', 'check', 'nothing.invalid:443', '--plugin']),
    ]);
    expect(smtp).toMatchObject({ code: 0, stdout: `CERT OK - 127.0.0.1:${smtpPort}: 119 days left (1 address) | days_left=119;30;14\n` });

    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toMatch(/^CERT UNKNOWN - cannot resolve nothing\.invalid: .*\n$/);
  });

  it('usage errors exit 3: on stderr with the usage, or as an UNKNOWN plugin line', async () => {
    // Independent runs at once: each child process spends most of its time starting tsx.
    const [missing, badFlag, inverted, help] = await Promise.all([
      lookout(['certs', 'check']),
      lookout(['certs', 'check', 'example.com', '--starttls', 'gopher', '--plugin']),
      lookout(['certs', 'check', 'example.com', '--warn', '5', '--crit', '10']),
      lookout(['certs', '--help']),
    ]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('lookout certs: no target');
    expect(missing.stderr).toContain('Usage: lookout certs check <host[:port]>... [options]');

    expect(badFlag).toMatchObject({ code: 3, stdout: 'CERT UNKNOWN - --starttls is one of smtp, imap, pop3, ftp, postgres\n' });

    expect(inverted.code).toBe(3);
    expect(inverted.stderr).toContain('--crit (10) is more than --warn (5)');

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--plugin');
  });
});
