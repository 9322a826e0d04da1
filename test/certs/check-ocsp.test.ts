/**
 * OCSP against a real `openssl ocsp` responder: stapling on and off (the Node server staples a
 * response fetched from the responder by `openssl ocsp -respout`), a revoked certificate found
 * by asking the responder (opt-in), a certificate the responder does not know, a response signed
 * by a responder the issuer never authorised, and a responder that never answers (bounded).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTarget } from '../../certs/src/check.js';
import type { CheckOptions, CheckResult } from '../../certs/src/contract.js';
import { createPki, type IssuingCa, type OcspResponder, type Pki } from './pki.js';
import { chainPem, fetchOcspResponse, serveTls, type Endpoint, type ServeOptions } from './tls-servers.js';

let pki: Pki;
let inter: IssuingCa;
let responder: OcspResponder;
let caFile: string;
const endpoints: Endpoint[] = [];

beforeAll(async () => {
  pki = await createPki();
  inter = await pki.intermediate({ name: 'inter', cn: 'OCSP Test Intermediate' });
  responder = await pki.startOcspResponder(inter);
  caFile = await pki.bundle('root', [pki.root]);
});

afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  await pki?.cleanup();
});

async function check(serve: ServeOptions, options: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const endpoint = await serveTls(serve);
  endpoints.push(endpoint);
  return checkTarget(
    { host: '127.0.0.1', port: endpoint.port, protocol: 'tls', serverName: 'ocsp.lookout.test' },
    { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 5_000, caFile, ...options },
  );
}

describe('OCSP', () => {
  it('stapling on: the stapled status is read; off: ocsp_stapling_absent (info only)', async () => {
    const leaf = await pki.leaf({ name: 'stapled', sans: ['ocsp.lookout.test'], issuer: inter, ocspUrl: responder.url });
    const staple = await fetchOcspResponse(leaf, inter, responder.url);
    const on = await check({ key: leaf.key, cert: chainPem(leaf, inter), staple });
    expect(on.addresses[0]!.ocsp).toEqual({ stapled: true, stapledStatus: 'good' });
    expect(on.addresses[0]!.verdicts).toEqual([]);
    expect(on.addresses[0]!.chain[0]!.ocspUrls).toEqual([responder.url]);

    const off = await check({ key: leaf.key, cert: chainPem(leaf, inter) });
    expect(off.addresses[0]!.ocsp).toEqual({ stapled: false });
    expect(off.addresses[0]!.verdicts.map((v) => [v.code, v.severity])).toEqual([['ocsp_stapling_absent', 'info']]);
    expect(off.state).toBe('ok');
  });

  it('a revoked certificate: found only when asking the responder is on', async () => {
    const leaf = await pki.leaf({ name: 'revoked', sans: ['ocsp.lookout.test'], issuer: inter, ocspUrl: responder.url });
    const serve = { key: leaf.key, cert: chainPem(leaf, inter) };
    const before = await check(serve, { ocsp: true });
    expect(before.addresses[0]!.ocsp.responder).toEqual({ url: responder.url, status: 'good' });
    expect(before.state).toBe('ok');

    await pki.revoke(leaf);
    const withoutOcsp = await check(serve);
    expect(withoutOcsp.addresses[0]!.ocsp.responder).toBeUndefined();
    expect(withoutOcsp.state).toBe('ok');

    const revoked = await check(serve, { ocsp: true });
    expect(revoked.addresses[0]!.ocsp.responder).toMatchObject({ url: responder.url, status: 'revoked' });
    expect(Date.parse(revoked.addresses[0]!.ocsp.responder!.revokedAt!)).toBeGreaterThan(Date.now() - 120_000);
    const verdict = revoked.addresses[0]!.verdicts.find((v) => v.code === 'ocsp_revoked');
    expect(verdict).toMatchObject({ severity: 'critical', position: 0 });
    expect(revoked.state).toBe('critical');

    // The same answer stapled by the server.
    const staple = await fetchOcspResponse(leaf, inter, responder.url);
    const stapled = await check({ ...serve, staple });
    expect(stapled.addresses[0]!.ocsp).toEqual({ stapled: true, stapledStatus: 'revoked' });
    expect(stapled.state).toBe('critical');
  });

  it('a responder that does not know the certificate: ocsp_unknown', async () => {
    const leaf = await pki.leaf({ name: 'forgotten', sans: ['ocsp.lookout.test'], issuer: inter, ocspUrl: responder.url });
    // Drop its line from the CA database; issuing another certificate makes the responder reload it.
    const index = await readFile(inter.indexPath, 'utf8');
    await writeFile(inter.indexPath, index.split('\n').filter((line) => !line.includes(`\t${leaf.serial}\t`)).join('\n'));
    await pki.leaf({ name: 'after-forgotten', issuer: inter });
    const result = await check({ key: leaf.key, cert: chainPem(leaf, inter) }, { ocsp: true });
    expect(result.addresses[0]!.ocsp.responder).toEqual({ url: responder.url, status: 'unknown' });
    expect(result.addresses[0]!.verdicts.find((v) => v.code === 'ocsp_unknown')!.severity).toBe('warning');
  });

  it('a response signed by a responder the issuer did not authorise is not believed (asked or stapled)', async () => {
    // Issued by the root, but its AIA points at the intermediate's responder, whose signer the root never authorised.
    const leaf = await pki.leaf({ name: 'stranger', sans: ['ocsp.lookout.test'], ocspUrl: responder.url });
    const asked = await check({ key: leaf.key, cert: leaf.cert }, { ocsp: true });
    expect(asked.addresses[0]!.ocsp.responder).toEqual({
      url: responder.url,
      status: 'error',
      message: `${responder.url}: the response's signature does not verify with the issuer or a responder it authorised`,
    });
    expect(asked.addresses[0]!.verdicts.find((v) => v.code === 'ocsp_error')!.severity).toBe('warning');

    const staple = await fetchOcspResponse(leaf, pki.root, responder.url);
    const stapled = await check({ key: leaf.key, cert: leaf.cert, staple });
    expect(stapled.addresses[0]!.ocsp).toEqual({
      stapled: true,
      stapledError: "stapled response: the response's signature does not verify with the issuer or a responder it authorised",
    });
    expect(stapled.addresses[0]!.verdicts.map((v) => v.code)).toEqual(['ocsp_error']);
  });

  it('a responder that never answers: ocsp_error within timeoutMs', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/`;
    try {
      const leaf = await pki.leaf({ name: 'silent', sans: ['ocsp.lookout.test'], issuer: inter, ocspUrl: url });
      const result = await check({ key: leaf.key, cert: chainPem(leaf, inter) }, { ocsp: true, timeoutMs: 1_000 });
      expect(result.addresses[0]!.ocsp.responder).toEqual({ url, status: 'error', message: `no answer from ${url} within 1000 ms` });
      expect(result.addresses[0]!.verdicts.find((v) => v.code === 'ocsp_error')!.severity).toBe('warning');
      expect(result.state).toBe('warning');
    } finally {
      silent.close();
    }
  });
});
