/**
 * Alert rules over certificate checks, per target, evaluated by the collector that made the check
 * (certs/monitor.ts hands each stored check here):
 * - `cert.expiry`: the fewest days left of any certificate of any address ≤ the rule's `days`
 *   (CRITICAL), or by default ≤ the target's warn_days (WARNING) / crit_days (CRITICAL);
 * - `cert.invalid`: any critical verdict other than expiry (chain, hostname, revoked, weak key or
 *   signature, not yet valid, an address that cannot be reached…);
 * - `cert.changed`: an address presents another leaf than at the previous check (a renewal, or an
 *   unexpected issuer).
 * A condition fires once per episode and level (the episode starts at the target's last check
 * without the condition, read from ClickHouse, so another collector checking the next round, a
 * restart or a rule created later do not fire it again) and sends `cert.resolved` when the
 * next check is clean. Each message is claimed first (claims.ts), then noise control as for issue
 * rules: another alert of the rule for the same target within `cooldown_minutes` waits for a
 * digest at most every `digest_minutes`. Icinga2 destinations report one service per target
 * (`{host}`, `{port}`, `{protocol}`, `{server_name}`, `{target}` in their host and service),
 * re-sent every half ttl from the latest stored check.
 */
import { hostname } from 'node:os';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../log.js';
import type { CheckedTarget } from '../certs/monitor.js';
import type { ResultStore, StoredCheck } from '../certs/results.js';
import { targetLabel, type StoredTarget, type TargetStore } from '../certs/targets.js';
import type { Claims } from './claims.js';
import { createDeliver } from './deliver.js';
import { ICINGA2_DEFAULT_TTL_SECONDS, type DestinationPool } from './destination-pool.js';
import { createIcinga2Destination } from './destinations/icinga2.js';
import type { AlertMessage, Destination } from './destinations/types.js';
import type { AlertHistory } from './history.js';
import { isCertRule, type AlertRule, type DestinationConfig } from './rules/rule-schema.js';
import type { RuleStore } from './rules/rule-store.js';

export interface CertRulesOptions {
  rules: RuleStore;
  targets: TargetStore;
  results: ResultStore;
  claims: Claims;
  history: AlertHistory;
  destinations: DestinationPool;
  publicUrl: () => string;
  log: Logger;
  /** The length of a minute in rule settings (tests shorten it). */
  minuteMs: number;
  /** How often pending digests and Icinga2 re-sends are looked at. Default 5 s. */
  tickMs?: number;
}

