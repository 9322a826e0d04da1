/**
 * `lookout <command>`: `serve` runs a collector. Later commands (sourcemaps, load, certs,
 * check) register here too.
 */
import { startBanner } from './banner.js';
import { startCollector } from './collector.js';
import { configFromFlags, readServeFlags } from './config/from-cli.js';

const USAGE = `Usage: lookout serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--clickhouse-url URL] …
       lookout sourcemaps inject <dir>
       lookout sourcemaps upload --url URL --project ID --token TOKEN --release R [--url-prefix ~/] <dir>
       lookout check --url URL --project ID --token TOKEN --rule NAME
       lookout certs check <host[:port]>... [--warn 30] [--crit 14] [--json|--plugin] [--ca-file f] [--starttls smtp|imap|pop3|ftp|postgres] [--ocsp]
       lookout load run <simulation.ts|js> [--report-dir dir] [--report-to URL --token T] [--label sha]
       lookout load from-har <recording.har> [--include-resources] > simulation.ts

Commands:
  serve       run the collector (embedded ClickHouse by default)
  sourcemaps  give bundles debug IDs (inject) and upload them with their source maps (upload)
  check       an Icinga2/Nagios check of one alert rule (exit 0 OK, 2 CRITICAL, 3 UNKNOWN)
  certs       check TLS certificates: every address, every certificate in the chain (also an Icinga2/Nagios plugin)
  load        run a load-test simulation (Gatling-style TypeScript DSL), or turn a HAR into one

Every flag and environment variable: docs/configuration.md, docs/sourcemaps.md, docs/alerts.md, docs/load-testing.md, docs/certs.md`;

async function serve(argv: string[]): Promise<void> {
  const flags = readServeFlags(argv, process.env);
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const config = configFromFlags(flags);
  const collector = await startCollector(config);
  process.stdout.write(startBanner(collector, config));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    collector.app.log.info({ signal }, 'stopping: finishing in-flight requests, then closing the spool and store');
    collector.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === 'serve') return await serve(rest);
    if (command === 'check') {
      const { checkCommand } = await import('./check/check-command.js');
      process.exitCode = await checkCommand(rest);
      return;
    }
    if (command === 'certs') {
      const { certsCommand } = await import('../../certs/src/cli.js');
      process.exitCode = await certsCommand(rest);
      return;
    }
    if (command === 'load') {
      const { loadCommand } = await import('../../synthetic/src/cli.js');
      process.exitCode = await loadCommand(rest);
      return;
    }
    if (command === 'sourcemaps') {
      // Imported here rather than at the top: serve never needs it.
      const { sourcemapsCommand } = await import('../../sourcemaps/src/cli.js');
      process.exitCode = await sourcemapsCommand(rest);
      return;
    }
    console.log(USAGE);
    process.exitCode = command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  } catch (error) {
    // Configuration and start-up problems are for a person: the message, not a stack.
    console.error(`lookout: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
