/**
 * The checker against real servers, not Node's: Debian's nginx (one private instance, several
 * server blocks) and Debian's exim4 (SMTP with STARTTLS, a second port as "submission", and
 * SMTPS), presenting certificates made by openssl in this file's setup.
 *
 * Each case asserts the verdicts a person would expect from that server — and the healthy cases
 * assert their absence, so a checker that flags everything fails as surely as one that flags nothing.
 *
 * TLS 1.0 under Debian's OpenSSL 3: the protocol is compiled in, but at the default security level
 * (1) OpenSSL 3 forbids the SHA-1/MD5 handshake signatures TLS 1.0 and 1.1 need, so
 * `ssl_protocols TLSv1 TLSv1.2` alone still refuses every TLS 1.0 ClientHello (alert "internal
 * error"); only with `ssl_ciphers DEFAULT@SECLEVEL=0` does nginx complete a TLS 1.0 handshake. Both
 * servers are here: the first must be reported, the second must not. exim4-daemon-light links
 * GnuTLS instead, whose default priorities still accept TLS 1.0 and 1.1 (checked against
 * `openssl s_client -tls1` too): Debian's exim out of the box earns that warning, and
 * `tls_require_ciphers = NORMAL:-VERS-TLS1.0:-VERS-TLS1.1` takes it away.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkTarget } from '../../certs/src/check.js';
import { certsCommand } from '../../certs/src/cli.js';
import type { AddressResult, CertTarget, CheckOptions, CheckResult, VerdictCode } from '../../certs/src/contract.js';
import { startExim4, type Exim4 } from '../support/exim4.js';
import { startNginx, type Nginx } from '../support/nginx.js';
import { createPki, type Issued, type IssuingCa, type Pki } from './pki.js';

const run = promisify(execFile);
const DAY = 86_400_000;

let pki: Pki;
let nginx: Nginx | undefined;
let exim: Exim4 | undefined;
let hardenedExim: Exim4 | undefined;
let options: CheckOptions;
const leaves: Record<string, Issued> = {};
let inter: IssuingCa;

/** A DER OCSP response for `cert` made by `openssl ocsp` from its CA's index.txt, for `ssl_stapling_file`. */
async function stapleFile(cert: Issued, name: string): Promise<string> {
  const ca = cert.issuer!;
  const signer = await pki.ocspSigner(ca);
  const request = join(pki.dir, `${name}.ocsp-req.der`);
  const response = join(pki.dir, `${name}.ocsp-resp.der`);
  await run('openssl', ['ocsp', '-issuer', ca.certPath, '-cert', cert.certPath, '-no_nonce', '-reqout', request]);
  await run('openssl', ['ocsp', '-index', ca.indexPath, '-rsigner', signer.certPath, '-rkey', signer.keyPath, '-CA', ca.certPath, '-reqin', request, '-respout', response, '-ndays', '2']);
  return response;
}

