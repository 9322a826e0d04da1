/**
 * checkTarget against real Node TLS servers on loopback, each presenting a chain made by openssl:
 * every verdict about the chain itself (validity, trust, hostname, strength, old protocols).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkTarget } from '../../certs/src/check.js';
import type { CheckOptions, CheckResult, VerdictCode } from '../../certs/src/contract.js';
import { createPki, type IssuingCa, type Pki } from './pki.js';
import { chainPem, serveTls, type Endpoint, type ServeOptions } from './tls-servers.js';

const DAY = 86_400_000;
let pki: Pki;
let inter: IssuingCa;
let caFile: string;
const endpoints: Endpoint[] = [];

beforeAll(async () => {
  pki = await createPki();
  inter = await pki.intermediate({ name: 'inter', cn: 'Lookout Test Intermediate', days: 1000 });
  caFile = await pki.bundle('root-only', [pki.root]);
});

afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  await pki?.cleanup();
});

async function check(serve: ServeOptions, options: Partial<CheckOptions> = {}, serverName = 'www.lookout.test'): Promise<CheckResult> {
  const endpoint = await serveTls(serve);
  endpoints.push(endpoint);
  return checkTarget(
    { host: endpoint.host, port: endpoint.port, protocol: 'tls', serverName },
    { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 5_000, caFile, ...options },
  );
}

function codes(result: CheckResult): VerdictCode[] {
  return result.addresses.flatMap((address) => address.verdicts.map((verdict) => verdict.code)).filter((code) => code !== 'ocsp_stapling_absent');
}

describe('checkTarget on one address', () => {
  it('a valid chain from a private CA trusted through caFile is ok; the chain is described', async () => {
    const leaf = await pki.leaf({ name: 'valid', sans: ['www.lookout.test'], issuer: inter, days: 200 });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter) });
    expect(codes(result)).toEqual([]);
    expect(result.state).toBe('ok');
    const address = result.addresses[0]!;
    expect(address).toMatchObject({ address: '127.0.0.1', family: 4, connected: true, protocolVersion: 'TLSv1.3', oldProtocolsAccepted: [] });
    expect(address.chain.map((c) => [c.position, c.presented, c.subject, c.isCA, c.selfSigned])).toEqual([
      [0, true, 'CN=www.lookout.test', false, false],
      [1, true, 'CN=Lookout Test Intermediate', true, false],
      [2, false, 'CN=Lookout Test Root CA', true, true],
    ]);
    expect(address.chain[0]).toMatchObject({
      issuer: 'CN=Lookout Test Intermediate',
      subjectAltNames: ['DNS:www.lookout.test'],
      serialNumber: leaf.serial,
      keyType: 'rsa',
      keyBits: 2048,
      signatureAlgorithm: 'sha256WithRSAEncryption',
    });
    expect(address.chain[0]!.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(address.chain[0]!.daysLeft).toBe(199);
    expect(result.minDaysLeft).toBe(199);
  });

  it('the same chain without the CA file does not verify against the system store', async () => {
    const leaf = await pki.leaf({ name: 'untrusted', sans: ['www.lookout.test'], issuer: inter });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter) }, { caFile: undefined });
    expect(codes(result)).toEqual(['chain_unverified']);
    expect(result.addresses[0]!.verdicts[0]!.message).toContain('Lookout Test Root CA');
    expect(result.state).toBe('critical');
  });

  it('an expired leaf', async () => {
    const leaf = await pki.leaf({ name: 'expired', sans: ['www.lookout.test'], issuer: inter, notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - 3.5 * DAY) });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter) });
    expect(codes(result)).toEqual(['expired']);
    expect(result.addresses[0]!.verdicts[0]).toMatchObject({ severity: 'critical', position: 0 });
    expect(result.addresses[0]!.verdicts[0]!.message).toMatch(/^the certificate expired on \d{4}-\d\d-\d\d \(3 days ago\)$/);
    // Whole days, rounded down: negative as soon as it expired.
    expect(result.minDaysLeft).toBe(-4);
  });

  it('a not-yet-valid leaf', async () => {
    const leaf = await pki.leaf({ name: 'future', sans: ['www.lookout.test'], issuer: inter, notBefore: new Date(Date.now() + 2 * DAY), notAfter: new Date(Date.now() + 300 * DAY) });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter) });
    expect(codes(result)).toEqual(['not_yet_valid']);
    expect(result.state).toBe('critical');
  });

  it('a leaf valid for 10 days: warning with warn=30/crit=5, critical with crit=14', async () => {
    const leaf = await pki.leaf({ name: 'ten-days', sans: ['www.lookout.test'], issuer: inter, notAfter: new Date(Date.now() + 10 * DAY + 3_600_000) });
    const serve = { key: leaf.key, cert: chainPem(leaf, inter) };
    const warning = await check(serve, { warnDays: 30, critDays: 5 });
    expect(codes(warning)).toEqual(['expiring_warning']);
    expect(warning.state).toBe('warning');
    expect(warning.addresses[0]!.verdicts[0]!.message).toMatch(/^the certificate expires in 10 days/);
    const critical = await check(serve, { warnDays: 30, critDays: 14 });
    expect(codes(critical)).toEqual(['expiring_critical']);
    expect(critical.state).toBe('critical');
    const fine = await check(serve, { warnDays: 7, critDays: 3 });
    expect(codes(fine)).toEqual([]);
  });

  it('an intermediate that expires before the leaf is flagged on the intermediate', async () => {
    const shortInter = await pki.intermediate({ name: 'short-inter', cn: 'Short Intermediate', days: 9 });
    const leaf = await pki.leaf({ name: 'outlives', sans: ['www.lookout.test'], issuer: shortInter, days: 300 });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, shortInter) });
    expect(codes(result)).toEqual(['expiring_critical']);
    const verdict = result.addresses[0]!.verdicts[0]!;
    expect(verdict.position).toBe(1);
    expect(verdict.message).toMatch(/^the intermediate "Short Intermediate" expires in 8 days \(.*\), before the leaf$/);
    expect(result.minDaysLeft).toBe(8);
  });

  it('a self-signed certificate', async () => {
    const self = await pki.selfSigned({ name: 'self', sans: ['www.lookout.test'] });
    const result = await check({ key: self.key, cert: self.cert });
    expect(codes(result)).toEqual(['self_signed']);
    expect(result.addresses[0]!.chain[0]!.selfSigned).toBe(true);
    expect(result.state).toBe('critical');
    const trusted = await check({ key: self.key, cert: self.cert }, { caFile: self.certPath });
    expect(trusted.addresses[0]!.verdicts.find((v) => v.code === 'self_signed')!.severity).toBe('info');
    expect(trusted.state).toBe('ok');
  });

  it('a missing intermediate: completed from the CA file (warning) or not at all (critical)', async () => {
    const leaf = await pki.leaf({ name: 'no-inter', sans: ['www.lookout.test'], issuer: inter });
    const withInter = await pki.bundle('root-and-inter', [pki.root, inter]);
    const completed = await check({ key: leaf.key, cert: leaf.cert }, { caFile: withInter });
    expect(codes(completed)).toEqual(['missing_intermediate']);
    expect(completed.state).toBe('warning');
    expect(completed.addresses[0]!.chain.map((c) => c.presented)).toEqual([true, false, false]);
    const broken = await check({ key: leaf.key, cert: leaf.cert });
    expect(codes(broken)).toEqual(['chain_unverified', 'missing_intermediate']);
    expect(broken.state).toBe('critical');
  });

  it('a wrong hostname', async () => {
    const leaf = await pki.leaf({ name: 'other-name', sans: ['other.lookout.test'], issuer: inter });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter) });
    expect(codes(result)).toEqual(['hostname_mismatch']);
    expect(result.addresses[0]!.verdicts[0]!.message).toContain("www.lookout.test: Hostname/IP does not match certificate's altnames");
    // The same certificate checked under its own name is fine: SNI and the check use serverName.
    const right = await check({ key: leaf.key, cert: chainPem(leaf, inter) }, {}, 'other.lookout.test');
    expect(codes(right)).toEqual([]);
  });

  it('RSA-1024 (served at SECLEVEL=0)', async () => {
    const leaf = await pki.leaf({ name: 'rsa1024', sans: ['www.lookout.test'], issuer: inter, key: 'rsa1024' });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter), legacy: true });
    expect(codes(result)).toEqual(['weak_key', 'old_protocol_accepted']);
    expect(result.addresses[0]!.chain[0]).toMatchObject({ keyType: 'rsa', keyBits: 1024 });
  });

  it('an EC P-256 key is not weak', async () => {
    const leaf = await pki.leaf({ name: 'ec', sans: ['www.lookout.test'], issuer: inter, key: 'ec256' });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter) });
    expect(codes(result)).toEqual([]);
    expect(result.addresses[0]!.chain[0]).toMatchObject({ keyType: 'ec', keyBits: 256 });
  });

  it('a SHA-1 signature', async () => {
    const leaf = await pki.leaf({ name: 'sha1', sans: ['www.lookout.test'], issuer: inter, digest: 'sha1' });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter), tls: { ciphers: 'DEFAULT@SECLEVEL=0' } });
    expect(codes(result)).toEqual(['weak_signature']);
    expect(result.addresses[0]!.chain[0]!.signatureAlgorithm).toBe('sha1WithRSAEncryption');
  });

  it('TLS 1.0 and 1.1 enabled: old_protocol_accepted; a TLS 1.2+ server is not flagged', async () => {
    const leaf = await pki.leaf({ name: 'tls10', sans: ['www.lookout.test'], issuer: inter });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter), legacy: true });
    expect(codes(result)).toEqual(['old_protocol_accepted']);
    expect(result.addresses[0]!.oldProtocolsAccepted).toEqual(['TLSv1', 'TLSv1.1']);
    expect(result.state).toBe('warning');
    const only11 = await check({ key: leaf.key, cert: chainPem(leaf, inter), tls: { ciphers: 'DEFAULT@SECLEVEL=0', minVersion: 'TLSv1.1' } });
    expect(only11.addresses[0]!.oldProtocolsAccepted).toEqual(['TLSv1.1']);
  });

  it('nothing listening: connection_failed, never a throw', async () => {
    const endpoint = await serveTls({ key: pki.root.key, cert: pki.root.cert });
    await endpoint.close();
    const result = await checkTarget({ host: '127.0.0.1', port: endpoint.port, protocol: 'tls' }, { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 2_000 });
    expect(result.addresses[0]).toMatchObject({ connected: false, state: 'critical', verdicts: [{ code: 'connection_failed' }] });
    expect(result.addresses[0]!.error).toContain('ECONNREFUSED');
    expect(result.minDaysLeft).toBeNull();
  });

  it('an IP address as the target: no SNI, the IP SANs are what must match', async () => {
    const leaf = await pki.leaf({ name: 'by-ip', sans: ['127.0.0.1'], issuer: inter });
    const endpoint = await serveTls({ key: leaf.key, cert: chainPem(leaf, inter) });
    endpoints.push(endpoint);
    // The server sees the handshake finish after the client does (TLS 1.3): wait for it.
    const snis: (string | false | null)[] = [];
    endpoint.server.on('secureConnection', (socket) => snis.push(socket.servername));
    const byIp = await checkTarget({ host: '127.0.0.1', port: endpoint.port, protocol: 'tls' }, { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 5_000, caFile });
    expect(codes(byIp)).toEqual([]);
    await vi.waitFor(() => expect(snis).toEqual([false]));
    const byName = await checkTarget({ host: '127.0.0.1', port: endpoint.port, protocol: 'tls', serverName: 'www.lookout.test' }, { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 5_000, caFile });
    expect(codes(byName)).toEqual(['hostname_mismatch']);
    await vi.waitFor(() => expect(snis).toEqual([false, 'www.lookout.test']));
  });

  it('a server that accepts TCP but never answers the handshake: connection_failed within timeoutMs', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (silent.address() as { port: number }).port;
      const result = await checkTarget({ host: '127.0.0.1', port, protocol: 'tls' }, { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 500 });
      expect(result.addresses[0]).toMatchObject({ connected: false, error: 'timed out in the TLS handshake', verdicts: [{ code: 'connection_failed' }] });
    } finally {
      silent.close();
    }
  });

  it('an unresolvable name: state unknown with the reason', async () => {
    const result = await checkTarget({ host: 'nothing.invalid', port: 443, protocol: 'tls' }, { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 2_000 });
    expect(result).toMatchObject({ state: 'unknown', addresses: [] });
    expect(result.error).toContain('cannot resolve nothing.invalid');
  });
});
