/**
 * Issues through a real collector (chDB): grouping of ingested errors, counts from the
 * materialised view, the lifecycle (resolve, resolve in a release, ignore, regressions), the
 * bus events, the list filters and pagination, the detail view and the releases API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorEvent, NavigationEvent } from '../../protocol/wire.js';
import type { IssueNotice } from '../../collector/src/bus/bus.js';
import { USER_AGENTS } from '../support/events.js';
import { startTestCollector, type TestCollector } from '../support/test-collector.js';

let collector: TestCollector;
const published: { topic: string; notice: IssueNotice }[] = [];

beforeAll(async () => {
  collector = await startTestCollector();
  for (const topic of ['issue.new', 'issue.regression', 'issue.event'] as const) {
    collector.bus.on(topic, (notice) => published.push({ topic, notice }));
  }
});
afterAll(() => collector?.stop());

let clock = Date.now() - 3600_000;

function error(overrides: Partial<ErrorEvent> = {}): ErrorEvent {
  return {
    kind: 'error',
    event_id: randomUUID(),
    timestamp: (clock += 1000),
    url: 'https://shop.example.com/orders/17',
    release: 'web@1.4.1',
    environment: 'production',
    session_id: 's-1',
    user_id: 'u-1',
    route: '/orders/:id',
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'total')",
    frames: [
      { function: 'orderTotal', file: 'https://shop.example.com/static/js/orders.3f2a1c.js', line: 1, column: 2044 },
      { function: 'render', file: 'https://shop.example.com/static/js/app.91bc2a7e.js', line: 1, column: 88 },
      { function: 'invokeTask', file: 'https://cdn.example.com/zone.js/0.14/zone.min.js', line: 1, column: 99 },
    ],
    tags: { plan: 'pro' },
    ...overrides,
  };
}

const navigation = (release: string): NavigationEvent => ({
  kind: 'navigation',
  event_id: randomUUID(),
  timestamp: (clock += 1000),
  url: 'https://shop.example.com/orders/17',
  release,
  session_id: 's-nav',
  type: 'route',
  route: '/orders/:id',
  duration: 120,
});

async function send(events: unknown[], ua = USER_AGENTS[0]): Promise<void> {
  const response = await collector.ingest({ sdk: { name: 'lookout', version: '0.1.0' }, events }, { headers: { 'user-agent': ua } });
  expect(response.status, await response.clone().text()).toBe(202);
  await collector.processor.drain();
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${collector.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${collector.config.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, json: await response.json() };
}

const issueList = async (query = '') => (await collector.api(`/api/1/issues?since=0${query}`)).issues as any[];
const topics = (issueId: string) => published.filter((p) => p.notice.issueId === issueId).map((p) => p.topic);

describe('grouping and counts', () => {
  let issueId: string;

  it('opens one issue for the same error from several users, sessions and browsers, and counts them', async () => {
    await send([error(), error({ user_id: 'u-2', session_id: 's-2', message: "Cannot read properties of undefined (reading 'total')" })]);
    await send([error({ user_id: '', session_id: 's-3' })], USER_AGENTS[2]);
    const issues = await issueList();
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    issueId = issue.id;
    expect(issue).toMatchObject({
      title: "TypeError: Cannot read properties of undefined (reading 'total')",
      culprit: 'orders.js in orderTotal',
      status: 'unresolved',
      events: 3,
      // u-1, u-2, and the anonymous session s-3.
      users: 3,
      sessions: 3,
      first_release: 'web@1.4.1',
    });
    expect(issue.id).toMatch(/^[0-9a-f]{16}$/);
    expect(issue.grouping.kind).toBe('stack');
    // zone.js is framework plumbing: it never decides the group.
    expect(issue.grouping.parts.join(' ')).not.toContain('zone');
  });

  it('publishes issue.new once, then issue.event for every stored event', () => {
    expect(topics(issueId)).toEqual(['issue.new', 'issue.event', 'issue.event', 'issue.event']);
    const [first] = published;
    expect(first.notice).toMatchObject({ projectId: 1, title: expect.stringContaining('TypeError'), event: { release: 'web@1.4.1', route: '/orders/:id' } });
    expect(first.notice.event.browser).toMatch(/^Chrome/);
  });

  it('keeps one issue across releases (new content hashes) and opens another for another error', async () => {
    await send([
      error({
        release: 'web@1.5.0',
        frames: [
          { function: 'orderTotal', file: 'https://shop.example.com/static/js/orders.77aa01.js', line: 1, column: 1999 },
          { function: 'render', file: 'https://shop.example.com/static/js/app.5d0e11f3.js', line: 1, column: 93 },
          { function: 'invokeTask', file: 'https://cdn.example.com/zone.js/0.15/zone.min.js', line: 1, column: 120 },
        ],
      }),
      error({
        release: 'web@1.5.0',
        type: 'RangeError',
        message: 'Invalid array length',
        frames: [{ function: 'paginate', file: 'https://shop.example.com/static/js/list.1.js', line: 1, column: 5 }],
      }),
    ]);
    const issues = await issueList('&sort=events');
    expect(issues.map((issue) => [issue.title.split(':')[0], issue.events])).toEqual([
      ['TypeError', 4],
      ['RangeError', 1],
    ]);
    expect(issues[0].id).toBe(issueId);
  });

  it('reads the events of an issue and its detail: latest event, per-release counts and breakdowns', async () => {
    const events = (await collector.api(`/api/1/issues/${issueId}/events`)).events as any[];
    expect(events).toHaveLength(4);
    expect(events.every((event) => event.issue_id === issueId)).toBe(true);
    const detail = await collector.api(`/api/1/issues/${issueId}`);
    expect(detail.issue).toMatchObject({ id: issueId, events: 4 });
    expect(detail.latest_event).toMatchObject({ release: 'web@1.5.0', issue_id: issueId });
    expect(detail.latest_event.symbolicated_frames[0]).toMatchObject({ status: 'no_artifact', in_app: true, minified: { function: 'orderTotal' } });
    expect(detail.latest_event.symbolicated_frames[0].reason).toMatch(/no source maps were uploaded for release web@1\.5\.0/);
    expect(detail.issue.releases.map((r: any) => [r.release, r.events]).sort()).toEqual([
      ['web@1.4.1', 3],
      ['web@1.5.0', 1],
    ]);
    expect(detail.breakdowns.browsers.map((b: any) => b.value).sort()).toEqual(['Chrome 131', 'Firefox 128']);
    expect(detail.breakdowns.tags.plan).toEqual([{ value: 'pro', events: 4 }]);
    expect(detail.breakdowns.routes).toEqual([{ value: '/orders/:id', events: 4 }]);
  });

  it('extends the default grouping with a custom fingerprint', async () => {
    await send([
      error({ fingerprint: ['{{ default }}', 'tenant-a'] }),
      error({ fingerprint: ['{{ default }}', 'tenant-b'] }),
      error({ fingerprint: ['{{ default }}', 'tenant-a'] }),
    ]);
    const custom = (await issueList()).filter((issue) => issue.grouping.kind === 'custom');
    expect(custom.map((issue) => issue.events).sort()).toEqual([1, 2]);
  });
});

describe('lifecycle', () => {
  const bug = (overrides: Partial<ErrorEvent> = {}) =>
    error({ type: 'SyntaxError', message: 'Unexpected token < in JSON', frames: [{ function: 'parseReply', file: 'https://shop.example.com/static/js/api.js', line: 3, column: 7 }], ...overrides });
  let id: string;

  it('resolves an issue; the next event reopens it as a regression', async () => {
    await send([bug()]);
    id = (await issueList('&q=unexpected token')).at(0).id;
    const resolved = await call('PATCH', `/api/1/issues/${id}`, { status: 'resolved' });
    expect(resolved.status).toBe(200);
    expect(resolved.json.issue.status).toBe('resolved');
    expect((await issueList('&status=resolved')).map((issue) => issue.id)).toEqual([id]);

    await send([bug()]);
    const [issue] = await issueList(`&q=${id}`);
    expect(issue).toMatchObject({ id, status: 'unresolved', regressed: true, events: 2 });
    expect(topics(id)).toEqual(['issue.new', 'issue.event', 'issue.regression', 'issue.event']);
  });

  it('resolved in a release: older and same releases do not reopen it, a later one does', async () => {
    expect((await call('PATCH', `/api/1/issues/${id}`, { status: 'resolved_in_release', release: 'web@1.4.2' })).json.issue).toMatchObject({
      status: 'resolved_in_release',
      resolved_in_release: 'web@1.4.2',
    });
    await send([bug({ release: 'web@1.4.1' }), bug({ release: 'web@1.4.2' })]);
    expect((await issueList(`&q=${id}`))[0].status).toBe('resolved_in_release');
    await send([bug({ release: 'web@1.10.0' })]);
    expect((await issueList(`&q=${id}`))[0].status).toBe('unresolved');
    expect(topics(id).filter((topic) => topic === 'issue.regression')).toHaveLength(2);
  });

  it('"resolve in next release" without a release takes the newest release the issue was seen in', async () => {
    const { json } = await call('PATCH', `/api/1/issues/${id}`, { status: 'resolved_in_release' });
    expect(json.issue.resolved_in_release).toBe('web@1.10.0');
  });

  it('an ignored issue stays ignored and is not announced again', async () => {
    await call('PATCH', `/api/1/issues/${id}`, { status: 'ignored' });
    const before = topics(id).length;
    await send([bug({ release: 'web@2.0.0' })]);
    expect((await issueList(`&q=${id}`))[0].status).toBe('ignored');
    expect(topics(id).slice(before)).toEqual(['issue.event']);
  });

  it('bulk-changes statuses, and refuses unknown statuses and issues with a clear error', async () => {
    const ids = (await issueList()).map((issue) => issue.id);
    const bulk = await call('PATCH', '/api/1/issues', { ids, status: 'resolved' });
    expect(bulk.status).toBe(200);
    expect((await issueList('&status=resolved')).length).toBe(ids.length);
    const bad = await call('PATCH', `/api/1/issues/${id}`, { status: 'fixed' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/status.*must be equal to one of the allowed values/);
    expect((await call('PATCH', '/api/1/issues/0123456789abcdef', { status: 'resolved' })).status).toBe(404);
    expect((await call('GET', '/api/1/issues/0123456789abcdef')).status).toBe(404);
  });
});

describe('list', () => {
  it('filters by release and environment, searches, sorts and pages with a cursor', async () => {
    const all = await issueList('&sort=last_seen');
    expect(all.length).toBeGreaterThanOrEqual(4);
    const lastSeen = all.map((issue) => issue.last_seen);
    expect([...lastSeen].sort((a, b) => b - a)).toEqual(lastSeen);

    const inRelease = await issueList('&release=web@1.5.0');
    expect(inRelease.map((issue) => issue.title.split(':')[0]).sort()).toEqual(['RangeError', 'TypeError']);
    expect(inRelease.find((issue) => issue.title.startsWith('TypeError')).events).toBe(1);
    expect(await issueList('&environment=staging')).toEqual([]);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { issues: any[]; next_cursor: string | null } = await collector.api(`/api/1/issues?since=0&limit=2&sort=events${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.issues.map((issue) => issue.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(pages).toEqual((await issueList('&sort=events')).map((issue) => issue.id));
    expect(new Set(pages).size).toBe(pages.length);
  });
});

describe('releases', () => {
  it('reports per release: sessions, page views, errors, error rate, new issues, source-map coverage', async () => {
    await send([navigation('web@1.5.0'), navigation('web@1.5.0'), navigation('web@1.5.0'), navigation('web@1.5.0')]);
    const { releases } = await collector.api('/api/1/releases?since=0');
    const r150 = releases.find((release: any) => release.release === 'web@1.5.0');
    expect(r150).toMatchObject({ page_views: 4, errors: 2, error_rate: 0.5, new_issues: 1 });
    expect(r150.source_maps).toEqual({ frames: 4, mapped: 0, coverage: 0 });
    const r141 = releases.find((release: any) => release.release === 'web@1.4.1');
    expect(r141.new_issues).toBeGreaterThanOrEqual(2);
    expect(r141.error_rate).toBeNull();
  });
});
