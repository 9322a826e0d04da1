/**
 * Certificate alert rules through the real engine and destinations: a certificate replaced between
 * two checks fires `cert.changed` once (however many checks follow), and a certificate in its last
 * days reaches the local Slack receiver and a real Icinga 2 as a passive result of the target's own
 * service (`{host}`/`{port}` in the destination).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startIcinga2, type Icinga2 } from '../support/icinga2.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';
import { startReceiver, type Receiver } from '../alerts/receiver.js';
import { call, startSwappableServer, until, type SwappableServer } from './collector-support.js';
import { createPki, type Pki } from './pki.js';

let pki: Pki;
let server: SwappableServer;
let slack: Receiver;
let icinga: Icinga2;
let collector: TestCollector;

beforeAll(async () => {
  [pki, slack] = await Promise.all([createPki(), startReceiver('/slack')]);
  server = await startSwappableServer(await pki.leaf({ name: 'short', sans: ['www.test'], days: 10 }));
  // The target's own passive service: host and service named from the target ({host}, cert-{port}).
  icinga = await startIcinga2({
    extraConfig: `object Host "127.0.0.1" {\n  check_command = "dummy"\n  enable_active_checks = false\n}\nobject Service "cert-${server.port}" {\n  host_name = "127.0.0.1"\n  check_command = "passive"\n  enable_active_checks = true\n  check_interval = 1h\n  max_check_attempts = 1\n}\n`,
  });
  collector = await startTestCollector((config) => {
    config.certs.caFile = pki.root.certPath;
    config.certs.timeoutMs = 3000;
    config.alerts.tickMs = 200;
  });
}, 120_000);

afterAll(async () => {
  await collector?.stop();
  await Promise.all([server?.close(), slack?.close(), icinga?.stop(), pki?.cleanup()]);
});

const slackTexts = () => slack.requests.map((request) => JSON.parse(request.body).text as string);

it('an expiring certificate reaches Slack and the target\'s Icinga2 service; a replaced one fires cert.changed once', async () => {
  for (const rule of [
    {
      name: 'Certificates expiring',
      type: 'cert.expiry',
      destinations: [
        { type: 'slack', webhook_url: slack.url },
        { type: 'icinga2', url: icinga.url, username: icinga.users.lookout.username, password: icinga.users.lookout.password, ca_file: icinga.caFile, host: '{host}', service: 'cert-{port}' },
      ],
    },
    { name: 'Certificates replaced', type: 'cert.changed', cooldown_minutes: 0, destinations: [{ type: 'slack', webhook_url: slack.url }] },
  ]) {
    expect((await call(collector, 'POST', '/api/1/alerts/rules', rule)).status).toBe(201);
  }
  // A rule for another target: must stay quiet.
  expect((await call(collector, 'POST', '/api/1/alerts/rules', { name: 'Elsewhere', type: 'cert.expiry', filters: { target: ['other.example'] }, destinations: [{ type: 'slack', webhook_url: slack.url }] })).status).toBe(201);

  const added = await call(collector, 'POST', '/api/1/certs/targets', { host: '127.0.0.1', port: server.port, server_name: 'www.test' });
  expect(added.status).toBe(201);
  const id = added.json.target.id;

  await until(async () => slackTexts().find((text) => /Certificate of 127\.0\.0\.1:\d+: (9|10) days left/.test(text)), 20_000, 'the expiry alert in Slack');
  const result = await until(async () => (await icinga.serviceState('127.0.0.1', `cert-${server.port}`)).lastCheckResult, 20_000, 'the Icinga2 result');
  expect(result.state).toBe(2);
  expect(result.output).toMatch(/^CRITICAL - Certificate of 127\.0\.0\.1:\d+: (9|10) days left/);

  // Replaced: one cert.changed, however many checks follow; the expiry alert resolves.
  server.present(await pki.leaf({ name: 'long', sans: ['www.test'], days: 200 }));
  for (let i = 0; i < 3; i++) expect((await call(collector, 'POST', `/api/1/certs/targets/${id}/check`)).status).toBe(200);
  await until(async () => slackTexts().some((text) => text.includes('Resolved: certificate of 127.0.0.1')), 10_000, 'the resolved message');
  await until(async () => slackTexts().some((text) => text.includes('renewed')), 10_000, 'the cert.changed message');
  // Then a while for a second one, which must not come.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const texts = slackTexts();
  expect(texts.filter((text) => text.includes('renewed'))).toHaveLength(1);
  expect(texts.filter((text) => /days left —/.test(text) && text.includes('Certificate problem'))).toHaveLength(1);
  expect(texts.join('\n')).not.toContain('Elsewhere');
  const ok = await until(async () => {
    const state = await icinga.serviceState('127.0.0.1', `cert-${server.port}`);
    return state.lastCheckResult?.state === 0 ? state.lastCheckResult : null;
  }, 20_000, 'the Icinga2 service back to OK');
  expect(ok.output).toMatch(/^OK - Resolved: certificate of 127\.0\.0\.1:\d+ has (199|200) days left/);
}, 90_000);
