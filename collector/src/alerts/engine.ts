/**
 * The alert engine for issue rules, streaming over the bus (never polling the database):
 * - `issue.new` / `issue.regression` rules fire on those bus events, within the time it takes to
 *   claim the alert (claims.ts) and read the issue's counts;
 * - `issue.frequency` rules keep a sliding window per issue in memory (rebuilt from ClickHouse at
 *   start-up) and fire when an issue reaches N events or U users within W minutes, and send a
 *   resolved message when it falls back below;
 * - noise control: after a rule alerted about an issue, its further events go into a digest sent
 *   at most every `digest_minutes` with the counts since the last message; another alert of the
 *   rule for the same issue within `cooldown_minutes` goes into the digest too.
 * Every notification is claimed first, so several collectors (and a restarted one) send it once.
 */
import { LRUCache } from 'lru-cache';
import type { Bus, IssueNotice } from '../bus/bus.js';
import type { Logger } from '../log.js';
import type { ProcessedEvent } from '../process/pipeline.js';
import { createWindowRules, type WindowStatus } from './window-rules.js';
import type { Store } from '../store/types.js';
import type { Claims } from './claims.js';
import { createDeliver } from './deliver.js';
import { ICINGA2_DEFAULT_TTL_SECONDS, type DestinationPool } from './destination-pool.js';
import { issueLink, type AlertKind, type AlertMessage, type AlertMetric, type DeliveryResult } from './destinations/types.js';
import type { AlertHistory } from './history.js';
import { issueActivity, type IssueFactsReader } from './issue-facts.js';
import { matchesRuleFilters } from './rules/rule-filters.js';
import { WINDOW_RULE_TYPES, type AlertRule, type DestinationConfig } from './rules/rule-schema.js';
import type { RuleStore } from './rules/rule-store.js';

/** What issue rules send (certificate rules have their own kinds: cert-rules.ts). */
type IssueAlertKind = Exclude<AlertKind, `cert.${string}`>;

export interface AlertEngineOptions {
  store: Store;
  bus: Bus;
  rules: RuleStore;
  claims: Claims;
  history: AlertHistory;
  destinations: DestinationPool;
  issueFacts: IssueFactsReader;
  publicUrl: () => string;
  log: Logger;
  /** How often digests and windows are looked at. Default 5 s. */
  tickMs?: number;
  /** The length of a minute in rule settings (tests shorten it). Default 60,000. */
  minuteMs?: number;
}

export interface RuleStatus {
  state: 'ok' | 'firing';
  /** Window rules: each window's measure; issue rules: the issues alerted within the digest period. */
  windows: WindowStatus[];
  issues: { issue_id: string; firing: boolean; events_pending: number; last_sent_at: number }[];
}

export interface AlertEngine {
  /** What the rule sees now (for `lookout check` and the dashboard). */
  status(rule: AlertRule): RuleStatus;
  /** Processor `onStored` listener: feeds the window rules (error rate, vitals, route durations, silence). */
  observe(events: readonly ProcessedEvent[]): void;
  /** Sends a test message of the rule to each of its destinations (recorded in the history). */
  sendTest(rule: AlertRule): Promise<{ destination: string; result: DeliveryResult }[]>;
  /** Window state from the events of the last windows (start-up). */
  rebuild(): Promise<void>;
  /** Resolves when the alerts started so far were sent (tests). */
  settled(): Promise<void>;
  stop(): void;
}

interface IssueState {
  rule: AlertRule;
  projectId: number;
  issueId: string;
  notice: IssueNotice;
  /** When the last message went out (0: none yet). */
  lastSentAt: number;
  /** Events seen here since then (a digest is due only when some came). */
  pending: number;
  /** The event an alert was about: not counted again as "more". */
  alertedEventId: string;
  /** issue.frequency: receive times and user keys in the window, oldest first. */
  window?: { t: number; user: string }[];
  /** Entries per user in `window`. */
  users?: Map<string, number>;
  firing?: { since: number; key: string };
}


/** Entries a frequency window keeps at most. */
const MAX_WINDOW = 100_000;
const userKey = (notice: IssueNotice) => notice.event.user_id || `s:${notice.event.event_id}`;

