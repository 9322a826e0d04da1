/**
 * Every address behind a name is checked on its own: one name, servers on 127.0.0.1, 127.0.0.2
 * and ::1 sharing one port, one of them presenting a bad certificate. Once through the test's
 * own resolver (options.resolve) and once through the real resolver via an /etc/hosts entry.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTarget } from '../../certs/src/check.js';
import { changedCertificates } from '../../certs/src/changes.js';
import type { CheckOptions } from '../../certs/src/contract.js';
import { createPki, type Issued, type IssuingCa, type Pki } from './pki.js';
import { chainPem, serveTls, type Endpoint } from './tls-servers.js';

const NAME = `two-nodes-${process.pid}-${Date.now()}.lookout.test`;
const HOSTS = '/etc/hosts';
let pki: Pki;
let inter: IssuingCa;
let good: Issued;
let expired: Issued;
let options: CheckOptions;
const endpoints: Endpoint[] = [];

/** Servers on several loopback addresses with one port (a target has a single port). */
async function serveOnAll(hosts: { host: string; leaf: Issued }[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await serveTls({ host: hosts[0]!.host, key: hosts[0]!.leaf.key, cert: chainPem(hosts[0]!.leaf, inter) });
    const started = [first];
    try {
      for (const { host, leaf } of hosts.slice(1)) {
        started.push(await serveTls({ host, port: first.port, key: leaf.key, cert: chainPem(leaf, inter) }));
      }
      endpoints.push(...started);
      return first.port;
    } catch {
      await Promise.all(started.map((endpoint) => endpoint.close())); // the port was taken on another address
    }
  }
  throw new Error('no port free on every loopback address');
}

beforeAll(async () => {
  pki = await createPki();
  inter = await pki.intermediate({ name: 'inter', cn: 'Nodes Intermediate' });
  good = await pki.leaf({ name: 'good', sans: [NAME], issuer: inter, days: 90 });
  expired = await pki.leaf({ name: 'bad', sans: [NAME], issuer: inter, notBefore: new Date(Date.now() - 30 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  options = { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 5_000, caFile: await pki.bundle('root', [pki.root]) };
});

afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  await pki?.cleanup();
});

describe('every address of a name', () => {
  it("the test's resolver: 127.0.0.1 good, 127.0.0.2 expired, ::1 good — only the bad node is critical", async () => {
    const port = await serveOnAll([
      { host: '127.0.0.1', leaf: good },
      { host: '127.0.0.2', leaf: expired },
      { host: '::1', leaf: good },
    ]);
    const resolve = async (): Promise<{ address: string; family: 4 | 6 }[]> => [
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
      { address: '::1', family: 6 },
    ];
    const result = await checkTarget({ host: NAME, port, protocol: 'tls' }, { ...options, resolve });
    expect(result.addresses.map((a) => [a.address, a.family, a.state, a.verdicts.filter((v) => v.severity !== 'info').map((v) => v.code)])).toEqual([
      ['127.0.0.1', 4, 'ok', []],
      ['127.0.0.2', 4, 'critical', ['expired']],
      ['::1', 6, 'ok', []],
    ]);
    expect(result.state).toBe('critical');
    expect(result.minDaysLeft).toBe(-2);
    // SNI is the name, not the address: the hostname matches on every node.
    expect(result.addresses.every((a) => a.chain[0]!.subjectAltNames[0] === `DNS:${NAME}`)).toBe(true);
  });

  it('the real resolver: an /etc/hosts entry with two addresses (dns.lookup reads it)', async () => {
    const port = await serveOnAll([
      { host: '127.0.0.1', leaf: good },
      { host: '127.0.0.2', leaf: expired },
    ]);
    const original = await readFile(HOSTS, 'utf8');
    const entry = `127.0.0.1 ${NAME}\n127.0.0.2 ${NAME}\n`;
    await writeFile(HOSTS, original.endsWith('\n') || original === '' ? original + entry : `${original}\n${entry}`);
    try {
      const result = await checkTarget({ host: NAME, port, protocol: 'tls' }, options);
      expect(result.addresses.map((a) => [a.address, a.state])).toEqual([
        ['127.0.0.1', 'ok'],
        ['127.0.0.2', 'critical'],
      ]);
    } finally {
      // Remove only our lines: another test file may have added its own meanwhile.
      const now = await readFile(HOSTS, 'utf8');
      await writeFile(HOSTS, now.split('\n').filter((line) => !line.includes(NAME)).join('\n'));
    }
    expect(await readFile(HOSTS, 'utf8')).not.toContain(NAME);
  });

  it('changedCertificates: a renewal by the same issuer, an unexpected issuer, and no change', async () => {
    const renewed = await pki.leaf({ name: 'renewed', sans: [NAME], issuer: inter, days: 90 });
    const foreign = await pki.leaf({ name: 'foreign', sans: [NAME], days: 90 }); // issued by the root itself
    const port = await serveOnAll([
      { host: '127.0.0.1', leaf: good },
      { host: '127.0.0.2', leaf: good },
    ]);
    const resolve = async (): Promise<{ address: string; family: 4 | 6 }[]> => [
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
    ];
    const first = await checkTarget({ host: NAME, port, protocol: 'tls' }, { ...options, resolve });
    expect(changedCertificates(undefined, first)).toEqual([]);
    expect(changedCertificates(first, first)).toEqual([]);
    // Replace both nodes: .1 renewed by the same intermediate, .2 by another issuer.
    await Promise.all(endpoints.splice(-2).map((endpoint) => endpoint.close()));
    endpoints.push(await serveTls({ host: '127.0.0.1', port, key: renewed.key, cert: chainPem(renewed, inter) }));
    endpoints.push(await serveTls({ host: '127.0.0.2', port, key: foreign.key, cert: foreign.cert }));
    const second = await checkTarget({ host: NAME, port, protocol: 'tls' }, { ...options, resolve });
    const changes = changedCertificates(first, second);
    expect(changes.map((c) => [c.address, c.issuerChanged, c.previousIssuer, c.issuer])).toEqual([
      ['127.0.0.1', false, 'CN=Nodes Intermediate', 'CN=Nodes Intermediate'],
      ['127.0.0.2', true, 'CN=Nodes Intermediate', 'CN=Lookout Test Root CA'],
    ]);
    expect(changes[0]!.previousFingerprint).toBe(first.addresses[0]!.chain[0]!.fingerprintSha256);
    expect(changes[0]!.fingerprint).toBe(second.addresses[0]!.chain[0]!.fingerprintSha256);
    expect(changes[0]!.fingerprint).not.toBe(changes[0]!.previousFingerprint);
  });
});