export interface CertRules {
  onChecked(checked: CheckedTarget): Promise<void>;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

type Level = 'none' | 'warning' | 'critical';
const EXPIRY_CODES = ['expired', 'expiring_critical', 'expiring_warning'];

/** Whether a rule's `filters.target` (ids, hosts, host:port) lets a target through. */
export function matchesTarget(rule: AlertRule, target: StoredTarget): boolean {
  const wanted = rule.filters?.target;
  if (!wanted) return true;
  return wanted.some((name) => name === target.id || name.toLowerCase() === target.host || name.toLowerCase() === `${target.host}:${target.port}`);
}

/** The fewest days left over every certificate of every address (null: none seen). */
export const minDaysLeft = (check: StoredCheck): number | null => {
  const days = check.addresses.map((a) => a.minDaysLeft).filter((d): d is number => d !== null);
  return days.length ? Math.min(...days) : null;
};

export function expiryLevel(rule: AlertRule, target: StoredTarget, check: StoredCheck): Level {
  const days = minDaysLeft(check);
  if (days === null) return 'none';
  if (rule.days !== undefined) return days <= rule.days ? 'critical' : 'none';
  if (days <= target.critDays || days < 0) return 'critical';
  return days <= target.warnDays ? 'warning' : 'none';
}

/** Critical verdicts that are not about expiry, per code (an unreachable address is one). */
export function invalidCodes(check: StoredCheck): string[] {
  const codes = new Set<string>();
  for (const a of check.addresses) {
    if (!a.connected && !a.verdicts.some((v) => v.severity === 'critical')) codes.add('connection_failed');
    for (const v of a.verdicts) if (v.severity === 'critical' && !EXPIRY_CODES.includes(v.code)) codes.add(v.code);
  }
  return [...codes].sort();
}

const INVALID_ROW = `(connected = 0 OR arrayExists((c, s) -> s = 'critical' AND c NOT IN ('expired', 'expiring_critical', 'expiring_warning'), verdict_codes, verdict_severities))`;

/** `{host}`, `{port}`… of an Icinga2 destination's host and service, for one target. */
export function expandDestination<T extends DestinationConfig>(config: T, target: StoredTarget): T {
  if (config.type !== 'icinga2') return config;
  const values: Record<string, string> = { host: target.host, port: String(target.port), protocol: target.protocol, server_name: target.serverName || target.host, target: target.id };
  const expand = (text: string) => text.replace(/\{(host|port|protocol|server_name|target)\}/g, (_, name: string) => values[name]);
  return { ...config, host: expand(config.host), service: expand(config.service) };
}

interface Noise {
  lastSentAt: number;
  pending?: { message: AlertMessage; key: string; state: 'WARNING' | 'CRITICAL'; target: StoredTarget };
}

export function createCertRules(options: CertRulesOptions): CertRules {
  const { rules, targets, results, claims, history, destinations, log } = options;
  const minutes = (n: number) => n * options.minuteMs;
  const base = () => options.publicUrl().replace(/\/+$/, '');
  const link = (target: StoredTarget) => `${base()}/certificates?target=${encodeURIComponent(target.id)}`;
  const inflight = new Set<Promise<void>>();
  /** Keys this collector already claimed (won or lost): not claimed again every round. */
  const claimed = new LRUCache<string, true>({ max: 50_000 });
  const noise = new Map<string, Noise>();
  /** Icinga2 services per (rule, destination, target): when last sent. */
  const icingaSent = new Map<string, number>();

  // Icinga2 destinations per state: a warning-level expiry is WARNING, the rest CRITICAL.
  const icinga = new Map<string, Destination>();
  const icingaDestination = (config: Extract<DestinationConfig, { type: 'icinga2' }>, firingState: 'WARNING' | 'CRITICAL'): Destination => {
    const key = `${firingState}\n${JSON.stringify(config)}`;
    let destination = icinga.get(key);
    if (!destination) {
      destination = createIcinga2Destination({
        url: config.url, username: config.username, password: config.password, caFile: config.ca_file, certFile: config.cert_file, keyFile: config.key_file,
        host: config.host, service: config.service, ttlSeconds: config.ttl_seconds ?? ICINGA2_DEFAULT_TTL_SECONDS,
        checkSource: `lookout@${hostname()}`, firingState, log, name: config.name ? `icinga2:${config.name}` : undefined,
      });
      icinga.set(key, destination);
    }
    return destination;
  };
  const delivers = {
    WARNING: createDeliver({ get: (config) => (config.type === 'icinga2' ? icingaDestination(config, 'WARNING') : destinations.get(config)), close: async () => {} }, history, log),
    CRITICAL: createDeliver({ get: (config) => (config.type === 'icinga2' ? icingaDestination(config, 'CRITICAL') : destinations.get(config)), close: async () => {} }, history, log),
  };

  async function deliver(rule: AlertRule, target: StoredTarget, message: AlertMessage, state: 'WARNING' | 'CRITICAL'): Promise<void> {
    const expanded = rule.destinations.map((config) => expandDestination(config, target));
    await delivers[state]({ ...rule, destinations: expanded }, message);
    const now = Date.now();
    for (const config of expanded) if (config.type === 'icinga2') icingaSent.set(`${rule.id}\n${JSON.stringify(config)}`, now);
  }

  const track = (work: Promise<void>) => {
    const tracked = work.catch((error) => log.error({ err: error }, 'a certificate alert could not be sent'));
    inflight.add(tracked);
    void tracked.finally(() => inflight.delete(tracked));
  };

  async function claimOnce(projectId: number, key: string): Promise<boolean> {
    if (claimed.has(key)) return false;
    claimed.set(key, true);
    return claims.claim(projectId, key);
  }

  /** Claims and sends, or keeps the message for the digest when the rule spoke about the target within its cooldown. */
  async function alert(rule: AlertRule, target: StoredTarget, key: string, message: AlertMessage, state: 'WARNING' | 'CRITICAL'): Promise<void> {
    const noiseKey = `${rule.id}\n${target.projectId}:${target.id}`;
    const entry = noise.get(noiseKey) ?? { lastSentAt: 0 };
    noise.set(noiseKey, entry);
    const now = Date.now();
    if (message.kind !== 'cert.resolved' && entry.lastSentAt && now - entry.lastSentAt < minutes(rule.cooldown_minutes)) {
      if (claimed.has(key)) return;
      claimed.set(key, true);
      entry.pending = { message, key, state, target };
      return;
    }
    if (!(await claimOnce(target.projectId, key))) return;
    entry.lastSentAt = now;
    entry.pending = undefined;
    await deliver(rule, target, message, state);
  }

  function message(rule: AlertRule, target: StoredTarget, kind: AlertMessage['kind'], title: string, summary: string): AlertMessage {
    return { kind, projectId: target.projectId, rule: { id: rule.id, name: rule.name }, title, summary, link: link(target) };
  }

  const daysText = (days: number | null) => (days === null ? 'no certificate seen' : days < 0 ? `expired ${-days} day${days === -1 ? '' : 's'} ago` : `${days} day${days === 1 ? '' : 's'} left`);
  const worstVerdicts = (check: StoredCheck, codes: (code: string, severity: string) => boolean) =>
    check.addresses.flatMap((a) => a.verdicts.filter((v) => codes(v.code, v.severity)).map((v) => `${a.address || 'resolution'}: ${v.message}`));

  /** The rule's view of one check: its level, what the episode is keyed on, the message. */
  function judge(rule: AlertRule, target: StoredTarget, check: StoredCheck): { level: Level; signature: string; title: string; summary: string } {
    const label = targetLabel(target);
    if (rule.type === 'cert.expiry') {
      const level = expiryLevel(rule, target, check);
      const days = minDaysLeft(check);
      const detail = worstVerdicts(check, (code) => EXPIRY_CODES.includes(code)).slice(0, 5).join('; ');
      return { level, signature: level, title: `Certificate of ${label}: ${daysText(days)}`, summary: detail || `the soonest certificate of ${label} has ${daysText(days)}` };
    }
    const codes = invalidCodes(check);
    const detail = worstVerdicts(check, (code, severity) => severity === 'critical' && !EXPIRY_CODES.includes(code));
    const unreachable = check.addresses.filter((a) => !a.connected && !a.verdicts.length).map((a) => `${a.address}: ${a.error || 'no TLS session'}`);
    return {
      level: codes.length ? 'critical' : 'none',
      signature: codes.join(','),
      title: `Certificate of ${label} is not valid: ${codes.map((code) => code.replaceAll('_', ' ')).join(', ')}`,
      summary: [...detail, ...unreachable].slice(0, 5).join('; '),
    };
  }

  const episodeCondition = (rule: AlertRule, target: StoredTarget): { sql: string; params: Record<string, number> } =>
    rule.type === 'cert.expiry' ? { sql: 'min_days_left <= {limit:Int32}', params: { limit: rule.days ?? target.warnDays } } : { sql: INVALID_ROW, params: {} };

  async function evaluate(rule: AlertRule, { target, check, previous, changes }: CheckedTarget): Promise<void> {
    const label = targetLabel(target);
    if (rule.type === 'cert.changed') {
      const byLeaf = new Map<string, typeof changes>();
      for (const change of changes) byLeaf.set(change.after.fingerprint, [...(byLeaf.get(change.after.fingerprint) ?? []), change]);
      for (const [fingerprint, list] of byLeaf) {
        const [first] = list;
        const addresses = list.map((c) => c.address).join(', ');
        const unexpected = list.some((c) => c.kind === 'issuer_changed');
        const title = unexpected ? `Certificate of ${label} changed issuer: ${first.after.issuer}` : `Certificate of ${label} renewed`;
        const summary =
          `${addresses}: ${first.before.fingerprint.slice(0, 23)}… (${first.before.issuer}, until ${first.before.notAfter}) → ` +
          `${fingerprint.slice(0, 23)}… (${first.after.issuer}, until ${first.after.notAfter})${unexpected ? '; the issuer is not the one before' : ''}`;
        await alert(rule, target, `cert.changed:${rule.id}:${target.id}:${fingerprint}:${first.previousCheckId}`, message(rule, target, 'cert.changed', title, summary), 'WARNING');
      }
      return;
    }
    const now = judge(rule, target, check);
    if (now.level !== 'none') {
      const { sql, params } = episodeCondition(rule, target);
      const since = await results.lastCheckWithout(target.projectId, target.id, sql, params);
      const key = `${rule.type}:${rule.id}:${target.id}:${since}:${now.signature}`;
      await alert(rule, target, key, message(rule, target, 'cert.firing', now.title, now.summary), now.level === 'warning' ? 'WARNING' : 'CRITICAL');
      return;
    }
    if (previous && judge(rule, target, previous).level !== 'none') {
      const title = rule.type === 'cert.expiry' ? `Resolved: certificate of ${label} has ${daysText(minDaysLeft(check))}` : `Resolved: certificate of ${label} is valid again`;
      await alert(rule, target, `${rule.type}:${rule.id}:${target.id}:resolved:${previous.checkId}`, message(rule, target, 'cert.resolved', title, `checked ${new Date(check.checkedAt).toISOString()}`), 'CRITICAL');
    }
  }

  const certRulesOf = (projectId: number) => rules.forProject(projectId).filter((rule) => rule.enabled && isCertRule(rule));

  /** Digests that are due, and Icinga2 services whose last result is older than half their ttl. */
  async function tick(): Promise<void> {
    const now = Date.now();
    for (const [key, entry] of noise) {
      const ruleId = key.split('\n')[0];
      const pending = entry.pending;
      if (!pending) continue;
      const rule = rules.get(pending.target.projectId, ruleId);
      if (!rule?.enabled) {
        noise.delete(key);
        continue;
      }
      if (now - entry.lastSentAt < minutes(rule.digest_minutes)) continue;
      entry.pending = undefined;
      entry.lastSentAt = now;
      track((async () => {
        if (!(await claims.claim(pending.target.projectId, `digest:${pending.key}`))) return;
        await deliver(rule, pending.target, pending.message, pending.state);
      })());
    }
    const latest = new Map<number, Promise<Map<string, StoredCheck>>>();
    for (const projectId of rules.projects()) {
      for (const rule of certRulesOf(projectId)) {
        for (const config of rule.destinations) {
          if (config.type !== 'icinga2') continue;
          const ttlMs = (config.ttl_seconds ?? ICINGA2_DEFAULT_TTL_SECONDS) * 1000;
          for (const target of targets.forProject(projectId)) {
            if (!matchesTarget(rule, target)) continue;
            const expanded = expandDestination(config, target);
            const sentKey = `${rule.id}\n${JSON.stringify(expanded)}`;
            if (now - (icingaSent.get(sentKey) ?? 0) < ttlMs / 2) continue;
            icingaSent.set(sentKey, now);
            if (!latest.has(projectId)) latest.set(projectId, results.latest(projectId));
            const check = (await latest.get(projectId)!).get(target.id);
            const judged = check && rule.type !== 'cert.changed' ? judge(rule, target, check) : null;
            const state = judged?.level === 'warning' ? 'WARNING' : 'CRITICAL';
            const sent: AlertMessage = judged && judged.level !== 'none'
              ? message(rule, target, 'cert.firing', judged.title, judged.summary)
              : message(rule, target, 'cert.resolved', `OK: ${rule.name} (${targetLabel(target)})`, check ? `checked ${new Date(check.checkedAt).toISOString()}` : 'not checked yet');
            void icingaDestination(expanded, state).send(sent).then(
              (result) => !result.ok && log.warn({ rule: rule.id, target: target.id, error: result.error }, 'Icinga2 certificate state not delivered'),
              (error) => log.error({ err: error, rule: rule.id }, 'Icinga2 certificate state failed'),
            );
          }
        }
      }
    }
  }

  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void tick()
      .catch((error) => log.error({ err: error }, 'certificate alert tick failed'))
      .finally(() => (ticking = false));
  }, options.tickMs ?? 5000);
  timer.unref();

  return {
    async onChecked(checked) {
      for (const rule of certRulesOf(checked.target.projectId)) {
        if (!matchesTarget(rule, checked.target)) continue;
        track(evaluate(rule, checked));
      }
    },
    async settled() {
      while (inflight.size) await Promise.all([...inflight]);
    },
    async stop() {
      clearInterval(timer);
      await Promise.all([...icinga.values()].map((destination) => destination.close()));
      icinga.clear();
    },
  };
}
