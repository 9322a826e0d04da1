/**
 * `lookout certs check <host[:port]>... [--warn 30] [--crit 14] [--json|--plugin] [--ca-file f]
 * [--starttls smtp|imap|pop3|ftp|postgres] [--sni name] [--ocsp] [--timeout ms]`.
 * Exit status in every mode: 0 ok, 1 warning, 2 critical, 3 unknown or a usage error.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkTarget, DEFAULT_CHECK_OPTIONS } from './check.js';
import { STARTTLS_PROTOCOLS, type CertProtocol, type CheckOptions, type CheckResult } from './contract.js';
import { EXIT, formatPlugin, formatTable, overallStatus } from './format.js';
import { mapBounded } from './limit.js';
import { parseTarget } from './targets.js';

export const CERTS_USAGE = `Usage: lookout certs check <host[:port]>... [options]

  --warn <days>       warning when a certificate of the chain expires within <days> (default 30)
  --crit <days>       critical within <days> (default 14)
  --ca-file <file>    extra trusted CA certificates (PEM), besides the system store
  --starttls <proto>  smtp|imap|pop3|ftp|postgres: upgrade a plain connection (default: TLS from the first byte)
  --sni <name>        the name sent as SNI and checked against the certificate (default: the host)
  --ocsp              ask each certificate's OCSP responder whether it is revoked
  --timeout <ms>      per connection and per OCSP request (default 10000)
  --json              the results as JSON
  --plugin            Icinga2/Nagios plugin: one line with perfdata, exit 0/1/2/3

Exit status: 0 all ok, 1 warning, 2 critical, 3 unknown (a name did not resolve) or usage error.
Every verdict: docs/certs.md`;

/** Targets checked at once by one command. */
const CONCURRENCY = 8;

function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${flag} wants a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

export async function certsCommand(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    process.stdout.write(`${CERTS_USAGE}\n`);
    return EXIT.ok;
  }
  let options: CheckOptions;
  let targets;
  let mode: 'table' | 'json' | 'plugin';
  try {
    if (subcommand !== 'check') throw new Error(subcommand ? `unknown certs command: ${subcommand}` : 'missing command: check');
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        warn: { type: 'string' },
        crit: { type: 'string' },
        json: { type: 'boolean' },
        plugin: { type: 'boolean' },
        'ca-file': { type: 'string' },
        starttls: { type: 'string' },
        sni: { type: 'string' },
        ocsp: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(`${CERTS_USAGE}\n`);
      return EXIT.ok;
    }
    if (values.json && values.plugin) throw new Error('--json and --plugin are exclusive');
    const protocol = (values.starttls ?? 'tls') as CertProtocol;
    if (values.starttls && !(STARTTLS_PROTOCOLS as readonly string[]).includes(values.starttls)) {
      throw new Error(`--starttls is one of ${STARTTLS_PROTOCOLS.join(', ')}`);
    }
    if (positionals.length === 0) throw new Error('no target: lookout certs check <host[:port]>...');
    options = {
      warnDays: positiveInteger(values.warn, '--warn', DEFAULT_CHECK_OPTIONS.warnDays),
      critDays: positiveInteger(values.crit, '--crit', DEFAULT_CHECK_OPTIONS.critDays),
      ocsp: values.ocsp ?? false,
      timeoutMs: positiveInteger(values.timeout, '--timeout', DEFAULT_CHECK_OPTIONS.timeoutMs),
      ...(values['ca-file'] ? { caFile: values['ca-file'] } : {}),
    };
    if (options.critDays > options.warnDays) throw new Error(`--crit (${options.critDays}) is more than --warn (${options.warnDays})`);
    if (options.timeoutMs < 1) throw new Error('--timeout must be at least 1 ms');
    if (options.caFile && !existsSync(options.caFile)) throw new Error(`--ca-file ${options.caFile}: no such file`);
    targets = positionals.map((text) => parseTarget(text, protocol, values.sni));
    mode = values.json ? 'json' : values.plugin ? 'plugin' : 'table';
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // A plugin's output must still be one status line.
    if (rest.includes('--plugin')) process.stdout.write(`CERT UNKNOWN - ${text}\n`);
    else process.stderr.write(`lookout certs: ${text}\n\n${CERTS_USAGE}\n`);
    return EXIT.unknown;
  }

  const results: CheckResult[] = await mapBounded(targets, CONCURRENCY, (target) => checkTarget(target, options));
  if (mode === 'json') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else if (mode === 'plugin') process.stdout.write(formatPlugin(results, options));
  else process.stdout.write(formatTable(results));
  return EXIT[overallStatus(results)];
}
