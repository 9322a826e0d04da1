/**
 * Side by side: the same real servers checked by our checker, Debian's testssl (testssl.sh) and
 * ssl-cert-check — days left, chain validity and hostname — written as a table to
 * test-results/certs/comparison.md (docs/certs.md explains every difference).
 *
 * The assertions are where the tools must agree: every tool saw the same leaf (fingerprint or
 * serial), days left within 1 day, and chain validity and hostname where both report them. The
 * differences that follow from how a tool works are asserted too, so the docs cannot drift from
 * what the tools do: ssl-cert-check cannot send an SNI name other than the host it connects to
 * (it gets the default server's certificate), and testssl counts an expired leaf as a failed
 * chain of trust while we report it as `expired` with the chain itself fine.
 *
 * testssl is slow (a bash program forking openssl hundreds of times: ~15 s per target on an idle
 * 2-core box), so it runs `-S` (server defaults: the certificate part) with `--ssl-native` on five
 * targets at once, each bounded by a timeout.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTarget } from '../../certs/src/check.js';
import type { CertTarget, CheckOptions, VerdictCode } from '../../certs/src/contract.js';
import { startExim4, type Exim4 } from '../support/exim4.js';
import { startNginx, type Nginx } from '../support/nginx.js';
import { createPki, type Issued, type IssuingCa, type Pki } from './pki.js';

const run = promisify(execFile);
const DAY = 86_400_000;
const TESTSSL = process.env.TESTSSL_BIN ?? '/usr/bin/testssl';
const SSL_CERT_CHECK = process.env.SSL_CERT_CHECK_BIN ?? '/usr/bin/ssl-cert-check';
const TESTSSL_TIMEOUT_MS = 70_000;
const REPORT = join(process.cwd(), 'test-results/certs/comparison.md');

interface Case {
  name: string;
  /** What the server presents, in words, for the table. */
  serves: string;
  target: CertTarget;
  /** The leaf the server presents for `target.serverName`. */
  leaf: Issued;
  /** Also run testssl (the slow one). */
  testssl: boolean;
}

interface Ours {
  daysLeft: number;
  chainValid: boolean;
  hostnameOk: boolean;
  codes: VerdictCode[];
  fingerprint: string;
}

interface Testssl {
  /** testssl's own count when it prints one ("expires < 30 days (19)"), else from cert_notAfter. */
  daysLeft: number;
  daysFromNotAfter: boolean;
  expiration: string;
  chainOfTrust: string;
  chainValid: boolean;
  trust: string;
  hostnameOk: boolean;
  fingerprint: string;
  seconds: number;
}

interface SslCertCheck {
  status: string;
  daysLeft: number;
  /** The serial of the certificate it looked at (`-S`), uppercase hex. */
  serial: string;
  commonName: string;
}

interface Row {
  case: Case;
  ours: Ours;
  testssl?: Testssl;
  sslCertCheck: SslCertCheck;
}

const CHAIN_CODES: VerdictCode[] = ['chain_unverified', 'missing_intermediate', 'self_signed'];

let pki: Pki;
let inter: IssuingCa;
let nginx: Nginx | undefined;
let exim: Exim4 | undefined;
let work: string;
let options: CheckOptions;
let cases: Case[] = [];
const rows = new Map<string, Row>();