beforeAll(async () => {
  pki = await createPki({ rootKey: 'ec256' });
  inter = await pki.intermediate({ name: 'inter', cn: 'Lookout Test Intermediate', key: 'ec256', days: 400 });
  const ocspUrl = 'http://127.0.0.1:9/'; // in the certificates only: these tests never ask the responder
  const now = Date.now();
  const leaf = async (name: string, sans: string[], extra: Partial<Parameters<Pki['leaf']>[0]> = {}) =>
    (leaves[name] = await pki.leaf({ name, sans, issuer: inter, key: 'ec256', ocspUrl, days: 90, ...extra }));
  await leaf('good', ['good.test']);
  await leaf('expired', ['expired.test'], { notBefore: new Date(now - 40 * DAY), notAfter: new Date(now - 2.5 * DAY) });
  await leaf('other', ['other.test']);
  await leaf('sni', ['sni.test'], { days: 10 });
  await leaf('revoked', ['revoked.test']);
  await leaf('mail', ['mail.test']);
  await leaf('mail-expired', ['mail.test'], { notBefore: new Date(now - 40 * DAY), notAfter: new Date(now - 1.5 * DAY) });
  await pki.revoke(leaves.revoked!);

  const withInter = async (name: string) => await pki.bundle(`${name}-chain`, [leaves[name]!, inter]);
  const good = await withInter('good');
  const key = (name: string) => leaves[name]!.keyPath;
  nginx = await startNginx([
    { name: 'good', serverNames: ['good.test'], certificate: good, key: key('good') },
    { name: 'sni', serverNames: ['sni.test'], certificate: await withInter('sni'), key: key('sni'), samePortAs: 'good' },
    { name: 'expired', serverNames: ['expired.test'], certificate: await withInter('expired'), key: key('expired') },
    { name: 'missing-intermediate', serverNames: ['good.test'], certificate: leaves.good!.certPath, key: key('good') },
    { name: 'wrong-host', serverNames: ['good.test'], certificate: await withInter('other'), key: key('other') },
    { name: 'tls10', serverNames: ['good.test'], certificate: good, key: key('good'), protocols: ['TLSv1', 'TLSv1.2'], ciphers: 'DEFAULT@SECLEVEL=0' },
    { name: 'tls10-seclevel1', serverNames: ['good.test'], certificate: good, key: key('good'), protocols: ['TLSv1', 'TLSv1.2'] },
    { name: 'stapled', serverNames: ['good.test'], certificate: good, key: key('good'), staplingFile: await stapleFile(leaves.good!, 'good') },
    { name: 'stapled-revoked', serverNames: ['revoked.test'], certificate: await withInter('revoked'), key: key('revoked'), staplingFile: await stapleFile(leaves.revoked!, 'revoked') },
  ]);
  exim = await startExim4({
    certificate: await withInter('mail'),
    key: key('mail'),
    submission: { certificate: await withInter('mail-expired'), key: key('mail-expired') },
    smtps: true,
  });
  hardenedExim = await startExim4({ certificate: await pki.bundle('mail-chain-2', [leaves.mail!, inter]), key: key('mail'), tlsPriority: 'NORMAL:-VERS-TLS1.0:-VERS-TLS1.1' });
  options = { warnDays: 30, critDays: 14, caFile: pki.root.certPath, ocsp: false, timeoutMs: 8_000 };
});

afterAll(async () => {
  await Promise.allSettled([nginx?.stop(), exim?.stop(), hardenedExim?.stop()]);
  await pki?.cleanup();
});

const nginxTarget = (server: string, serverName: string): CertTarget => ({ host: '127.0.0.1', port: nginx!.port(server), protocol: 'tls', serverName });

/** Checks a target; it resolves to exactly one address (127.0.0.1), which must have connected. */
async function check(target: CertTarget, overrides: Partial<CheckOptions> = {}): Promise<{ result: CheckResult; address: AddressResult; codes: VerdictCode[] }> {
  const result = await checkTarget(target, { ...options, ...overrides });
  expect(result.addresses, JSON.stringify(result)).toHaveLength(1);
  const address = result.addresses[0]!;
  expect(address.connected, `${address.error} (${await nginx?.log()})`).toBe(true);
  return { result, address, codes: address.verdicts.map((verdict) => verdict.code) };
}

async function fingerprint(cert: Issued): Promise<string> {
  const { stdout } = await run('openssl', ['x509', '-in', cert.certPath, '-noout', '-fingerprint', '-sha256']);
  return stdout.trim().replace(/^.*=/, '');
}

/** Days until notAfter as a fraction, from the check's own time: any rounding the checker picks is within 1. */
const exactDaysLeft = (cert: Issued, checkedAt: number) => (Date.parse(new X509Certificate(cert.cert).validTo) - checkedAt) / DAY;

/** Nothing above `info`: the state a healthy server must get. */
function expectHealthy(address: AddressResult): void {
  expect(address.verdicts.filter((verdict) => verdict.severity !== 'info'), JSON.stringify(address.verdicts)).toEqual([]);
  expect(address.state).toBe('ok');
}

