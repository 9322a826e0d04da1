/**
 * The collector's config file: `--config FILE` (JSON or YAML by its extension), else
 * `lookout.config.json`, `.yaml` or `.yml` in the working folder when present. Today it holds
 * alert rules (`alerts.rules`, each with the `project` it belongs to); docs/alerts.md shows one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseTargetInput, type ConfigTarget } from '../../certs/targets.js';
import { parseRuleInput } from './rule-schema.js';
import type { ConfigRule } from './rule-store.js';

export interface ConfigFile {
  path: string | null;
  alertRules: ConfigRule[];
  /** `certs`: targets checked on a schedule (docs/certs.md) and the schedule's settings (flags win). */
  certs: { targets: ConfigTarget[]; intervalMinutes?: number; concurrency?: number };
}

const DEFAULT_NAMES = ['lookout.config.json', 'lookout.config.yaml', 'lookout.config.yml'];

export function readConfigFile(explicit: string | undefined, cwd = process.cwd()): ConfigFile {
  const path = explicit ? resolve(cwd, explicit) : DEFAULT_NAMES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (!path) return { path: null, alertRules: [], certs: { targets: [] } };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new Error(`the config file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`);
  }
  const rules = (data as { alerts?: { rules?: unknown } } | null)?.alerts?.rules ?? [];
  if (!Array.isArray(rules)) throw new Error(`${path}: alerts.rules must be a list of rules`);
  rules.forEach((rule, index) => {
    const { project, ...definition } = (rule ?? {}) as { project?: unknown; name?: unknown };
    const which = `${path}: alerts.rules[${index}]${typeof definition.name === 'string' ? ` ("${definition.name}")` : ''}`;
    if (!Number.isInteger(project) || (project as number) < 1) throw new Error(`${which} needs "project": the id of the project it watches`);
    try {
      parseRuleInput(definition);
    } catch (error) {
      throw new Error(`${which}: ${(error as Error).message}`);
    }
  });
  return { path, alertRules: rules as ConfigRule[], certs: readCerts(path, (data as { certs?: unknown } | null)?.certs) };
}

function readCerts(path: string, certs: unknown): ConfigFile['certs'] {
  if (certs === undefined || certs === null) return { targets: [] };
  if (typeof certs !== 'object' || Array.isArray(certs)) throw new Error(`${path}: certs must be an object: { targets: [...], intervalMinutes, concurrency }`);
  const { targets = [], intervalMinutes, concurrency, ...rest } = certs as { targets?: unknown; intervalMinutes?: unknown; concurrency?: unknown };
  const unknown = Object.keys(rest)[0];
  if (unknown) throw new Error(`${path}: certs has an unknown field "${unknown}" (known: targets, intervalMinutes, concurrency)`);
  if (intervalMinutes !== undefined && (!Number.isInteger(intervalMinutes) || (intervalMinutes as number) < 1)) throw new Error(`${path}: certs.intervalMinutes must be a whole number of minutes ≥ 1`);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || (concurrency as number) < 1)) throw new Error(`${path}: certs.concurrency must be a whole number ≥ 1`);
  if (!Array.isArray(targets)) throw new Error(`${path}: certs.targets must be a list of targets`);
  targets.forEach((target, index) => {
    const { project, ...definition } = (target ?? {}) as { project?: unknown; host?: unknown };
    const which = `${path}: certs.targets[${index}]${typeof definition.host === 'string' ? ` (${definition.host})` : ''}`;
    if (!Number.isInteger(project) || (project as number) < 1) throw new Error(`${which} needs "project": the id of the project it belongs to`);
    try {
      parseTargetInput(definition);
    } catch (error) {
      throw new Error(`${which}: ${(error as Error).message}`);
    }
  });
  return { targets: targets as ConfigTarget[], ...(intervalMinutes !== undefined ? { intervalMinutes: intervalMinutes as number } : {}), ...(concurrency !== undefined ? { concurrency: concurrency as number } : {}) };
}
