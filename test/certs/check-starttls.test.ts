/**
 * Every STARTTLS branch against minimal line-protocol servers (tls-servers.ts) that speak just
 * enough SMTP, IMAP, POP3, FTP or PostgreSQL SSLRequest, then upgrade to TLS: the chain behind the
 * upgrade is checked like any other; a server that refuses the upgrade is starttls_failed; a
 * server that never answers is bounded by timeoutMs. (A real exim4 is tested elsewhere.)
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTarget } from '../../certs/src/check.js';
import { STARTTLS_PROTOCOLS, type CheckOptions } from '../../certs/src/contract.js';
import { createPki, type Issued, type IssuingCa, type Pki } from './pki.js';
import { chainPem, serveStarttls, type Endpoint } from './tls-servers.js';

let pki: Pki;
let inter: IssuingCa;
let leaf: Issued;
let options: CheckOptions;
const endpoints: Endpoint[] = [];

beforeAll(async () => {
  pki = await createPki();
  inter = await pki.intermediate({ name: 'inter', cn: 'Mail Intermediate' });
  leaf = await pki.leaf({ name: 'mail', sans: ['mail.lookout.test'], issuer: inter, days: 20 });
  options = { warnDays: 30, critDays: 14, ocsp: false, timeoutMs: 5_000, caFile: await pki.bundle('root', [pki.root]) };
});

afterAll(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  await pki?.cleanup();
});

describe('STARTTLS', () => {
  for (const protocol of STARTTLS_PROTOCOLS) {
    it(`${protocol}: upgrades, and the certificate behind it is checked (old protocols probed through the dialogue too)`, async () => {
      const endpoint = await serveStarttls(protocol, { key: leaf.key, cert: chainPem(leaf, inter), legacy: true });
      endpoints.push(endpoint);
      const result = await checkTarget({ host: '127.0.0.1', port: endpoint.port, protocol, serverName: 'mail.lookout.test' }, options);
      const address = result.addresses[0]!;
      expect(address.connected).toBe(true);
      expect(address.chain.map((c) => c.subject)).toEqual(['CN=mail.lookout.test', 'CN=Mail Intermediate', 'CN=Lookout Test Root CA']);
      expect(address.verdicts.filter((v) => v.severity !== 'info').map((v) => v.code)).toEqual(['expiring_warning', 'old_protocol_accepted']);
      expect(address.oldProtocolsAccepted).toEqual(['TLSv1', 'TLSv1.1']);
    });

    it(`${protocol}: a refused upgrade is starttls_failed`, async () => {
      const endpoint = await serveStarttls(protocol, { key: leaf.key, cert: chainPem(leaf, inter), refuse: true });
      endpoints.push(endpoint);
      const result = await checkTarget({ host: '127.0.0.1', port: endpoint.port, protocol, serverName: 'mail.lookout.test' }, options);
      expect(result.addresses[0]).toMatchObject({ connected: false, state: 'critical', verdicts: [{ code: 'starttls_failed', severity: 'critical' }] });
      expect(result.addresses[0]!.verdicts[0]!.message).toContain(`${protocol.toUpperCase()} STARTTLS with 127.0.0.1:${endpoint.port} failed`);
    });
  }

  it('the refusal says why (SMTP without STARTTLS in EHLO, POP3 -ERR, PostgreSQL N)', async () => {
    const reasons: string[] = [];
    for (const protocol of ['smtp', 'pop3', 'postgres'] as const) {
      const endpoint = await serveStarttls(protocol, { key: leaf.key, cert: leaf.cert, refuse: true });
      endpoints.push(endpoint);
      const result = await checkTarget({ host: '127.0.0.1', port: endpoint.port, protocol }, options);
      reasons.push(result.addresses[0]!.error!);
    }
    expect(reasons[0]).toMatch(/^the server does not offer STARTTLS: "250-mx.test 250 SIZE 1000"$/);
    expect(reasons[1]).toBe('STLS was refused: "-ERR no"');
    expect(reasons[2]).toBe('the server does not accept SSL (answered N)');
  });

  it('a server that greets and then says nothing: bounded by timeoutMs', async () => {
    const mute: Server = createServer((socket) => socket.write('220 hello\r\n'));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (mute.address() as { port: number }).port;
      const result = await checkTarget({ host: '127.0.0.1', port, protocol: 'smtp' }, { ...options, timeoutMs: 500 });
      expect(result.addresses[0]).toMatchObject({ connected: false, error: 'timed out in the STARTTLS dialogue', verdicts: [{ code: 'starttls_failed' }] });
    } finally {
      mute.close();
    }
  });

  it('a PostgreSQL server spoken to as IMAP (the greeting never comes): starttls_failed within timeoutMs', async () => {
    const endpoint = await serveStarttls('postgres', { key: leaf.key, cert: leaf.cert });
    endpoints.push(endpoint);
    const result = await checkTarget({ host: '127.0.0.1', port: endpoint.port, protocol: 'imap' }, { ...options, timeoutMs: 1_000 });
    expect(result.addresses[0]!.verdicts[0]!.code).toBe('starttls_failed');
  });
});