describe('nginx', () => {
  it('a valid chain from the private CA (trusted through caFile): the presented chain, no warning', async () => {
    const { result, address } = await check(nginxTarget('good', 'good.test'));
    expectHealthy(address);
    expect(result.state).toBe('ok');
    const presented = address.chain.filter((cert) => cert.presented);
    expect(presented.map((cert) => cert.subject)).toEqual([expect.stringContaining('good.test'), expect.stringContaining('Lookout Test Intermediate')]);
    expect(address.chain[0]).toMatchObject({ position: 0, subjectAltNames: expect.arrayContaining([expect.stringContaining('good.test')]), keyType: 'ec', keyBits: 256, isCA: false, selfSigned: false, ocspUrls: ['http://127.0.0.1:9/'] });
    expect(address.chain[0]!.fingerprintSha256).toBe(await fingerprint(leaves.good!));
    expect(address.chain[1]!.fingerprintSha256).toBe(await fingerprint(inter));
    expect(Math.abs(address.chain[0]!.daysLeft - exactDaysLeft(leaves.good!, result.checkedAt))).toBeLessThan(1);
    expect(address.protocolVersion).toMatch(/^TLSv1\.[23]$/);
    expect(address.oldProtocolsAccepted).toEqual([]);
    // The smallest days left over the chain: the leaf (90 days) before the intermediate (400) and root.
    expect(result.minDaysLeft).toBe(address.chain[0]!.daysLeft);
  });

  it('the same chain without the private CA in caFile does not verify', async () => {
    const { address, codes } = await check(nginxTarget('good', 'good.test'), { caFile: undefined });
    expect(codes).toContain('chain_unverified');
    expect(address.state).toBe('critical');
  });

  it('SNI picks the server block: sni.test on the same port gets its own certificate, 10 days left → expiring_critical', async () => {
    const { result, address, codes } = await check(nginxTarget('sni', 'sni.test'));
    expect(address.chain[0]!.fingerprintSha256).toBe(await fingerprint(leaves.sni!));
    expect(codes).toContain('expiring_critical');
    expect(codes).not.toContain('hostname_mismatch');
    expect(address.verdicts.find((verdict) => verdict.code === 'expiring_critical')?.position).toBe(0);
    expect(Math.abs(result.minDaysLeft! - exactDaysLeft(leaves.sni!, result.checkedAt))).toBeLessThan(1);
    expect(result.state).toBe('critical');
    // With thresholds 20/5 the same 10 days are a warning, not critical.
    const relaxed = await check(nginxTarget('sni', 'sni.test'), { warnDays: 20, critDays: 5 });
    expect(relaxed.codes).toContain('expiring_warning');
    expect(relaxed.codes).not.toContain('expiring_critical');
    expect(relaxed.address.state).toBe('warning');
  });

  it('an expired leaf: expired, negative days left, critical', async () => {
    const { result, address, codes } = await check(nginxTarget('expired', 'expired.test'));
    expect(codes).toContain('expired');
    expect(address.verdicts.find((verdict) => verdict.code === 'expired')).toMatchObject({ severity: 'critical', position: 0 });
    expect(address.chain[0]!.daysLeft).toBeLessThan(0);
    expect(Math.abs(address.chain[0]!.daysLeft - exactDaysLeft(leaves.expired!, result.checkedAt))).toBeLessThan(1);
    expect(codes).not.toContain('hostname_mismatch');
    expect(result.state).toBe('critical');
  });

  it('a missing intermediate (only the leaf in ssl_certificate): missing_intermediate', async () => {
    const { address, codes } = await check(nginxTarget('missing-intermediate', 'good.test'));
    expect(address.chain.filter((cert) => cert.presented)).toHaveLength(1);
    expect(codes).toContain('missing_intermediate');
    expect(codes).not.toContain('hostname_mismatch');
    expect(codes).not.toContain('expired');
    expect(address.state).toBe('critical');
    // With the intermediate in the CA file a client could complete the chain: only the warning stays.
    const bundle = await pki.bundle('root-and-inter', [pki.root, inter]);
    const completed = await check(nginxTarget('missing-intermediate', 'good.test'), { caFile: bundle });
    expect(completed.codes).toContain('missing_intermediate');
    expect(completed.codes).not.toContain('chain_unverified');
    expect(completed.address.chain.map((cert) => cert.presented)).toEqual([true, false, false]);
    expect(completed.address.state).toBe('warning');
  });

  it('a wrong hostname (a certificate for other.test asked as good.test): hostname_mismatch, the chain itself fine', async () => {
    const { address, codes } = await check(nginxTarget('wrong-host', 'good.test'));
    expect(codes).toContain('hostname_mismatch');
    expect(codes).not.toContain('chain_unverified');
    expect(codes).not.toContain('missing_intermediate');
    expect(address.state).toBe('critical');
    // Asked by its own name, the same server is healthy.
    expectHealthy((await check(nginxTarget('wrong-host', 'other.test'))).address);
  });

  it('TLS 1.0 enabled (ssl_protocols TLSv1 TLSv1.2 with SECLEVEL=0): old_protocol_accepted', async () => {
    const { address, codes } = await check(nginxTarget('tls10', 'good.test'));
    expect(address.oldProtocolsAccepted).toContain('TLSv1');
    expect(address.oldProtocolsAccepted).not.toContain('TLSv1.1');
    expect(codes).toContain('old_protocol_accepted');
    expect(address.state).not.toBe('ok');
  });

  it('TLSv1 in ssl_protocols at OpenSSL 3’s default security level: no TLS 1.0 handshake completes, nothing reported', async () => {
    const { address, codes } = await check(nginxTarget('tls10-seclevel1', 'good.test'));
    expect(address.oldProtocolsAccepted).toEqual([]);
    expect(codes).not.toContain('old_protocol_accepted');
    // The probe itself is what proves it: openssl with SECLEVEL=0 offering TLS 1.0 alone gets no session.
    const probe = await run('openssl', ['s_client', '-connect', `127.0.0.1:${nginx!.port('tls10-seclevel1')}`, '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0'], { timeout: 10_000 }).catch((error: { stdout: string; stderr: string }) => error);
    expect(`${probe.stdout}${probe.stderr}`).toMatch(/alert internal error|handshake failure|no protocols available/);
  });

  it('OCSP stapling on (ssl_stapling_file from openssl ocsp): stapled, good; off: stapling absent', async () => {
    const on = await check(nginxTarget('stapled', 'good.test'));
    expect(on.address.ocsp).toMatchObject({ stapled: true, stapledStatus: 'good' });
    expect(on.codes).not.toContain('ocsp_stapling_absent');
    expectHealthy(on.address);
    const off = await check(nginxTarget('good', 'good.test'));
    expect(off.address.ocsp.stapled).toBe(false);
    expect(off.codes).toContain('ocsp_stapling_absent');
  });

  it('OCSP stapling of a revoked certificate (the CA revoked it, openssl ocsp says so): ocsp_revoked, critical', async () => {
    const { address, codes } = await check(nginxTarget('stapled-revoked', 'revoked.test'));
    expect(address.ocsp).toMatchObject({ stapled: true, stapledStatus: 'revoked' });
    expect(codes).toContain('ocsp_revoked');
    expect(address.state).toBe('critical');
  });
});

