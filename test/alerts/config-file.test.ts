/** The config file's alert rules: JSON and YAML, found in the working folder, and errors that name the file, the rule and the field. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readConfigFile } from '../../collector/src/alerts/rules/config-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookout-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const slack = { type: 'slack', webhook_url: 'https://hooks.slack.com/services/T/B/X' };

it('reads rules from YAML or JSON, and finds lookout.config.* in the working folder', async () => {
  await writeFile(join(dir, 'lookout.config.yml'), 'alerts:\n  rules:\n    - { project: 2, name: New, type: issue.new, destinations: [{ type: slack, webhook_url: "https://hooks.slack.com/services/T/B/X" }] }\n');
  expect(readConfigFile(undefined, dir)).toEqual({ path: join(dir, 'lookout.config.yml'), alertRules: [{ project: 2, name: 'New', type: 'issue.new', destinations: [slack] }], certs: { targets: [] } });
  const json = join(dir, 'other.json');
  await writeFile(json, JSON.stringify({ alerts: { rules: [] } }));
  expect(readConfigFile(json, dir)).toEqual({ path: json, alertRules: [], certs: { targets: [] } });
  expect(readConfigFile(undefined, join(dir, 'nowhere'))).toMatchObject({ path: null, alertRules: [] });
});

it.each([
  ['not YAML', 'alerts: [\n', /is not valid YAML/],
  ['rules not a list', 'alerts:\n  rules: 3\n', /alerts\.rules must be a list of rules/],
  ['no project', `alerts:\n  rules:\n    - { name: A, type: issue.new, destinations: [{ type: slack, webhook_url: "${slack.webhook_url}" }] }\n`, /alerts\.rules\[0\] \("A"\) needs "project"/],
  ['no destinations', 'alerts:\n  rules:\n    - { project: 1, name: B, type: issue.new }\n', /alerts\.rules\[0\] \("B"\): rule is missing "destinations"/],
  ['bad threshold', `alerts:\n  rules:\n    - { project: 1, name: C, type: error.rate, destinations: [{ type: slack, webhook_url: "${slack.webhook_url}" }] }\n`, /\("C"\): an error\.rate rule needs threshold\.rate/],
])('refuses %s, naming the file and the rule', async (name, text, message) => {
  const path = join(dir, `${name.replace(/\W/g, '-')}.yaml`);
  await writeFile(path, text);
  expect(() => readConfigFile(path, dir)).toThrow(message);
  expect(() => readConfigFile(path, dir)).toThrow(path);
});
