/** What `lookout serve` prints once it listens: where it is, how to sign in, what to paste. */
import { versionedPath } from './agent-script/agent-script-routes.js';
import type { RunningCollector } from './collector.js';
import { projectDsn } from './projects/dsn.js';
import type { CollectorConfig } from './config/config.js';

export function startBanner(collector: RunningCollector, config: CollectorConfig): string {
  const { url, adminToken, defaultProject, agentScripts } = collector;
  const script = agentScripts.find((s) => s.path === '/lookout.js');
  const dsn = defaultProject ? projectDsn(defaultProject, url, config.ingestPrefix) : '<dsn of your project>';
  const storage = config.clickhouse ? `ClickHouse server ${config.clickhouse.url} (database ${config.clickhouse.database})` : `embedded ClickHouse (chDB) in ${config.dataDir}`;
  const lines = [
    '',
    'Lookout collector is running.',
    '',
    // The link signs in and then drops the token from the address bar (dashboard-routes.ts).
    `  Dashboard:    ${adminToken ? `${url}/?token=${adminToken}` : `${url}/  (sign in with the admin token)`}`,
    `  Listening on: ${url}`,
    `  Admin token:  ${adminToken ?? '(set at first start: see <data>/admin-token on that machine, or set LOOKOUT_ADMIN_TOKEN)'}`,
    `  Storage:      ${storage}`,
    `  Ingest:       POST ${url}${config.ingestPrefix}/<projectId>/ingest`,
    `  Demo:         ${url}/demo/  (two small apps that report to the default project)`,
    '',
    'Paste this into your pages, before your own scripts:',
    '',
    `  <script src="${url}${script ? versionedPath(script) : '/lookout.js'}"${script ? ` integrity="${script.integrity}"` : ''} crossorigin="anonymous"></script>`,
    `  <script>Lookout.init({ dsn: '${dsn}' });</script>`,
    '',
  ];
  if (!script) lines.push('  (the agent script is not built yet: run `npm run build`; until then /lookout.js answers 404)', '');
  return lines.join('\n');
}
