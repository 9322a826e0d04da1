/**
 * `lookout sourcemaps inject|upload`: argument handling only; the work is in inject.ts and
 * upload.ts. Exit codes: 0 done, 1 something was not injected or not stored, 2 the command
 * line is wrong. Every flag and variable is in docs/sourcemaps.md.
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_URL_PREFIX, normalizeUrlPrefix } from './artifact-name.js';
import { injectDirectory, type Print } from './inject.js';
import { uploadDirectory } from './upload.js';

export const SOURCEMAPS_USAGE = `Usage:
  lookout sourcemaps inject <dir>
  lookout sourcemaps upload --url URL --project ID --token TOKEN --release R [--url-prefix ~/] <dir>

  inject   gives each bundle under <dir> that has a source map a debug ID (in the bundle and its map)
  upload   uploads the bundles and maps under <dir> to a release; names are --url-prefix + path under <dir>

Flags of upload, or their environment variables:
  --url URL          LOOKOUT_URL       the collector, such as https://lookout.example.com
  --project ID       LOOKOUT_PROJECT   project id (a number)
  --token TOKEN      LOOKOUT_TOKEN     the admin token or a token of the project
  --release R        LOOKOUT_RELEASE   the release your pages pass to Lookout.init({ release })
  --url-prefix P                       where <dir> is served from: ~/ (any host, default), ~/static/ or https://cdn.example.com/assets/

Exit codes: 0 done, 1 something was not injected or not stored, 2 wrong command line.
More: docs/sourcemaps.md`;

/** A problem with the command line: printed as one line, exit code 2. */
const usageError = (message: string): Error => Object.assign(new Error(message), { usage: true });
const isUsageError = (error: unknown): boolean => (error as { usage?: boolean }).usage === true;

const UPLOAD_FLAGS = {
  url: 'LOOKOUT_URL',
  project: 'LOOKOUT_PROJECT',
  token: 'LOOKOUT_TOKEN',
  release: 'LOOKOUT_RELEASE',
  'url-prefix': '',
} as const;

/** Runs `lookout sourcemaps …` and returns the exit code. */
export async function sourcemapsCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  print: Print = console.log,
  printError: Print = console.error,
): Promise<number> {
  const [subcommand, ...rest] = argv;
  try {
    if (subcommand === 'inject') return await inject(rest, print);
    if (subcommand === 'upload') return await upload(rest, env, print);
    if (subcommand === undefined || subcommand === '--help' || subcommand === 'help') {
      print(SOURCEMAPS_USAGE);
      return 0;
    }
    throw usageError(`unknown command "${subcommand}": use inject or upload (lookout sourcemaps --help)`);
  } catch (error) {
    printError(`lookout sourcemaps${subcommand === 'inject' || subcommand === 'upload' ? ` ${subcommand}` : ''}: ${(error as Error).message}`);
    return isUsageError(error) ? 2 : 1;
  }
}

async function inject(argv: string[], print: Print): Promise<number> {
  const { values, dir } = parse(argv, {});
  if (values.help) {
    print(SOURCEMAPS_USAGE);
    return 0;
  }
  const results = await injectDirectory(dir, print);
  const count = (status: string) => results.filter((r) => r.status === status).length;
  if (!results.length) {
    print(`no .js, .mjs or .cjs files under ${dir}: pass the folder your build writes to, after the build`);
    return 1;
  }
  print(`${count('injected')} injected, ${count('skipped')} skipped, ${count('failed')} failed`);
  if (!count('injected') && !count('failed')) print('warning: no bundle had a source map: build with source maps (sourcemap: true or \'hidden\'), then inject');
  return count('failed') ? 1 : 0;
}

async function upload(argv: string[], env: NodeJS.ProcessEnv, print: Print): Promise<number> {
  const { values, dir } = parse(argv, UPLOAD_FLAGS);
  if (values.help) {
    print(SOURCEMAPS_USAGE);
    return 0;
  }
  const flag = (name: keyof typeof UPLOAD_FLAGS): string | undefined => {
    const value = values[name] ?? (UPLOAD_FLAGS[name] ? env[UPLOAD_FLAGS[name]] : undefined);
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  };
  const required = (name: 'url' | 'project' | 'token' | 'release'): string => {
    const value = flag(name);
    if (!value) throw usageError(`--${name} is missing (or set ${UPLOAD_FLAGS[name]})`);
    return value;
  };
  const url = required('url');
  if (!/^https?:\/\/[^/\s]+/i.test(url)) throw usageError(`--url "${url}" must be the collector's http(s) URL, such as https://lookout.example.com`);
  const project = required('project');
  if (!/^[1-9]\d*$/.test(project)) throw usageError(`--project "${project}" must be a project id, a number such as 1`);
  const token = required('token');
  const release = required('release');
  let urlPrefix: string;
  try {
    urlPrefix = normalizeUrlPrefix(flag('url-prefix') ?? DEFAULT_URL_PREFIX);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const result = await uploadDirectory(dir, { url, project, token, release, urlPrefix, print });
  return result.exitCode;
}

/** Flags (all taking a value) plus --help, and exactly one folder. */
function parse(argv: string[], flags: Record<string, string>): { values: Record<string, string | boolean | undefined>; dir: string } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'string' as const }])), help: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    // node's messages are long and suggest `--`; one line that names the flag is enough.
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) throw usageError(`unknown flag ${unknown[1]}${Object.keys(flags).length ? ` (flags: ${Object.keys(flags).map((f) => `--${f}`).join(', ')})` : ''}`);
    const missing = /Option '(--[\w-]+)[^']*' argument missing/.exec(message);
    if (missing) throw usageError(`${missing[1]} needs a value`);
    throw usageError(message.split('\n')[0]);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { values, dir: '' };
  if (parsed.positionals.length !== 1) {
    throw usageError(parsed.positionals.length ? `one folder only, got ${parsed.positionals.join(' ')}` : 'which folder? Pass the folder your build writes to, such as dist');
  }
  const dir = parsed.positionals[0];
  if (!isDirectory(dir)) throw usageError(`${dir} is not a folder: pass the folder your build writes to, such as dist`);
  return { values, dir };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