describe('exim4 (STARTTLS)', () => {
  const mail = (port: () => number, protocol: CertTarget['protocol']): (() => CertTarget) => () => ({ host: '127.0.0.1', port: port(), protocol, serverName: 'mail.test' });

  it('SMTP with STARTTLS: the chain after the upgrade, verified; Debian’s exim (GnuTLS defaults) still accepts TLS 1.0 and 1.1', async () => {
    const { result, address, codes } = await check(mail(() => exim!.smtpPort, 'smtp')());
    expect(address.chain[0]!.fingerprintSha256).toBe(await fingerprint(leaves.mail!));
    expect(address.chain.filter((cert) => cert.presented).map((cert) => cert.fingerprintSha256)).toEqual([await fingerprint(leaves.mail!), await fingerprint(inter)]);
    expect(Math.abs(result.minDaysLeft! - exactDaysLeft(leaves.mail!, result.checkedAt))).toBeLessThan(1);
    // Without tls_require_ciphers exim-daemon-light takes GnuTLS's default priorities, which keep
    // TLS 1.0 and 1.1 on: the one warning this server earns.
    expect(address.oldProtocolsAccepted.sort()).toEqual(['TLSv1', 'TLSv1.1']);
    expect(address.verdicts.filter((verdict) => verdict.severity !== 'info').map((verdict) => verdict.code)).toEqual(['old_protocol_accepted']);
    expect(codes).not.toContain('chain_unverified');
  });

  it('the same exim with tls_require_ciphers = NORMAL:-VERS-TLS1.0:-VERS-TLS1.1 (GnuTLS syntax): healthy', async () => {
    const { address } = await check({ host: '127.0.0.1', port: hardenedExim!.smtpPort, protocol: 'smtp', serverName: 'mail.test' });
    expect(address.oldProtocolsAccepted).toEqual([]);
    expect(address.chain[0]!.fingerprintSha256).toBe(await fingerprint(leaves.mail!));
    expectHealthy(address);
  });

  it('submission (the same protocol on a second port) presents an expired certificate: expired', async () => {
    const { result, address, codes } = await check(mail(() => exim!.submissionPort, 'smtp')());
    expect(address.chain[0]!.fingerprintSha256).toBe(await fingerprint(leaves['mail-expired']!));
    expect(codes).toContain('expired');
    expect(codes).not.toContain('hostname_mismatch');
    expect(result.minDaysLeft).toBeLessThan(0);
    expect(result.state).toBe('critical');
  });

  it('SMTPS (TLS from the first byte) on a third port: the same certificate as SMTP', async () => {
    const { address, codes } = await check(mail(() => exim!.smtpsPort!, 'tls')());
    expect(address.chain[0]!.fingerprintSha256).toBe(await fingerprint(leaves.mail!));
    expect(codes).not.toContain('chain_unverified');
    expect(codes).not.toContain('hostname_mismatch');
  });

  it('plain TLS spoken to the STARTTLS port gets no session: not connected, critical', async () => {
    const result = await checkTarget(mail(() => exim!.smtpPort, 'tls')(), { ...options, timeoutMs: 4_000 });
    expect(result.addresses[0]?.connected).toBe(false);
    expect(result.state).toBe('critical');
  });
});

