/**
 * The collector side of certificate monitoring through its API: targets (auth, validation,
 * project scoping, config-file targets read-only), a scheduled check of a real TLS server stored
 * in ClickHouse and shown by `GET /certs`, check now, and the fingerprint history.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { call, startSwappableServer, until, type SwappableServer } from './collector-support.js';
import { createPki, type Issued, type Pki } from './pki.js';

let pki: Pki;
let server: SwappableServer;
let collector: TestCollector;
let projectToken: string;
let otherProject: number;
let leaf: Issued;

beforeAll(async () => {
  pki = await createPki();
  const inter = await pki.intermediate({ name: 'inter' });
  leaf = await pki.leaf({ name: 'www', sans: ['www.test'], issuer: inter, days: 90 });
  server = await startSwappableServer(leaf, [inter]);
  const configDir = pki.dir;
  await writeFile(
    join(configDir, 'lookout.config.json'),
    JSON.stringify({ certs: { targets: [{ project: 1, host: '127.0.0.1', port: server.port, server_name: 'www.test' }], intervalMinutes: 60 } }),
  );
  collector = await startTestCollector((config) => {
    config.configFile = join(configDir, 'lookout.config.json');
    config.certs.caFile = pki.root.certPath;
    config.certs.timeoutMs = 3000;
  });
  const created = await call(collector, 'POST', '/api/projects', { name: 'other', allowed_origins: ['*'] });
  expect(created.status).toBe(201);
  otherProject = created.json.id;
  projectToken = created.json.token;
}, 60_000);

afterAll(async () => {
  await collector?.stop();
  await server?.close();
  await pki?.cleanup();
});

describe('targets API', () => {
  it('refuses requests without a token, and a project token for another project', async () => {
    expect((await fetch(`${collector.url}/api/1/certs/targets`)).status).toBe(401);
    expect((await call(collector, 'GET', '/api/1/certs/targets', undefined, projectToken)).status).toBe(403);
    expect((await call(collector, 'GET', '/api/999/certs/targets')).status).toBe(404);
  });

  it('validates a target and says which field is wrong', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /host must be/],
      [{ host: 'exa mple.com' }, /host must be/],
      [{ host: 'example.com', port: 70000 }, /port must be/],
      [{ host: 'example.com', protocol: 'gopher' }, /protocol must be one of tls, smtp/],
      [{ host: 'example.com', warn_days: 5, crit_days: 10 }, /crit_days \(10\) must not be more than warn_days/],
      [{ host: 'example.com', colour: 'red' }, /unknown field "colour"/],
    ];
    for (const [body, message] of cases) {
      const answer = await call(collector, 'POST', '/api/1/certs/targets', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.message ?? answer.json.error).toMatch(message);
    }
  });

  it('adds, lists per project, refuses a twin, removes; config-file targets are read-only', async () => {
    const added = await call(collector, 'POST', `/api/${otherProject}/certs/targets`, { host: 'Mail.Example.com', protocol: 'smtp' });
    expect(added.status).toBe(201);
    expect(added.json.target).toMatchObject({ host: 'mail.example.com', port: 587, protocol: 'smtp', warn_days: 30, crit_days: 14, source: 'api' });
    const id = added.json.target.id;
    expect((await call(collector, 'POST', `/api/${otherProject}/certs/targets`, { host: 'mail.example.com', port: 587, protocol: 'smtp' })).status).toBe(409);

    const other = await call(collector, 'GET', `/api/${otherProject}/certs/targets`);
    expect(other.json.targets.map((t: any) => t.id)).toEqual([id]);
    const first = await call(collector, 'GET', '/api/1/certs/targets');
    expect(first.json.targets.map((t: any) => t.source)).toEqual(['config']);
    // Another project's target is not reachable through project 1.
    expect((await call(collector, 'DELETE', `/api/1/certs/targets/${id}`)).status).toBe(404);
    expect((await call(collector, 'DELETE', `/api/1/certs/targets/${first.json.targets[0].id}`)).status).toBe(409);
    expect((await call(collector, 'DELETE', `/api/${otherProject}/certs/targets/${id}`)).status).toBe(204);
    expect((await call(collector, 'GET', `/api/${otherProject}/certs/targets`)).json.targets).toEqual([]);
  });
});

describe('scheduled checks', () => {
  it('checks the config-file target at start and GET /certs shows its addresses, days left and chain', async () => {
    const listed = await until(async () => {
      const answer = await call(collector, 'GET', '/api/1/certs');
      return answer.json.targets[0]?.check ? answer.json.targets[0] : null;
    }, 20_000, 'the first scheduled check');
    expect(listed.label).toBe(`127.0.0.1:${server.port}`);
    expect(listed.check.state).toBe('ok');
    expect(listed.check.min_days_left).toBeGreaterThanOrEqual(88);
    expect(listed.check.min_days_left).toBeLessThanOrEqual(90);
    const [address] = listed.check.addresses;
    expect(address).toMatchObject({ address: '127.0.0.1', connected: true, state: 'ok' });
    expect(address.verdicts.filter((v: any) => v.severity !== 'info')).toEqual([]);
    expect(address.chain[0].subjectAltNames).toContain('DNS:www.test');
    expect(address.leaf.fingerprint_sha256).toBe(address.chain[0].fingerprintSha256);
  });

  it('check now stores a new check; the history keeps each leaf with first and last seen', async () => {
    const id = (await call(collector, 'GET', '/api/1/certs/targets')).json.targets[0].id;
    const renewed = await pki.leaf({ name: 'www2', sans: ['www.test'], issuer: leaf.issuer, days: 200 });
    server.present(renewed, [leaf.issuer!]);
    const checked = await call(collector, 'POST', `/api/1/certs/targets/${id}/check`);
    expect(checked.status).toBe(200);
    expect(checked.json.changes).toEqual([expect.objectContaining({ address: '127.0.0.1', kind: 'renewal' })]);
    expect(checked.json.check.min_days_left).toBeGreaterThanOrEqual(88);
    const history = await call(collector, 'GET', `/api/1/certs/targets/${id}/history`);
    expect(history.json.fingerprints).toHaveLength(2);
    const [newest, oldest] = history.json.fingerprints;
    expect(newest.fingerprint_sha256).toBe(checked.json.check.addresses[0].leaf.fingerprint_sha256);
    expect(oldest.last_seen).toBeLessThanOrEqual(newest.first_seen);
    expect(new Set([newest.issuer, oldest.issuer]).size).toBe(1);
  });
});
