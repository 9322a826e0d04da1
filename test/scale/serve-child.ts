/**
 * TEST-ONLY: `lookout serve` from source, with one test knob the CLI does not have —
 * `LOOKOUT_TEST_MINUTE_MS` shortens the "minute" of the alert rules and of the certificate
 * schedule (config.alerts.minuteMs), so a test sees several certificate rounds in seconds.
 * Otherwise the same as bin/lookout.js serve: the same flags and environment, the same banner
 * (test/scale/replicas.ts reads it), SIGTERM/SIGINT close the collector cleanly.
 *   node --import tsx test/scale/serve-child.ts --data DIR --clickhouse-url URL …
 */
import { startBanner } from '../../collector/src/banner.js';
import { startCollector } from '../../collector/src/collector.js';
import { configFromFlags, readServeFlags } from '../../collector/src/config/from-cli.js';

const config = configFromFlags(readServeFlags(process.argv.slice(2), process.env));
const minuteMs = Number(process.env.LOOKOUT_TEST_MINUTE_MS ?? 0);
if (minuteMs > 0) {
  config.alerts.minuteMs = minuteMs;
  config.alerts.tickMs = Math.min(config.alerts.tickMs, minuteMs);
}
const collector = await startCollector(config);
process.stdout.write(startBanner(collector, config));
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  collector.close().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
