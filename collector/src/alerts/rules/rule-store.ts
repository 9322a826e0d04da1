/**
 * Alert rules of every project: those of the config file (read-only through the API) and those
 * made through the API, kept in ClickHouse (`alert_rules`, newest definition wins, deletion is a
 * tombstone) so that every collector on one ClickHouse evaluates the same rules. Each collector
 * keeps them in memory, reloaded every `refreshMs` and at once after its own changes.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/types.js';
import { DEFAULT_COOLDOWN_MINUTES, DEFAULT_DIGEST_MINUTES, parseRuleInput, restoreSecrets, type AlertRule, type RuleInput } from './rule-schema.js';

export interface ConfigRule extends RuleInput {
  project: number;
}

export interface RuleStore {
  forProject(projectId: number): AlertRule[];
  /** Projects that have rules. */
  projects(): number[];
  get(projectId: number, ruleId: string): AlertRule | undefined;
  create(projectId: number, input: unknown): Promise<AlertRule>;
  update(projectId: number, ruleId: string, input: unknown): Promise<AlertRule>;
  remove(projectId: number, ruleId: string): Promise<void>;
  reload(): Promise<void>;
  close(): void;
}

/** Thrown for a change the API must refuse: `statusCode` says which answer. */
export class RuleError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'rule';

function complete(input: RuleInput, projectId: number, id: string, source: AlertRule['source'], updatedAt: number): AlertRule {
  return {
    ...input,
    id,
    projectId,
    enabled: input.enabled ?? true,
    digest_minutes: input.digest_minutes ?? DEFAULT_DIGEST_MINUTES,
    cooldown_minutes: input.cooldown_minutes ?? DEFAULT_COOLDOWN_MINUTES,
    source,
    updatedAt,
  };
}

export async function openRuleStore(store: Store, configRules: readonly ConfigRule[] = [], options: { refreshMs?: number } = {}): Promise<RuleStore> {
  const fromConfig = new Map<string, AlertRule>();
  for (const { project, ...input } of configRules) {
    const rule = complete(parseRuleInput(input), project, `config-${slug(input.name)}`, 'config', 0);
    if (fromConfig.has(`${project}:${rule.id}`)) throw new Error(`two alert rules of project ${project} in the config file are named "${input.name}"`);
    fromConfig.set(`${project}:${rule.id}`, rule);
  }
  let byProject = new Map<number, AlertRule[]>();

  async function reload(): Promise<void> {
    const rows = await store.query<{ project_id: number; rule_id: string; definition: string; updated_ms: string | number }>(
      `SELECT project_id, rule_id, definition, toUnixTimestamp64Milli(updated_at) AS updated_ms FROM alert_rules FINAL WHERE deleted = 0 ORDER BY project_id, rule_id`,
    );
    const next = new Map<number, AlertRule[]>();
    const add = (rule: AlertRule) => {
      const list = next.get(rule.projectId) ?? [];
      list.push(rule);
      next.set(rule.projectId, list);
    };
    for (const rule of fromConfig.values()) add(rule);
    for (const row of rows) {
      try {
        add(complete(parseRuleInput(JSON.parse(row.definition)), Number(row.project_id), row.rule_id, 'api', Number(row.updated_ms)));
      } catch {
        // A definition a newer collector wrote and this one cannot read: skipped, not fatal.
      }
    }
    byProject = next;
  }

  await reload();
  const timer = setInterval(() => void reload().catch(() => {}), options.refreshMs ?? 10_000);
  timer.unref();

  const get = (projectId: number, ruleId: string) => byProject.get(projectId)?.find((rule) => rule.id === ruleId);
  const write = async (projectId: number, ruleId: string, definition: RuleInput | null) => {
    await store.insert('alert_rules', [{ project_id: projectId, rule_id: ruleId, definition: definition ? JSON.stringify(definition) : '', updated_at: Date.now(), deleted: definition ? 0 : 1 }]);
    await reload();
  };
  const editable = (projectId: number, ruleId: string): AlertRule => {
    const rule = get(projectId, ruleId);
    if (!rule) throw new RuleError(`project ${projectId} has no alert rule ${ruleId}`, 404);
    if (rule.source === 'config') throw new RuleError(`rule ${ruleId} comes from the config file: change it there and restart the collector`, 409);
    return rule;
  };
  const valid = (input: unknown): RuleInput => {
    try {
      return parseRuleInput(input);
    } catch (error) {
      throw new RuleError((error as Error).message, 400);
    }
  };

  return {
    forProject: (projectId) => byProject.get(projectId) ?? [],
    projects: () => [...byProject.keys()],
    get,
    async create(projectId, input) {
      const definition = valid(input);
      const id = `r${randomBytes(6).toString('hex')}`;
      await write(projectId, id, definition);
      return get(projectId, id)!;
    },
    async update(projectId, ruleId, input) {
      const stored = editable(projectId, ruleId);
      await write(projectId, ruleId, valid(restoreSecrets(input, stored)));
      return get(projectId, ruleId)!;
    },
    async remove(projectId, ruleId) {
      editable(projectId, ruleId);
      await write(projectId, ruleId, null);
    },
    reload,
    close: () => clearInterval(timer),
  };
}
