/**
 * The Dockerfile, linted by the rules that matter for this image. No docker engine runs on the
 * machine these tests were written on, and neither `docker build --check` (needs a daemon) nor
 * `docker buildx` (not installed) is available, so this is a small parser + checker of our own:
 * docs/deployment.md says what it does and does not prove.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions (continuation lines joined, comments dropped) grouped by stage; ARGs before the first FROM substituted into FROM. */
function parseDockerfile(text: string): { stages: Stage[]; globalArgs: Record<string, string> } {
  const instructions: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!buffer && (line === '' || line.startsWith('#'))) return;
    if (buffer && line.startsWith('#')) return;
    if (!buffer) start = index + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const [, keyword, args] = /^(\S+)\s*(.*)$/s.exec(buffer)!;
    instructions.push({ keyword: keyword.toUpperCase(), args: args.trim(), line: start });
    buffer = '';
  });
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      const from = image.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs[arg] ?? `\${${arg}}`);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (!stages.length) {
      if (instruction.keyword === 'ARG') {
        const [name, value = ''] = instruction.args.split('=');
        globalArgs[name] = value.replace(/^"|"$/g, '');
      }
    } else stages.at(-1)!.instructions.push(instruction);
  }
  return { stages, globalArgs };
}

/** ENV KEY=VALUE pairs of a stage (the `ENV A=1 B=2` form; values unquoted). */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const match of args.matchAll(/(\w+)=("([^"]*)"|\S+)/g)) env[match[1]] = match[3] ?? match[2];
  }
  return env;
}

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const { stages } = parseDockerfile(dockerfile);
const final = stages.at(-1)!;
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  it('is multi-stage: a build stage and a runtime stage that copies the build output', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const buildStages = stages.slice(0, -1);
    expect(buildStages.some((s) => all(s, 'RUN').some((i) => /npm run build/.test(i.args)))).toBe(true);
    expect(all(final, 'RUN').some((i) => /npm run build/.test(i.args)), 'no build in the final stage').toBe(false);
    const copied = all(final, 'COPY').filter((i) => /--from=/.test(i.args));
    expect(copied.some((i) => /\bdist\b/.test(i.args))).toBe(true);
    for (const copy of copied) {
      const from = /--from=(\S+)/.exec(copy.args)![1];
      expect(stages.slice(0, -1).map((s) => s.name), `COPY --from=${from} names an earlier stage`).toContain(from);
    }
  });

  it('pins its base images: a tag that is not latest, glibc (Debian), Node 20', () => {
    for (const stage of stages) {
      const image = stage.from;
      if (stages.some((s) => s.name === image)) continue; // FROM an earlier stage
      expect(image, `FROM ${image} resolves its ARG`).not.toMatch(/\$\{/);
      const tag = /:([^/@]+)$/.exec(image)?.[1];
      expect(tag, `FROM ${image} has a tag`).toBeDefined();
      expect(tag).not.toBe('latest');
      // chDB ships only as linux-*-gnu binaries: no musl (Alpine) image.
      expect(image).not.toMatch(/alpine/);
      expect(tag).toMatch(/^20\.\d+.*bookworm/);
    }
  });

  it('installs production dependencies only in the final stage', () => {
    const installs = all(final, 'RUN').filter((i) => /npm (install|ci)\b/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install.args, `line ${install.line}`).toMatch(/--omit=dev|--production/);
    // Nothing copies a full (dev) node_modules from the build stage.
    expect(all(final, 'COPY').filter((i) => /node_modules/.test(i.args))).toEqual([]);
  });

  it('runs as a non-root user', () => {
    const users = all(final, 'USER');
    expect(users.length, 'a USER in the final stage').toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0];
    expect(['root', '0']).not.toContain(user);
    // Nothing runs after the last USER as root again: the last USER is after the last RUN.
    const lastUser = final.instructions.lastIndexOf(users.at(-1)!);
    expect(final.instructions.slice(lastUser).some((i) => i.keyword === 'RUN')).toBe(false);
  });

  it('has a HEALTHCHECK on /healthz that needs no curl (slim image)', () => {
    const checks = all(final, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    expect(checks[0].args).toMatch(/CMD/);
    expect(checks[0].args).toMatch(/\/healthz/);
    expect(checks[0].args).not.toMatch(/\b(curl|wget)\b/);
  });

  it('listens on 0.0.0.0 at the EXPOSEd PORT and keeps its data in the VOLUME named by LOOKOUT_DATA', () => {
    const env = envOf(final);
    expect(env.HOST).toBe('0.0.0.0');
    expect(all(final, 'EXPOSE').map((i) => i.args.split('/')[0])).toEqual([env.PORT]);
    expect(env.LOOKOUT_DATA).toBe('/data');
    const volumes = all(final, 'VOLUME').flatMap((i) => (i.args.startsWith('[') ? (JSON.parse(i.args) as string[]) : i.args.split(/\s+/)));
    expect(volumes).toContain(env.LOOKOUT_DATA);
    // The folder exists and belongs to the runtime user before the VOLUME (else it is root's).
    expect(all(final, 'RUN').some((i) => new RegExp(`chown\\s+\\S+\\s+${env.LOOKOUT_DATA}`).test(i.args))).toBe(true);
  });

  it('keeps no secret in ENV or ARG', () => {
    for (const stage of stages) {
      for (const name of Object.keys(envOf(stage))) expect(name).not.toMatch(/TOKEN|PASSWORD|SECRET|KEY/);
      for (const arg of all(stage, 'ARG')) expect(arg.args).not.toMatch(/TOKEN|PASSWORD|SECRET|KEY/);
    }
  });

  it('starts the collector in exec form (signals reach node: graceful SIGTERM)', () => {
    const cmd = all(final, 'CMD').at(-1) ?? all(final, 'ENTRYPOINT').at(-1);
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!.args)).toEqual(['node', 'bin/lookout.js', 'serve']);
  });

  it('keeps local state and tokens out of the build context (.dockerignore)', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', 'dist', 'data', '.git', 'lookout.config.*', '.env']) expect(ignored).toContain(entry);
  });
});

describe('the Dockerfile checker itself', () => {
  it('finds what it is meant to find in a bad Dockerfile', () => {
    const bad = parseDockerfile('FROM node:latest\nENV ADMIN_TOKEN=x \\\n  PORT=80\nRUN npm install\nCMD node x');
    expect(bad.stages).toHaveLength(1);
    expect(bad.stages[0].from).toBe('node:latest');
    expect(envOf(bad.stages[0])).toEqual({ ADMIN_TOKEN: 'x', PORT: '80' });
    expect(all(bad.stages[0], 'USER')).toEqual([]);
    const withArg = parseDockerfile('ARG IMG=node:20.20-bookworm-slim\nFROM ${IMG} AS build\nFROM build\n');
    expect(withArg.stages.map((s) => [s.from, s.name])).toEqual([['node:20.20-bookworm-slim', 'build'], ['build', undefined]]);
  });
});