/** A loopback address other than 127.0.0.1, so exim can take port 587 (what ssl-cert-check keys STARTTLS on). */
const submissionAddress = `127.${10 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;

async function ours(entry: Case): Promise<Ours> {
  const result = await checkTarget(entry.target, options);
  const address = result.addresses[0];
  if (!address?.connected) throw new Error(`our checker did not connect to ${entry.name}: ${address?.error ?? result.error}`);
  const codes = address.verdicts.map((verdict) => verdict.code);
  return {
    daysLeft: address.chain[0]!.daysLeft,
    chainValid: !codes.some((code) => CHAIN_CODES.includes(code)),
    hostnameOk: !codes.includes('hostname_mismatch'),
    codes,
    fingerprint: address.chain[0]!.fingerprintSha256.replace(/:/g, ''),
  };
}

async function testssl(entry: Case): Promise<Testssl> {
  const jsonFile = join(work, `testssl-${entry.name}.json`);
  const { host, port, protocol, serverName } = entry.target;
  const args = [
    '--quiet', '--warnings', 'off', '--color', '0', '--ssl-native', '--openssl', '/usr/bin/openssl',
    '--connect-timeout', '5', '--openssl-timeout', '10',
    '-S', '--add-ca', pki.root.certPath, '--ip', host, '--nodns', 'none', '--jsonfile', jsonFile,
    ...(protocol === 'tls' ? [] : ['-t', protocol]),
    `${serverName ?? host}:${port}`,
  ];
  const started = Date.now();
  const outcome = await run(TESTSSL, args, { timeout: TESTSSL_TIMEOUT_MS, maxBuffer: 8 << 20, cwd: work }).catch((error: Error & { stdout?: string; stderr?: string; killed?: boolean }) => error);
  const text = await readFile(jsonFile, 'utf8').catch(() => '');
  if (!text) throw new Error(`testssl ${args.join(' ')} left no JSON (${'killed' in outcome && outcome.killed ? `killed after ${TESTSSL_TIMEOUT_MS} ms` : 'exited'}):\n${outcome.stdout}\n${outcome.stderr}`);
  const findings = JSON.parse(text) as { id: string; finding: string }[];
  const finding = (id: string) => findings.find((entry) => entry.id === id)?.finding ?? '';
  const expiration = finding('cert_expirationStatus');
  const counted = /\((-?\d+)\)/.exec(expiration);
  // cert_notAfter is UTC "YYYY-MM-DD HH:MM".
  const notAfter = Date.parse(`${finding('cert_notAfter').replace(' ', 'T')}:00Z`);
  const chainOfTrust = finding('cert_chain_of_trust');
  const trust = finding('cert_trust');
  return {
    daysLeft: counted ? Number(counted[1]) : Math.floor((notAfter - started) / DAY),
    daysFromNotAfter: !counted,
    expiration,
    chainOfTrust,
    chainValid: /^passed/.test(chainOfTrust),
    trust,
    hostnameOk: /^Ok/i.test(trust),
    fingerprint: finding('cert_fingerprintSHA256'),
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

async function sslCertCheck(entry: Case): Promise<SslCertCheck> {
  // It connects to -s and sends the same string as SNI: there is no way to ask 127.0.0.1 for good.test.
  const base = ['-s', entry.target.host, '-p', String(entry.target.port)];
  // TZ=UTC: it counts calendar days between today's local date and the certificate's GMT date.
  const tool = async (args: string[]) => (await run(SSL_CERT_CHECK, [...base, ...args], { timeout: 20_000, env: { ...process.env, TZ: 'UTC' } }).catch((error: { stdout?: string }) => error)).stdout ?? '';
  const [nagios, validation] = await Promise.all([tool(['-n', '-x', String(options.warnDays)]), tool(['-S', '-b'])]);
  const status = /(Valid|Expiring|Expired)\s.*\|days=(-?\d+)/.exec(nagios);
  if (!status) throw new Error(`ssl-cert-check ${base.join(' ')} -n: unexpected output:\n${nagios}`);
  const fields = validation.trim().split(/\s+/);
  return { status: status[1]!, daysLeft: Number(status[2]), commonName: fields[1] ?? '', serial: fields[2] ?? '' };
}

const serialOf = (cert: Issued) => cert.serial.toUpperCase();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lookout-compare-'));
  pki = await createPki({ rootKey: 'ec256' });
  inter = await pki.intermediate({ name: 'inter', cn: 'Lookout Test Intermediate', key: 'ec256', days: 400 });
  const now = Date.now();
  const leaf = (name: string, sans: string[], validity: { days?: number; notBefore?: Date; notAfter?: Date }) =>
    pki.leaf({ name, sans, issuer: inter, key: 'ec256', ...validity });
  const good = await leaf('good', ['good.test'], { days: 60 });
  const sni = await leaf('sni', ['sni.test'], { days: 10 });
  const expired = await leaf('expired', ['expired.test'], { notBefore: new Date(now - 40 * DAY), notAfter: new Date(now - 2.5 * DAY) });
  const other = await leaf('other', ['other.test'], { days: 45 });
  const mail = await leaf('mail', ['mail.test'], { days: 20 });
  const chain = (cert: Issued) => pki.bundle(`${cert.name}-chain`, [cert, inter]);

  nginx = await startNginx([
    { name: 'good', serverNames: ['good.test'], certificate: await chain(good), key: good.keyPath },
    { name: 'sni', serverNames: ['sni.test'], certificate: await chain(sni), key: sni.keyPath, samePortAs: 'good' },
    { name: 'expired', serverNames: ['expired.test'], certificate: await chain(expired), key: expired.keyPath },
    { name: 'missing-intermediate', serverNames: ['good.test'], certificate: good.certPath, key: good.keyPath },
    { name: 'wrong-host', serverNames: ['good.test'], certificate: await chain(other), key: other.keyPath },
  ]);
  exim = await startExim4({ certificate: await chain(mail), key: mail.keyPath, address: submissionAddress, submissionPort: 587 });
  options = { warnDays: 30, critDays: 14, caFile: pki.root.certPath, ocsp: false, timeoutMs: 8_000 };

  const tls = (server: string, serverName: string): CertTarget => ({ host: '127.0.0.1', port: nginx!.port(server), protocol: 'tls', serverName });
  cases = [
    { name: 'valid', serves: 'leaf + intermediate, 60 days (default server)', target: tls('good', 'good.test'), leaf: good, testssl: true },
    { name: 'sni', serves: 'sni.test, 10 days, same port (SNI only)', target: tls('sni', 'sni.test'), leaf: sni, testssl: false },
    { name: 'expired', serves: 'leaf expired 2.5 days ago + intermediate', target: tls('expired', 'expired.test'), leaf: expired, testssl: true },
    { name: 'missing-intermediate', serves: 'leaf only, no intermediate', target: tls('missing-intermediate', 'good.test'), leaf: good, testssl: true },
    { name: 'wrong-host', serves: 'other.test presented for good.test', target: tls('wrong-host', 'good.test'), leaf: other, testssl: true },
    { name: 'submission', serves: 'exim4 STARTTLS on 587, 20 days', target: { host: submissionAddress, port: 587, protocol: 'smtp', serverName: 'mail.test' }, leaf: mail, testssl: true },
  ];

  await Promise.all(
    cases.map(async (entry) => {
      const [oursResult, testsslResult, sslCertCheckResult] = await Promise.all([ours(entry), entry.testssl ? testssl(entry) : undefined, sslCertCheck(entry)]);
      rows.set(entry.name, { case: entry, ours: oursResult, testssl: testsslResult, sslCertCheck: sslCertCheckResult });
    }),
  );
  await writeReport();
}, 90_000);

afterAll(async () => {
  await Promise.allSettled([nginx?.stop(), exim?.stop()]);
  await pki?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const yesNo = (ok: boolean, good: string, bad: string) => (ok ? good : bad);

async function writeReport(): Promise<void> {
  const lines = [
    '# Certificate checks compared: lookout, testssl, ssl-cert-check',
    '',
    `Written by test/certs/compare-tools.test.ts on ${new Date().toISOString()}; warning threshold ${options.warnDays} days, the private root given to lookout (--ca-file) and testssl (--add-ca).`,
    '',
    'testssl days are its own count (`expires < 60 days (59)`); for an expired leaf it prints none, and the days shown are computed here from its `cert_notAfter`.',
    '',
    '| Target | Serves | lookout: days / chain / hostname (verdicts) | testssl: days / chain of trust / trust | ssl-cert-check: days / status (certificate seen; it checks neither chain nor hostname) |',
    '|---|---|---|---|---|',
  ];
  for (const entry of cases) {
    const row = rows.get(entry.name)!;
    const o = row.ours;
    const t = row.testssl;
    const s = row.sslCertCheck;
    lines.push(
      [
        '',
        entry.name,
        entry.serves,
        `${o.daysLeft} / ${yesNo(o.chainValid, 'valid', 'invalid')} / ${yesNo(o.hostnameOk, 'ok', 'mismatch')} (${o.codes.join(', ') || 'none'})`,
        t ? `${t.daysLeft}${t.daysFromNotAfter ? ' (from notAfter)' : ''} / ${t.chainOfTrust} / ${t.trust} [${t.expiration}; ${t.seconds} s]` : 'not run (keeps the file short; testssl sends the URI’s name as SNI)',
        `${s.daysLeft} / ${s.status} (CN ${s.commonName}${s.serial === serialOf(entry.leaf) ? '' : ', not the leaf asked for'})`,
        '',
      ].join(' | ').trim(),
    );
  }
  await mkdir(join(REPORT, '..'), { recursive: true });
  await writeFile(REPORT, `${lines.join('\n')}\n`);
}

const row = (name: string) => rows.get(name)!;
const testsslRows = () => cases.filter((entry) => entry.testssl).map((entry) => row(entry.name));

describe('the tools agree', () => {
  it('every tool looked at the leaf the server presents for the name asked (except ssl-cert-check behind SNI)', () => {
    for (const entry of cases) {
      expect(row(entry.name).ours.fingerprint, entry.name).toBe(new X509Certificate(entry.leaf.cert).fingerprint256.replace(/:/g, ''));
      if (entry.name !== 'sni') expect(row(entry.name).sslCertCheck.serial, entry.name).toBe(serialOf(entry.leaf));
    }
    expect(testsslRows()).toHaveLength(5);
    for (const r of testsslRows()) expect(r.testssl!.fingerprint, r.case.name).toBe(r.ours.fingerprint);
  });

  it('days left agree within 1 day', () => {
    for (const entry of cases) {
      const r = row(entry.name);
      const exact = (Date.parse(new X509Certificate(entry.leaf.cert).validTo) - Date.now()) / DAY;
      expect(Math.abs(r.ours.daysLeft - exact), `${entry.name}: ours`).toBeLessThanOrEqual(1);
      if (r.testssl) expect(Math.abs(r.testssl.daysLeft - r.ours.daysLeft), `${entry.name}: testssl`).toBeLessThanOrEqual(1);
      if (entry.name !== 'sni') expect(Math.abs(r.sslCertCheck.daysLeft - r.ours.daysLeft), `${entry.name}: ssl-cert-check`).toBeLessThanOrEqual(1);
    }
  });

  it('chain validity agrees with testssl where the leaf is in date', () => {
    for (const r of testsslRows()) {
      if (r.case.name === 'expired') continue;
      expect(r.testssl!.chainValid, `${r.case.name}: testssl says ${r.testssl!.chainOfTrust}`).toBe(r.ours.chainValid);
    }
    expect(row('valid').ours.chainValid).toBe(true);
    expect(row('missing-intermediate').ours.chainValid).toBe(false);
  });

  it('the hostname verdict agrees with testssl', () => {
    for (const r of testsslRows()) expect(r.testssl!.hostnameOk, `${r.case.name}: testssl says ${r.testssl!.trust}`).toBe(r.ours.hostnameOk);
    expect(row('wrong-host').ours.hostnameOk).toBe(false);
    expect(row('valid').ours.hostnameOk).toBe(true);
  });

  it('expiry status: ssl-cert-check Expired/Expiring/Valid matches our verdicts', () => {
    expect(row('expired').sslCertCheck.status).toBe('Expired');
    expect(row('expired').ours.codes).toContain('expired');
    expect(row('submission').sslCertCheck.status).toBe('Expiring');
    expect(row('submission').ours.codes).toContain('expiring_warning');
    expect(row('valid').sslCertCheck.status).toBe('Valid');
    expect(row('valid').ours.codes.filter((code) => code.startsWith('expir'))).toEqual([]);
  });
});

describe('the tools differ, for reasons the docs give', () => {
  it('ssl-cert-check cannot ask 127.0.0.1 for sni.test: it sees the default server’s certificate', () => {
    expect(row('sni').sslCertCheck.serial).toBe(serialOf(row('valid').case.leaf));
    expect(Math.abs(row('sni').sslCertCheck.daysLeft - row('valid').ours.daysLeft)).toBeLessThanOrEqual(1);
    expect(row('sni').ours.codes).toContain('expiring_critical');
  });

  it('ssl-cert-check reads the leaf’s dates only: a missing intermediate and a wrong hostname are Valid to it', () => {
    expect(row('missing-intermediate').sslCertCheck.status).toBe('Valid');
    expect(row('missing-intermediate').ours.codes).toContain('missing_intermediate');
    expect(row('wrong-host').sslCertCheck.status).toBe('Valid');
    expect(row('wrong-host').ours.codes).toContain('hostname_mismatch');
  });

  it('testssl counts an expired leaf as a failed chain of trust; we say expired and the chain verifies', () => {
    expect(row('expired').testssl!.chainOfTrust).toMatch(/expired/i);
    expect(row('expired').ours.codes).toContain('expired');
    expect(row('expired').ours.chainValid).toBe(true);
  });

  it('the report was written', async () => {
    const text = await readFile(REPORT, 'utf8');
    for (const entry of cases) expect(text).toContain(`| ${entry.name} |`);
  });
});
