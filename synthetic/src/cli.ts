/**
 * `lookout load …`:
 *   run <simulation.ts|js> [--report-dir dir] [--report-to url --token t [--project id]] [--label sha] [--quiet]
 *   from-har <recording.har>            (prints a starting simulation on stdout)
 * Exit codes: 0 all assertions passed; 1 an assertion failed (each failure is printed) or the
 * run could not report; 2 usage errors (bad flags, no such file, not a simulation, a profile
 * that cannot run).
 */
import { basename } from 'node:path';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { RunSummary } from './contract.js';
import { InjectionError } from './run/injection.js';
import { runSimulation } from './run/run.js';
import { summaryTable } from './run/summary-table.js';
import { loadSimulation, SimulationLoadError } from './load-simulation.js';

const USAGE = `usage:
  lookout load run <simulation.ts|js> [--report-dir dir] [--report-to URL --token T [--project ID]] [--label sha] [--quiet]
  lookout load from-har <recording.har> [--include-resources] > simulation.ts`;

export interface LoadCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: LoadCommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

class UsageError extends Error {}

export async function loadCommand(argv: string[], io: LoadCommandIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run') return await runCommand(rest, io);
    if (command === 'from-har') return await fromHarCommand(rest, io);
    throw new UsageError(command ? `unknown load command "${command}"` : 'missing load command');
  } catch (error) {
    if (error instanceof UsageError || error instanceof SimulationLoadError || error instanceof InjectionError || isParseArgsError(error)) {
      io.err(`lookout load: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

async function runCommand(args: string[], io: LoadCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'report-dir': { type: 'string' },
      'report-to': { type: 'string' },
      token: { type: 'string' },
      project: { type: 'string' },
      label: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('run takes exactly one simulation file');
  if (values['report-to'] && !values.token) throw new UsageError('--report-to needs --token');
  const projectId = values.project === undefined ? undefined : Number(values.project);
  if (projectId !== undefined && !Number.isInteger(projectId)) throw new UsageError('--project must be a project id (a number)');

  const { name, definition } = await loadSimulation(positionals[0]);
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  let summary: RunSummary;
  try {
    summary = await runSimulation(definition, {
      simulation: name,
      label: values.label ?? null,
      progress: values.quiet ? undefined : io.out,
      signal: interrupt.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  io.out(summaryTable(summary));

  let reportingFailed = false;
  if (values['report-dir']) {
    const { writeReports } = await import('./report/index.js');
    const files = await writeReports(summary, values['report-dir']);
    io.out(`reports: ${files.html}, ${files.json}, ${files.junit}`);
  }
  if (values['report-to']) {
    const { sendSummary } = await import('./report/send.js');
    try {
      const { runId } = await sendSummary({ url: values['report-to'], token: values.token!, projectId, summary });
      io.out(`sent to ${values['report-to']} as run ${runId}`);
    } catch (error) {
      io.err(`could not send the summary: ${(error as Error).message}`);
      reportingFailed = true;
    }
  }

  const failed = summary.assertions.filter((result) => !result.passed);
  for (const result of failed) io.err(`assertion failed: ${result.description}${result.message ? ` — ${result.message}` : ''}`);
  if (failed.length > 0) return 1;
  // Without assertions, the run passes when no request failed — as its JUnit file says.
  if (summary.assertions.length === 0 && summary.global.ko > 0) {
    io.err(`no assertions declared, and ${summary.global.ko} of ${summary.global.count} requests failed: declare assertions to say what is acceptable`);
    return 1;
  }
  return reportingFailed ? 1 : 0;
}

async function fromHarCommand(args: string[], io: LoadCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'include-resources': { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new UsageError('from-har takes exactly one .har file');
  let text: string;
  try {
    text = await readFile(positionals[0], 'utf8');
  } catch {
    throw new UsageError(`cannot read ${positionals[0]}`);
  }
  const { harToSimulation } = await import('./har/index.js');
  io.out(harToSimulation(text, { includeResources: values['include-resources'], source: basename(positionals[0]) }));
  return 0;
}

function isParseArgsError(error: unknown): boolean {
  return typeof (error as NodeJS.ErrnoException)?.code === 'string' && (error as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS');
}
