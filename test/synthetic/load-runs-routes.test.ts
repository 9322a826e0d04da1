/**
 * Load runs in a real collector (embedded ClickHouse): sendSummary posts a run and finds the
 * project from a project token; the list gives runs newest first and per-request trends across
 * runs with their labels; auth and malformed summaries are refused with a reason.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommand } from '../../synthetic/src/cli.js';
import type { RunSummary } from '../../synthetic/src/contract.js';
import { sendSummary } from '../../synthetic/src/report/send.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

const fixture = JSON.parse(await readFile(new URL('./fixtures/run-summary.json', import.meta.url), 'utf8')) as RunSummary;

let collector: TestCollector;
let project: { id: number; token: string };
let other: { id: number; token: string };
beforeAll(async () => {
  collector = await startTestCollector();
  const created = await collector.projects.create({ name: 'shop', allowedOrigins: ['*'] });
  project = { id: created.project.id, token: created.token };
  const second = await collector.projects.create({ name: 'other', allowedOrigins: ['*'] });
  other = { id: second.project.id, token: second.token };
});
afterAll(async () => collector?.stop());

const post = (projectId: number, body: unknown, token?: string) =>
  fetch(`${collector.url}/api/${projectId}/load-runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const get = async (path: string, token: string) => {
  const response = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
};

/** The fixture as run `n` of a series: later runs are slower and fail more. */
function run(n: number, label: string | null, simulation = fixture.simulation): RunSummary {
  const summary: RunSummary = structuredClone(fixture);
  summary.simulation = simulation;
  summary.label = label;
  summary.startedAt = fixture.startedAt + n * 3_600_000;
  summary.endedAt = summary.startedAt + summary.durationMs;
  for (const stats of [summary.global, ...summary.groups, ...summary.requests]) {
    stats.p95 = Math.round(stats.p95 * (1 + n / 10) * 10) / 10;
    stats.ko = Math.min(stats.count, stats.ko + n * 10);
    stats.ok = stats.count - stats.ko;
  }
  return summary;
}

