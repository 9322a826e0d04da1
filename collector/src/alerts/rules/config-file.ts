/**
 * The collector's config file: `--config FILE` (JSON or YAML by its extension), else
 * `lookout.config.json`, `.yaml` or `.yml` in the working folder when present. Today it holds
 * alert rules (`alerts.rules`, each with the `project` it belongs to); docs/alerts.md shows one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseRuleInput } from './rule-schema.js';
import type { ConfigRule } from './rule-store.js';

export interface ConfigFile {
  path: string | null;
  alertRules: ConfigRule[];
}

const DEFAULT_NAMES = ['lookout.config.json', 'lookout.config.yaml', 'lookout.config.yml'];

export function readConfigFile(explicit: string | undefined, cwd = process.cwd()): ConfigFile {
  const path = explicit ? resolve(cwd, explicit) : DEFAULT_NAMES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate));
  if (!path) return { path: null, alertRules: [] };
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
  return { path, alertRules: rules as ConfigRule[] };
}
