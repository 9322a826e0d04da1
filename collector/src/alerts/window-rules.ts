/**
 * Rules over sliding windows of all events, evaluated in memory from the processor's stored
 * batches (never by polling the database), rebuilt from ClickHouse at start-up:
 * - `error.rate`: errors per page view (navigation events) over the window, with a minimum of views;
 * - `vital.threshold`: p75 of one Web Vital per route, with a minimum of samples;
 * - `route.duration`: p75 route-change duration per route, with a minimum of samples;
 * - `ingest.silence`: no event at all from the project for the window.
 * Each (rule, route) fires `threshold.firing` once when the condition starts and
 * `threshold.resolved` when it clears; every message is claimed first (claims.ts).
 */
import type { ProcessedEvent } from '../process/pipeline.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import type { Claims } from './claims.js';
import type { Deliver } from './deliver.js';
import type { AlertMessage, AlertMetric } from './destinations/types.js';
import { matchesRuleFilters } from './rules/rule-filters.js';
import type { AlertRule } from './rules/rule-schema.js';
import type { RuleStore } from './rules/rule-store.js';

export interface WindowRulesOptions {
  store: Store;
  rules: RuleStore;
  claims: Claims;
  deliver: Deliver;
  publicUrl: () => string;
  log: Logger;
  /** The length of a minute in rule settings (tests shorten it). */
  minuteMs: number;
}

export interface WindowStatus {
  /** The route for per-route rules; '' otherwise. */
  group: string;
  firing: boolean;
  /** Null while there is not enough data to judge (fewer views or samples than the rule's minimum). */
  metric: AlertMetric | null;
}

export interface WindowRules {
  /** The current state of a rule's windows, as this collector sees them. */
  status(rule: AlertRule): WindowStatus[];
  /** Processor `onStored` listener. */
  observe(events: readonly ProcessedEvent[]): void;
  /** Evaluates every window (the engine's timer calls it). */
  tick(): void;
  rebuild(): Promise<void>;
  settled(): Promise<void>;
}

/** Values kept per window at most: the newest, so memory stays bounded under any load. */
const MAX_SAMPLES = 50_000;
const DEFAULT_MIN_PAGE_VIEWS = 50;
const DEFAULT_MIN_SAMPLES = 20;

interface Window {
  rule: AlertRule;
  projectId: number;
  /** The route for per-route rules; '' otherwise. */
  group: string;
  /** error.rate: error and page-view times; p75 rules: (time, value). */
  errors: number[];
  views: number[];
  samples: { t: number; v: number }[];
  firing?: { key: string };
}

interface Observation {
  projectId: number;
  t: number;
  kind: 'error' | 'vital' | 'navigation';
  route: string;
  environment: string;
  release: string;
  browser: string;
  tags: Record<string, string>;
  /** Vital name or navigation type. */
  name: string;
  value: number;
  count: number;
}

function observation(processed: ProcessedEvent): Observation {
  const { event } = processed;
  const common = {
    projectId: processed.projectId,
    t: processed.receivedAt,
    kind: event.kind,
    route: event.route ?? '',
    environment: event.environment ?? '',
    release: event.release ?? '',
    browser: processed.client.browser_name,
    tags: event.tags ?? {},
  };
  switch (event.kind) {
    case 'error':
      return { ...common, name: '', value: 0, count: event.count ?? 1 };
    case 'vital':
      return { ...common, name: event.name, value: event.value, count: 1 };
    case 'navigation':
      return { ...common, name: event.type, value: event.duration, count: 1 };
  }
}

export function p75(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.75 * sorted.length) - 1)];
}

const format = (rule: AlertRule, value: number) =>
  rule.type === 'error.rate' ? `${(value * 100).toFixed(1)} %` : rule.vital === 'CLS' ? value.toFixed(3) : `${Math.round(value)} ms`;