describe('load runs in the collector', () => {
  it('sendSummary finds the project from a project token, and the run reads back whole', async () => {
    const { runId } = await sendSummary({ url: `${collector.url}/`, token: project.token, summary: run(0, 'v1.0.0') });
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    const { status, body } = await get(`/api/${project.id}/load-runs/${runId}`, project.token);
    expect(status).toBe(200);
    expect(body.run_id).toBe(runId);
    expect(body.summary).toEqual(run(0, 'v1.0.0'));
    // The same summary sent again is the same run, not a second one.
    expect((await sendSummary({ url: collector.url, token: project.token, summary: run(0, 'v1.0.0') })).runId).toBe(runId);
    expect((await get(`/api/${project.id}/load-runs`, project.token)).body.runs).toHaveLength(1);
  });

  it('lists runs newest first, and per request the p95 and error rate across runs with their labels', async () => {
    await sendSummary({ url: collector.url, token: collector.config.adminToken!, projectId: project.id, summary: run(1, 'v1.1.0') });
    await sendSummary({ url: collector.url, token: project.token, summary: run(2, null) });
    await sendSummary({ url: collector.url, token: project.token, summary: run(3, 'other-sim', 'SearchSimulation') });

    const { status, body } = await get(`/api/${project.id}/load-runs?simulation=CheckoutSimulation`, project.token);
    expect(status).toBe(200);
    expect(body.runs.map((r: { label: string | null }) => r.label)).toEqual([null, 'v1.1.0', 'v1.0.0']);
    const newest = body.runs[0];
    const expected = run(2, null).global;
    expect(newest).toMatchObject({
      simulation: 'CheckoutSimulation',
      started_at: run(2, null).startedAt,
      duration_ms: fixture.durationMs,
      stop_reason: 'completed',
      requests: expected.count,
      ko: expected.ko,
      p95: expected.p95,
      assertions: { passed: 2, failed: 1 },
    });
    expect(newest.ko_percent).toBeCloseTo((expected.ko / expected.count) * 100, 6);

    const details = body.trends.find((trend: { kind: string; name: string }) => trend.kind === 'request' && trend.name === 'Request details');
    expect(details.groups).toEqual(['Browse']);
    expect(details.points.map((point: { label: string | null; p95: number; error_rate: number }) => [point.label, point.p95, point.error_rate])).toEqual(
      [0, 1, 2].map((n) => {
        const stats = run(n, null).requests.find((r) => r.name === 'Request details')!;
        return [[`v1.0.0`, 'v1.1.0', null][n], stats.p95, stats.ko / stats.count];
      }),
    );
    expect(details.points.map((point: { run_id: string }) => point.run_id)).toEqual(body.runs.map((r: { run_id: string }) => r.run_id).reverse());
    // Global, each group and each request; the other simulation's run is not in this list.
    expect(body.trends).toHaveLength(1 + fixture.groups.length + fixture.requests.length);
    expect(body.trends[0]).toMatchObject({ kind: 'global', name: 'Global', simulation: 'CheckoutSimulation' });

    const all = (await get(`/api/${project.id}/load-runs?limit=2`, project.token)).body;
    expect(all.runs.map((r: { simulation: string }) => r.simulation)).toEqual(['SearchSimulation', 'CheckoutSimulation']);
    const window = (await get(`/api/${project.id}/load-runs?since=${run(1, null).startedAt}&until=${run(3, null).startedAt}`, project.token)).body;
    expect(window.runs.map((r: { label: string | null }) => r.label)).toEqual([null, 'v1.1.0']);
  });

  it('asks for credentials (401) and keeps projects apart (403)', async () => {
    expect((await post(project.id, run(4, 'x'))).status).toBe(401);
    expect((await fetch(`${collector.url}/api/${project.id}/load-runs`)).status).toBe(401);
    const foreign = await post(project.id, run(4, 'x'), other.token);
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).message).toMatch(/does not give access to project/);
    expect((await get(`/api/${project.id}/load-runs`, other.token)).status).toBe(403);
    expect((await get(`/api/${other.id}/load-runs`, other.token)).body).toEqual({ runs: [], trends: [] });
    await expect(sendSummary({ url: collector.url, token: 'not-a-token', summary: run(4, 'x') })).rejects.toThrow(/GET .*\/api\/projects → 401: token is not valid/);
    await expect(sendSummary({ url: collector.url, token: other.token, projectId: project.id, summary: run(4, 'x') })).rejects.toThrow(/→ 403: this token does not give access to project/);
    await expect(sendSummary({ url: collector.url, token: collector.config.adminToken!, summary: run(4, 'x') })).rejects.toThrow(/admin token opens every project/);
  });

  it('refuses a malformed summary with the reason (400), and an unknown run (404)', async () => {
    const token = project.token;
    const missing = await post(project.id, { ...run(5, 'x'), global: undefined }, token);
    expect(missing.status).toBe(400);
    expect((await missing.json()).message).toMatch(/global/);
    const wrongType = structuredClone(run(5, 'x')) as unknown as { requests: { p95: unknown }[] };
    wrongType.requests[0].p95 = 'fast';
    const typed = await post(project.id, wrongType, token);
    expect(typed.status).toBe(400);
    expect((await typed.json()).message).toMatch(/requests\/0\/p95 must be number/);
    const reversed = await post(project.id, { ...run(5, 'x'), endedAt: run(5, 'x').startedAt - 1 }, token);
    expect(reversed.status).toBe(400);
    expect((await reversed.json()).message).toMatch(/endedAt must not be earlier/);
    expect((await post(project.id, '{"simulation": ', token)).status).toBe(400);
    await expect(sendSummary({ url: collector.url, token, summary: { ...run(5, 'x'), stopReason: 'exploded' as RunSummary['stopReason'] } })).rejects.toThrow(
      /POST .*\/load-runs → 400: body\/stopReason must be equal to one of the allowed values/,
    );
    expect((await get(`/api/${project.id}/load-runs/${'0'.repeat(32)}`, token)).status).toBe(404);
    expect((await get(`/api/${project.id}/load-runs/not-an-id`, token)).status).toBe(400);
    // Nothing of the refused runs was stored.
    expect((await get(`/api/${project.id}/load-runs?simulation=CheckoutSimulation`, token)).body.runs).toHaveLength(3);
  });

  it('takes what `lookout load run --report-to` sends: a real run, with its label, groups and a failed assertion', async () => {
    const target = Fastify();
    let calls = 0;
    target.get('/items', async (_request, reply) => (++calls % 4 === 0 ? reply.code(500).send({ error: 'boom' }) : { items: [1, 2, 3] }));
    const base = await target.listen({ port: 0, host: '127.0.0.1' });
    await mkdir(resolve('test-results'), { recursive: true });
    const dir = await mkdtemp(join(resolve('test-results'), 'load-runs-cli-'));
    try {
      const file = join(dir, 'ItemsSimulation.ts');
      await writeFile(
        file,
        `import { simulation, scenario, exec, group, http, httpProtocol, status, atOnceUsers, global } from 'lookout/load';
const browse = scenario('Browse').group('Catalogue', group('Inner', exec(http('List </script>').get('/items').check(status().is(200)))));
export default simulation({
  protocol: httpProtocol().baseUrl(${JSON.stringify(base)}),
  scenarios: [browse.injectOpen(atOnceUsers(20))],
  assertions: [global().failedRequests().percent().lt(1), global().responseTime().max().lt(60000)],
});
`,
      );
      const out: string[] = [];
      const code = await loadCommand(['run', file, '--quiet', '--label', 'abc1234', '--report-dir', join(dir, 'report'), '--report-to', collector.url, '--token', project.token], {
        out: (text) => out.push(text),
        err: (text) => out.push(text),
      });
      // A failed assertion: exit code 1, and the run was still sent.
      expect(code, out.join('\n')).toBe(1);
      const runId = out.join('\n').match(/as run ([0-9a-f]{32})/)?.[1];
      expect(runId, out.join('\n')).toBeDefined();
      const { body } = await get(`/api/${project.id}/load-runs/${runId}`, project.token);
      expect(body.summary).toEqual(JSON.parse(await readFile(join(dir, 'report', 'summary.json'), 'utf8')));
      expect(body.summary).toMatchObject({ simulation: 'ItemsSimulation', label: 'abc1234', global: { count: 20, ko: 5 } });
      const listed = (await get(`/api/${project.id}/load-runs?simulation=ItemsSimulation`, project.token)).body;
      expect(listed.runs).toEqual([expect.objectContaining({ run_id: runId, label: 'abc1234', requests: 20, ko: 5, ko_percent: 25, assertions: { passed: 1, failed: 1 } })]);
      expect(listed.trends.map((trend: { kind: string; name: string }) => `${trend.kind}:${trend.name}`)).toEqual(
        expect.arrayContaining(['global:Global', 'group:Catalogue', 'group:Catalogue / Inner', 'request:List </script>']),
      );
    } finally {
      await target.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
