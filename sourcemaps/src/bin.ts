/**
 * `lookout-sourcemaps inject|upload …`: the source-map tools on their own, as the small package
 * every collector serves at /tools/lookout-sourcemaps.tgz (no dependencies; the same commands
 * as `lookout sourcemaps …` in the collector's own checkout).
 */
import { sourcemapsCommand } from './cli.js';

process.exitCode = await sourcemapsCommand(process.argv.slice(2));