export function createWindowRules(options: WindowRulesOptions): WindowRules {
  const { rules, claims, deliver, log } = options;
  const minutes = (n: number) => n * options.minuteMs;
  const windows = new Map<string, Window>();
  /** ingest.silence: last event per project, and when this collector started watching. */
  const lastSeen = new Map<number, number>();
  const startedAt = Date.now();
  const inflight = new Set<Promise<void>>();

  const windowOf = (rule: AlertRule, group: string): Window => {
    const key = `${rule.id}\n${group}`;
    let window = windows.get(key);
    if (!window) windows.set(key, (window = { rule, projectId: rule.projectId, group, errors: [], views: [], samples: [] }));
    window.rule = rule;
    return window;
  };

  function add(o: Observation): void {
    lastSeen.set(o.projectId, Math.max(lastSeen.get(o.projectId) ?? 0, o.t));
    for (const rule of rules.forProject(o.projectId)) {
      if (!rule.enabled || !matchesRuleFilters(rule.filters, o)) continue;
      if (rule.type === 'error.rate') {
        const window = windowOf(rule, '');
        if (o.kind === 'error') for (let i = 0; i < Math.min(o.count, 1000); i++) window.errors.push(o.t);
        else if (o.kind === 'navigation') window.views.push(o.t);
      } else if (rule.type === 'vital.threshold' && o.kind === 'vital' && o.name === rule.vital) {
        push(windowOf(rule, o.route).samples, { t: o.t, v: o.value });
      } else if (rule.type === 'route.duration' && o.kind === 'navigation' && o.name === 'route') {
        push(windowOf(rule, o.route).samples, { t: o.t, v: o.value });
      }
    }
  }

  const push = (samples: { t: number; v: number }[], sample: { t: number; v: number }) => {
    samples.push(sample);
    if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
  };

  /** The window's measure, or null when there is not enough data to judge. */
  function measure(window: Window, now: number): AlertMetric | null {
    const { rule } = window;
    const threshold = rule.threshold!;
    const from = now - minutes(threshold.window_minutes);
    const prune = <T>(list: T[], time: (item: T) => number) => {
      let drop = 0;
      while (drop < list.length && time(list[drop]) < from) drop++;
      if (drop) list.splice(0, drop);
    };
    if (rule.type === 'error.rate') {
      prune(window.errors, (t) => t);
      prune(window.views, (t) => t);
      if (window.views.length < (threshold.min_page_views ?? DEFAULT_MIN_PAGE_VIEWS)) return null;
      return { name: 'errors per page view', value: window.errors.length / window.views.length, threshold: threshold.rate!, windowMinutes: threshold.window_minutes };
    }
    prune(window.samples, (s) => s.t);
    if (window.samples.length < (threshold.min_samples ?? DEFAULT_MIN_SAMPLES)) return null;
    const name = rule.type === 'vital.threshold' ? `${rule.vital} p75` : 'route-change p75 (ms)';
    return { name, value: p75(window.samples.map((s) => s.v)), threshold: threshold.value!, windowMinutes: threshold.window_minutes };
  }

  function message(window: Window, kind: 'threshold.firing' | 'threshold.resolved', metric: AlertMetric): AlertMessage {
    const { rule, group } = window;
    const where = group ? ` on ${group}` : '';
    const base = options.publicUrl().replace(/\/+$/, '');
    const what =
      rule.type === 'ingest.silence'
        ? `No events from project ${window.projectId} for ${metric.windowMinutes} min`
        : `${metric.name} ${format(rule, metric.value)} ${kind === 'threshold.firing' ? '>' : '≤'} ${format(rule, metric.threshold)}${where} over ${metric.windowMinutes} min`;
    return {
      kind,
      projectId: window.projectId,
      rule: { id: rule.id, name: rule.name },
      title: kind === 'threshold.firing' ? what : `Resolved: ${rule.type === 'ingest.silence' ? `events from project ${window.projectId} arrive again` : what}`,
      summary:
        rule.type === 'ingest.silence'
          ? 'The app or its agent may be broken, or the collector unreachable from it.'
          : `Rule ${rule.name}: ${rule.type}${where}`,
      metric,
      link: rule.type === 'vital.threshold' || rule.type === 'route.duration' ? `${base}/performance${group ? `?route=${encodeURIComponent(group)}` : ''}` : `${base}/`,
    };
  }

  function fire(window: Window, kind: 'threshold.firing' | 'threshold.resolved', key: string, metric: AlertMetric): void {
    const work = (async () => {
      if (!(await claims.claim(window.projectId, key))) return;
      await deliver(window.rule, message(window, kind, metric));
    })().catch((error) => log.error({ err: error, rule: window.rule.id }, 'a window alert could not be sent'));
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
  }

  function evaluate(window: Window, now: number, quiet = false): void {
    const { rule } = window;
    let metric: AlertMetric | null;
    let over: boolean;
    if (rule.type === 'ingest.silence') {
      const last = Math.max(lastSeen.get(window.projectId) ?? 0, startedAt);
      metric = { name: 'minutes without events', value: Math.floor((now - last) / options.minuteMs), threshold: rule.threshold!.window_minutes, windowMinutes: rule.threshold!.window_minutes };
      over = now - last >= minutes(rule.threshold!.window_minutes);
    } else {
      metric = measure(window, now);
      over = metric !== null && metric.value > metric.threshold;
    }
    if (over && !window.firing) {
      window.firing = { key: `${rule.type}:${rule.id}:${window.group}:${Math.floor(now / minutes(rule.threshold!.window_minutes))}` };
      if (!quiet) fire(window, 'threshold.firing', window.firing.key, metric!);
    } else if (!over && window.firing && (metric !== null || rule.type === 'ingest.silence')) {
      const key = `${window.firing.key}:resolved`;
      window.firing = undefined;
      if (!quiet) fire(window, 'threshold.resolved', key, metric!);
    }
  }

  return {
    status(rule) {
      const now = Date.now();
      if (rule.type === 'ingest.silence') {
        const last = Math.max(lastSeen.get(rule.projectId) ?? 0, startedAt);
        const window = windows.get(`${rule.id}\n`);
        return [{ group: '', firing: !!window?.firing, metric: { name: 'minutes without events', value: Math.floor((now - last) / options.minuteMs), threshold: rule.threshold!.window_minutes, windowMinutes: rule.threshold!.window_minutes } }];
      }
      const list: WindowStatus[] = [];
      for (const window of windows.values()) {
        if (window.rule.id !== rule.id) continue;
        list.push({ group: window.group, firing: !!window.firing, metric: measure(window, now) });
      }
      return list;
    },
    observe(events) {
      for (const processed of events) add(observation(processed));
    },
    tick() {
      const now = Date.now();
      for (const rule of allWindowRules()) if (rule.type === 'ingest.silence') windowOf(rule, '');
      for (const [key, window] of windows) {
        const current = rules.get(window.projectId, window.rule.id);
        if (!current?.enabled) {
          windows.delete(key);
          continue;
        }
        window.rule = current;
        evaluate(window, now);
      }
    },
    async rebuild() {
      const now = Date.now();
      const byProject = new Map<number, AlertRule[]>();
      for (const rule of allWindowRules()) byProject.set(rule.projectId, [...(byProject.get(rule.projectId) ?? []), rule]);
      for (const [projectId, list] of byProject) {
        const longest = Math.max(...list.map((rule) => rule.threshold!.window_minutes));
        const from = now - minutes(longest);
        const rows = await options.store.query<Record<string, any>>(
          `SELECT * FROM (
           SELECT 'error' AS kind, toUnixTimestamp64Milli(received_at) AS t, route, environment, release, browser_name, tags, '' AS name, 0 AS value, count FROM errors
             WHERE project_id = {projectId:UInt32} AND received_at >= fromUnixTimestamp64Milli({from:Int64})
           UNION ALL
           SELECT 'vital', toUnixTimestamp64Milli(received_at), route, environment, release, browser_name, tags, toString(name), value, 1 FROM vitals
             WHERE project_id = {projectId:UInt32} AND received_at >= fromUnixTimestamp64Milli({from:Int64})
           UNION ALL
           SELECT 'navigation', toUnixTimestamp64Milli(received_at), route, environment, release, browser_name, tags, toString(type), duration, 1 FROM navigations
             WHERE project_id = {projectId:UInt32} AND received_at >= fromUnixTimestamp64Milli({from:Int64})
           ) ORDER BY t LIMIT 500000`,
          { projectId, from },
        );
        for (const row of rows) {
          add({
            projectId,
            t: Number(row.t),
            kind: row.kind,
            route: row.route,
            environment: row.environment,
            release: row.release,
            browser: row.browser_name,
            tags: row.tags ?? {},
            name: row.name,
            value: Number(row.value),
            count: Number(row.count),
          });
        }
        if (list.some((rule) => rule.type === 'ingest.silence')) {
          const [latest] = await options.store.query<{ t: string | number }>(
            `SELECT max(t) AS t FROM (
               SELECT max(toUnixTimestamp64Milli(received_at)) AS t FROM errors WHERE project_id = {projectId:UInt32}
               UNION ALL SELECT max(toUnixTimestamp64Milli(received_at)) FROM vitals WHERE project_id = {projectId:UInt32}
               UNION ALL SELECT max(toUnixTimestamp64Milli(received_at)) FROM navigations WHERE project_id = {projectId:UInt32})`,
            { projectId },
          );
          if (latest && Number(latest.t) > 0) lastSeen.set(projectId, Math.max(lastSeen.get(projectId) ?? 0, Number(latest.t)));
        }
      }
      // A condition already true was alerted before the restart (its claim says so): marked firing, not sent again.
      for (const window of windows.values()) evaluate(window, now, true);
    },
    async settled() {
      while (inflight.size) await Promise.all([...inflight]);
    },
  };

  function allWindowRules(): AlertRule[] {
    const list: AlertRule[] = [];
    for (const projectId of rules.projects()) {
      for (const rule of rules.forProject(projectId)) {
        if (rule.enabled && (rule.type === 'error.rate' || rule.type === 'vital.threshold' || rule.type === 'route.duration' || rule.type === 'ingest.silence')) list.push(rule);
      }
    }
    return list;
  }
}