describe('lookout certs check against the same servers', () => {
  /** Runs the command in-process, catching what it prints. */
  async function lookoutCerts(...args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      return { code: await certsCommand(['check', ...args]), out };
    } finally {
      write.mockRestore();
    }
  }

  it('--plugin: the expired nginx leaf is CRITICAL (exit 2) with negative days_left perfdata', async () => {
    const { code, out } = await lookoutCerts('--plugin', '--ca-file', pki.root.certPath, '--sni', 'expired.test', `127.0.0.1:${nginx!.port('expired')}`);
    expect(code).toBe(2);
    expect(out).toMatch(/^CERT CRITICAL - .*expired.* \| days_left=-[23];30;14\n$/);
  });

  it('--starttls smtp --json: exim’s submission port, the expired certificate in the JSON; the hardened exim and the good nginx exit 0', async () => {
    const submission = await lookoutCerts('--json', '--starttls', 'smtp', '--sni', 'mail.test', '--ca-file', pki.root.certPath, `127.0.0.1:${exim!.submissionPort}`);
    expect(submission.code).toBe(2);
    const [result] = JSON.parse(submission.out) as CheckResult[];
    expect(result!.addresses[0]!.chain[0]!.fingerprintSha256).toBe(await fingerprint(leaves['mail-expired']!));
    expect(result!.addresses[0]!.verdicts.map((verdict) => verdict.code)).toContain('expired');
    const healthy = await lookoutCerts('--plugin', '--starttls', 'smtp', '--sni', 'mail.test', '--ca-file', pki.root.certPath, `127.0.0.1:${hardenedExim!.smtpPort}`);
    expect(healthy).toMatchObject({ code: 0, out: expect.stringMatching(/^CERT OK - /) });
    const good = await lookoutCerts('--plugin', '--sni', 'good.test', '--ca-file', pki.root.certPath, `127.0.0.1:${nginx!.port('good')}`);
    expect(good).toMatchObject({ code: 0, out: expect.stringMatching(/^CERT OK - .* \| days_left=(89|90);30;14\n$/) });
  });
});