export function createAlertEngine(options: AlertEngineOptions): AlertEngine {
  const { bus, rules, claims, history, destinations, log } = options;
  const states = new LRUCache<string, IssueState>({ max: 100_000 });
  const minuteMs = options.minuteMs ?? 60_000;
  const minutes = (n: number) => n * minuteMs;
  const inflight = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    const tracked = work.catch((error) => log.error({ err: error }, 'an alert could not be sent'));
    inflight.add(tracked);
    void tracked.finally(() => inflight.delete(tracked));
  };

  function stateOf(rule: AlertRule, notice: IssueNotice): IssueState {
    const key = `${rule.id}\n${notice.issueId}`;
    let state = states.get(key);
    if (!state) {
      state = { rule, projectId: notice.projectId, issueId: notice.issueId, notice, lastSentAt: 0, pending: 0, alertedEventId: '' };
      states.set(key, state);
    }
    state.rule = rule;
    state.notice = notice;
    return state;
  }

  async function message(state: IssueState, kind: IssueAlertKind, extra: { metric?: AlertMetric; activity?: { events: number; users: number } } = {}): Promise<AlertMessage> {
    const { notice, rule } = state;
    const facts = await options.issueFacts(state.projectId, state.issueId);
    const where = notice.frame ? `${notice.frame.file ?? '?'}:${notice.frame.line ?? '?'} in ${notice.frame.function ?? '?'}` : notice.culprit;
    const titles: Record<IssueAlertKind, string> = {
      'issue.new': `New issue: ${notice.title}`,
      'issue.regression': `Regression: ${notice.title}`,
      'issue.digest': `${extra.activity?.events ?? state.pending} more events: ${notice.title}`,
      'threshold.firing': `${extra.metric?.name ?? 'events'} ≥ ${extra.metric?.threshold} in ${extra.metric?.windowMinutes} min: ${notice.title}`,
      'threshold.resolved': `Resolved (${extra.metric?.name ?? 'events'} below ${extra.metric?.threshold}): ${notice.title}`,
      test: `Test from rule ${rule.name}`,
    };
    const summaries: Record<IssueAlertKind, string> = {
      'issue.new': `First seen${notice.event.release ? ` in ${notice.event.release}` : ''}${notice.event.environment ? ` (${notice.event.environment})` : ''} at ${where}`,
      'issue.regression': `Resolved before, back${notice.event.release ? ` in ${notice.event.release}` : ''} at ${where}`,
      'issue.digest': `${extra.activity?.events ?? state.pending} events from ${extra.activity?.users ?? '?'} users since the last message`,
      'threshold.firing': `${extra.metric?.value} ${extra.metric?.name} within ${extra.metric?.windowMinutes} minutes at ${where}`,
      'threshold.resolved': `${extra.metric?.value} ${extra.metric?.name} within the last ${extra.metric?.windowMinutes} minutes`,
      test: 'If you read this, the destination works.',
    };
    return {
      kind,
      projectId: state.projectId,
      rule: { id: rule.id, name: rule.name },
      title: titles[kind],
      summary: summaries[kind],
      issue: {
        id: state.issueId,
        type: notice.event.type,
        message: notice.event.message,
        culprit: notice.frame,
        events: facts.events,
        users: facts.users,
        firstSeen: facts.firstSeen ?? undefined,
        release: notice.event.release || undefined,
        environment: notice.event.environment || undefined,
        topBrowsers: facts.topBrowsers,
      },
      ...(extra.metric ? { metric: extra.metric } : {}),
      link: issueLink(options.publicUrl(), state.issueId),
    };
  }

  const deliverToAll = createDeliver(destinations, history, log);
  // Icinga2 services are passive with a ttl: the collector re-sends their state every half ttl
  // (a firing threshold stays CRITICAL; otherwise OK), so they turn UNKNOWN only when it goes silent.
  const icinga = new Map<string, { at: number; firing: AlertMessage | null }>();
  const icingaKey = (rule: AlertRule, config: DestinationConfig) => `${rule.id}\n${JSON.stringify(config)}`;
  const deliver: typeof deliverToAll = async (rule, built) => {
    const results = await deliverToAll(rule, built);
    for (const config of rule.destinations) {
      if (config.type === 'icinga2' && built.kind !== 'test') {
        icinga.set(icingaKey(rule, config), { at: Date.now(), firing: built.kind === 'threshold.firing' ? built : null });
      }
    }
    return results;
  };
  function icingaKeepalive(): void {
    const now = Date.now();
    for (const projectId of rules.projects()) {
      for (const rule of rules.forProject(projectId)) {
        // cert.* rules report one service per target (cert-rules.ts keeps those alive).
        if (!rule.enabled || rule.type.startsWith('cert.')) continue;
        for (const config of rule.destinations) {
          if (config.type !== 'icinga2') continue;
          const key = icingaKey(rule, config);
          const last = icinga.get(key);
          const ttlMs = (config.ttl_seconds ?? ICINGA2_DEFAULT_TTL_SECONDS) * 1000;
          if (last && now - last.at < ttlMs / 2) continue;
          icinga.set(key, { at: now, firing: last?.firing ?? null });
          const state: AlertMessage = last?.firing ?? {
            kind: 'threshold.resolved',
            projectId,
            rule: { id: rule.id, name: rule.name },
            title: `OK: ${rule.name}`,
            summary: last ? `nothing to report since ${new Date(last.at).toISOString()}` : 'watching',
            link: `${options.publicUrl().replace(/\/+$/, '')}/`,
          };
          void destinations.get(config).send(state).then(
            (result) => !result.ok && log.warn({ rule: rule.id, error: result.error }, 'Icinga2 keepalive not delivered'),
            (error) => log.error({ err: error, rule: rule.id }, 'Icinga2 keepalive failed'),
          );
        }
      }
    }
  }
  const windowRules = createWindowRules({ store: options.store, rules, claims, deliver, publicUrl: options.publicUrl, log, minuteMs });

  /** Claims `key` and sends; the state's clock and counters move at once, so events meanwhile go to the digest. */
  function alert(state: IssueState, kind: IssueAlertKind, key: string, extra: { metric?: AlertMetric } = {}): void {
    const now = Date.now();
    if (state.lastSentAt && now - state.lastSentAt < minutes(state.rule.cooldown_minutes) && kind !== 'threshold.resolved') {
      state.pending++;
      return;
    }
    state.lastSentAt = now;
    state.pending = 0;
    state.alertedEventId = state.notice.event.event_id;
    track(
      (async () => {
        if (!(await claims.claim(state.projectId, key))) return;
        await deliver(state.rule, await message(state, kind, extra));
      })(),
    );
  }

  function onIssue(topic: 'issue.new' | 'issue.regression', notice: IssueNotice): void {
    for (const rule of rules.forProject(notice.projectId)) {
      if (!rule.enabled || rule.type !== topic || !matchesRuleFilters(rule.filters, notice.event)) continue;
      const key = topic === 'issue.new' ? `${topic}:${rule.id}:${notice.issueId}` : `${topic}:${rule.id}:${notice.issueId}:${notice.event.event_id}`;
      alert(stateOf(rule, notice), topic, key);
    }
  }

  function frequencyMetric(rule: AlertRule, window: { user: string }[], users: Map<string, number> | undefined): AlertMetric | null {
    const threshold = rule.threshold!;
    const windowMinutes = threshold.window_minutes;
    if (threshold.events && window.length >= threshold.events) return { name: 'events', value: window.length, threshold: threshold.events, windowMinutes };
    const distinct = users?.size ?? 0;
    if (threshold.users && distinct >= threshold.users) return { name: 'users', value: distinct, threshold: threshold.users, windowMinutes };
    return null;
  }

  /** The window keeps its users counted as it goes: a users threshold costs nothing per event. */
  function pushToWindow(state: IssueState, t: number, user: string): void {
    const window = (state.window ??= []);
    const users = (state.users ??= new Map());
    window.push({ t, user });
    users.set(user, (users.get(user) ?? 0) + 1);
    // Bounded: far over any threshold, the oldest entries no longer change the verdict.
    if (window.length > MAX_WINDOW) dropOldest(state, window.length - MAX_WINDOW);
  }

  function pruneWindow(state: IssueState, from: number): void {
    const window = state.window ?? [];
    let drop = 0;
    while (drop < window.length && window[drop].t < from) drop++;
    if (drop) dropOldest(state, drop);
  }

  function dropOldest(state: IssueState, count: number): void {
    for (const { user } of state.window!.splice(0, count)) {
      const left = (state.users!.get(user) ?? 1) - 1;
      if (left > 0) state.users!.set(user, left);
      else state.users!.delete(user);
    }
  }

  function onEvent(notice: IssueNotice): void {
    for (const rule of rules.forProject(notice.projectId)) {
      if (!rule.enabled || !matchesRuleFilters(rule.filters, notice.event)) continue;
      if (rule.type === 'issue.frequency') {
        const state = stateOf(rule, notice);
        const now = notice.event.received_at;
        pushToWindow(state, now, userKey(notice));
        pruneWindow(state, now - minutes(rule.threshold!.window_minutes));
        const window = state.window!;
        if (state.firing) {
          if (notice.event.event_id !== state.alertedEventId) state.pending++;
          continue;
        }
        const metric = frequencyMetric(rule, window, state.users);
        if (metric) {
          const bucket = Math.floor(now / minutes(rule.threshold!.window_minutes));
          state.firing = { since: now, key: `issue.frequency:${rule.id}:${notice.issueId}:${bucket}` };
          alert(state, 'threshold.firing', state.firing.key, { metric });
        }
        continue;
      }
      const state = states.get(`${rule.id}\n${notice.issueId}`);
      if (state?.lastSentAt && notice.event.event_id !== state.alertedEventId) {
        state.notice = notice;
        state.pending++;
      }
    }
  }

  /** Digests that are due, frequency windows that cleared, and the window rules. */
  function tick(): void {
    windowRules.tick();
    icingaKeepalive();
    const now = Date.now();
    for (const state of states.values()) {
      const { rule } = state;
      if (state.firing && state.window) {
        pruneWindow(state, now - minutes(rule.threshold!.window_minutes));
        if (!frequencyMetric(rule, state.window, state.users)) {
          const metric: AlertMetric = {
            name: rule.threshold!.events ? 'events' : 'users',
            value: rule.threshold!.events ? state.window.length : (state.users?.size ?? 0),
            threshold: rule.threshold!.events ?? rule.threshold!.users!,
            windowMinutes: rule.threshold!.window_minutes,
          };
          const key = `${state.firing.key}:resolved`;
          state.firing = undefined;
          alert(state, 'threshold.resolved', key, { metric });
          continue;
        }
      }
      if (state.pending > 0 && state.lastSentAt && now - state.lastSentAt >= minutes(rule.digest_minutes)) {
        const since = state.lastSentAt;
        const bucket = Math.floor(now / minutes(rule.digest_minutes));
        state.lastSentAt = now;
        state.pending = 0;
        track(
          (async () => {
            if (!(await claims.claim(state.projectId, `issue.digest:${rule.id}:${state.issueId}:${bucket}`))) return;
            // Counted in ClickHouse: every collector's share of the events, not only this one's.
            const activity = await issueActivity(options.store, state.projectId, state.issueId, since, now);
            if (activity.events === 0) return;
            await deliver(rule, await message(state, 'issue.digest', { activity }));
          })(),
        );
      }
    }
  }

  const unsubscribe = [
    bus.on('issue.new', (notice) => onIssue('issue.new', notice)),
    bus.on('issue.regression', (notice) => onIssue('issue.regression', notice)),
    bus.on('issue.event', onEvent),
  ];
  const timer = setInterval(tick, options.tickMs ?? 5000);
  timer.unref();

  return {
    status(rule) {
      if (WINDOW_RULE_TYPES.includes(rule.type)) {
        const windows = windowRules.status(rule);
        return { state: windows.some((w) => w.firing) ? 'firing' : 'ok', windows, issues: [] };
      }
      const now = Date.now();
      const issues = [...states.values()]
        .filter((state) => state.rule.id === rule.id && state.lastSentAt && (state.firing || now - state.lastSentAt < minutes(rule.digest_minutes)))
        .map((state) => ({ issue_id: state.issueId, firing: !!state.firing || state.rule.type !== 'issue.frequency', events_pending: state.pending, last_sent_at: state.lastSentAt }));
      return { state: issues.length ? 'firing' : 'ok', windows: [], issues };
    },
    observe: (events) => windowRules.observe(events),
    async sendTest(rule) {
      const built: AlertMessage = {
        kind: 'test',
        projectId: rule.projectId,
        rule: { id: rule.id, name: rule.name },
        title: `Test from rule ${rule.name}`,
        summary: 'If you read this, the destination works.',
        link: `${options.publicUrl().replace(/\/+$/, '')}/alerts`,
      };
      return deliver(rule, built);
    },
    async rebuild() {
      // Each kind of window on its own: one failing must not leave the other empty.
      await windowRules.rebuild().catch((error) => log.error({ err: error }, 'window rules could not be rebuilt from ClickHouse; they start empty'));
      // Frequency windows from the last window's events, so a restart neither forgets a burst nor re-fires it (claims).
      const now = Date.now();
      const byProject = new Map<number, AlertRule[]>();
      for (const projectId of await projectIds(options.store)) {
        const frequency = rules.forProject(projectId).filter((rule) => rule.enabled && rule.type === 'issue.frequency');
        if (frequency.length) byProject.set(projectId, frequency);
      }
      for (const [projectId, list] of byProject) {
        const longest = Math.max(...list.map((rule) => rule.threshold!.window_minutes));
        const rows = await options.store.query<{ issue_id: string; t: string | number; user: string; environment: string; release: string; route: string; browser: string; tags: Record<string, string> }>(
          `SELECT issue_id, toUnixTimestamp64Milli(received_at) AS t, if(user_id != '', user_id, concat('s:', toString(event_id))) AS user,
                  environment, release, route, browser_name AS browser, tags
           FROM errors FINAL WHERE project_id = {projectId:UInt32} AND issue_id != ''
             AND received_at >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) - INTERVAL 1 DAY
           ORDER BY received_at LIMIT 200000`,
          { projectId, from: now - minutes(longest) },
        );
        for (const rule of list) {
          const from = now - minutes(rule.threshold!.window_minutes);
          for (const row of rows) {
            const t = Number(row.t);
            if (t < from) continue;
            if (!matchesRuleFilters(rule.filters, row)) continue;
            const key = `${rule.id}\n${row.issue_id}`;
            let state = states.get(key);
            if (!state) {
              state = { rule, projectId, issueId: row.issue_id, notice: placeholderNotice(projectId, row.issue_id), lastSentAt: 0, pending: 0, alertedEventId: '', window: [] };
              states.set(key, state);
            }
            pushToWindow(state, t, row.user);
          }
        }
        // Issues already over the threshold were alerted before the restart (their claim says so): not again.
        for (const state of states.values()) {
          if (state.projectId !== projectId || !state.window?.length || state.rule.type !== 'issue.frequency') continue;
          if (frequencyMetric(state.rule, state.window, state.users)) {
            const bucket = Math.floor(state.window[state.window.length - 1].t / minutes(state.rule.threshold!.window_minutes));
            state.firing = { since: state.window[0].t, key: `issue.frequency:${state.rule.id}:${state.issueId}:${bucket}` };
            state.lastSentAt = now;
          }
        }
      }
    },
    async settled() {
      while (inflight.size) await Promise.all([...inflight]);
      await windowRules.settled();
    },
    stop() {
      clearInterval(timer);
      for (const off of unsubscribe) off();
    },
  };
}

async function projectIds(store: Store): Promise<number[]> {
  const rows = await store.query<{ id: number }>('SELECT id FROM projects FINAL WHERE deleted = 0');
  return rows.map((row) => Number(row.id));
}

/** A notice for an issue known only from stored events (window rebuild); the next event replaces it. */
function placeholderNotice(projectId: number, issueId: string): IssueNotice {
  return {
    projectId,
    issueId,
    title: issueId,
    culprit: '',
    status: 'unresolved',
    frame: null,
    event: { event_id: '', timestamp: 0, received_at: 0, release: '', environment: '', url: '', route: '', user_id: '', browser: '', os: '', message: '', type: '', tags: {} },
  };
}
