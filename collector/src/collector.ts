/**
 * Wires a whole collector: store → spool → processor → HTTP. `startCollector` is what
 * `lookout serve` runs; tests call it too, with a temporary data folder.
 */
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadAgentScripts, type AgentScript } from './agent-script/agent-script-routes.js';
import { createArtifactStore } from './artifacts/artifact-store.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createClaims } from './alerts/claims.js';
import { createDestinationPool } from './alerts/destination-pool.js';
import { createAlertEngine } from './alerts/engine.js';
import { countingDeliveries, createAlertHistory } from './alerts/history.js';
import { createIssueFacts } from './alerts/issue-facts.js';
import { readConfigFile } from './alerts/rules/config-file.js';
import { openRuleStore } from './alerts/rules/rule-store.js';
import { createBus, type Bus } from './bus/bus.js';
import { createCertRules } from './alerts/cert-rules.js';
import { createCertMonitor, loadChecker, type CertMonitor, type CheckTarget } from './certs/monitor.js';
import { createResultStore } from './certs/results.js';
import { openTargetStore } from './certs/targets.js';
import { createGroupingStage } from './issues/grouping-stage.js';
import { createIssueStore, type IssueStore } from './issues/issue-store.js';
import { publishIssues } from './issues/publish-issues.js';
import { createArtifactLookup } from './symbolicate/artifact-lookup.js';
import { createContextStore } from './symbolicate/context-store.js';
import { createLiveHub } from './live/hub.js';
import { createMapCache } from './symbolicate/map-cache.js';
import { createOffThreadParser } from './symbolicate/parse-off-thread.js';
import { createSymbolicationStage } from './symbolicate/symbolication-stage.js';
import { ensureAdminToken } from './auth/admin-token.js';
import { createSessionCodec, ensureSessionSecret } from './auth/session.js';
import { createAuthenticate } from './auth/bearer.js';
import type { CollectorConfig } from './config/config.js';
import { createMetrics } from './ops/metrics.js';
import { deadLetterFile } from './process/dead-letter.js';
import { startProcessor, type Processor } from './process/processor.js';
import { agentDistDir, dashboardDistDir, demoDistDir } from './paths.js';
import { openProjectRegistry, type Project, type ProjectRegistry } from './projects/registry.js';
import { buildApp } from './server/build-app.js';
import { openSpool } from './spool/open-spool.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';

export interface RunningCollector {
  app: FastifyInstance;
  url: string;
  store: Store;
  projects: ProjectRegistry;
  processor: Processor;
  /** Issue events, published once stored: `issue.new`, `issue.regression`, `issue.event`. */
  bus: Bus;
  issues: IssueStore;
  /** Known when generated at this start, fixed by configuration, or kept in the data folder. */
  adminToken?: string;
  defaultProject?: Project;
  agentScripts: AgentScript[];
  close(): Promise<void>;
}

export async function startCollector(config: CollectorConfig, options: { agentDistDir?: string; demoDistDir?: string; dashboardDistDir?: string; logger?: false | { stream: NodeJS.WritableStream }; certCheck?: CheckTarget } = {}): Promise<RunningCollector> {
  const dataDir = resolve(config.dataDir);
  const store = await openStore({
    dataDir,
    embeddedDatabase: config.embeddedDatabase,
    server: config.clickhouse,
    retentionDays: config.retentionDays,
  });
  const spool = await openSpool({ dir: join(dataDir, 'spool'), quotaBytes: config.spool.quotaBytes, segmentBytes: config.spool.segmentBytes });
  const projects = await openProjectRegistry(store);
  let defaultProject: Project | undefined;
  if (projects.list().length === 0) defaultProject = (await projects.create({ name: 'default', allowedOrigins: ['*'] })).project;
  else defaultProject = projects.byId(1) ?? projects.list()[0];
  const admin = await ensureAdminToken(store, dataDir, config.adminToken);
  const sessionSecret = await ensureSessionSecret(store);
  const sessionCodec = createSessionCodec(sessionSecret);
  const metrics = createMetrics(() => spool.stats());
  const agentScripts = await loadAgentScripts(options.agentDistDir ?? agentDistDir);

  const artifacts = createArtifactStore(store);
  const lookup = createArtifactLookup(artifacts);
  const parser = createOffThreadParser({ workers: config.symbolication.parseWorkers, limits: { maxBytes: config.artifacts.maxFileBytes } });
  const issues = createIssueStore(store);
  const contexts = createContextStore(store);
  const live = createLiveHub({ onDropped: (count) => metrics.liveDropped.inc(count) });
  let logBusError = (_error: unknown, _topic: string) => {};
  const bus = createBus((error, topic) => logBusError(error, topic));
  const configFile = readConfigFile(config.configFile);
  const rules = await openRuleStore(store, configFile.alertRules);
  const certTargets = await openTargetStore(store, configFile.certs.targets);
  const certResults = createResultStore(store);
  let certMonitor: CertMonitor | undefined;
  const alertHistory = countingDeliveries(createAlertHistory(store), metrics.alertDeliveries);
  let url = config.publicUrl ?? '';
  const stages = [
    ...(config.symbolication.enabled
      ? [createSymbolicationStage({ lookup, artifacts, parser, metrics, contexts, maps: createMapCache({ maxBytes: config.symbolication.mapCacheBytes }), contextLines: config.symbolication.contextLines })]
      : []),
    createGroupingStage({ issues, metrics }),
  ];

  const app = await buildApp({
    config,
    store,
    spool,
    projects,
    metrics,
    authenticate: createAuthenticate(admin.hash, projects, sessionCodec),
    sessions: { codec: sessionCodec, secret: sessionSecret, adminTokenHash: admin.hash },
    artifacts,
    lookup,
    parser,
    issues,
    contexts,
    live,
    alerts: { rules, history: alertHistory, engine: () => engine },
    certs: { targets: certTargets, results: certResults, monitor: () => certMonitor! },
    agentScripts,
    demoDistDir: options.demoDistDir ?? demoDistDir,
    dashboardDistDir: options.dashboardDistDir ?? dashboardDistDir,
    publicUrl: () => url,
    logger: options.logger,
  });
  const processor = await startProcessor({
    spool,
    store,
    metrics,
    log: app.log,
    retentionDays: config.retentionDays,
    deadLetter: deadLetterFile(join(dataDir, 'dead-letter.ndjson')),
    stages,
    ...config.processor,
  });
  logBusError = (error, topic) => app.log.error({ err: error, topic }, 'a bus subscriber failed');
  const destinations = createDestinationPool(app.log);
  const engine = createAlertEngine({
    store,
    bus,
    rules,
    claims: createClaims(store, `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, { settleMs: config.alerts.claimSettleMs }),
    history: alertHistory,
    destinations,
    issueFacts: createIssueFacts(store),
    publicUrl: () => url,
    log: app.log,
    tickMs: config.alerts.tickMs,
    minuteMs: config.alerts.minuteMs,
  });
  const certCollectorId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const certRules = createCertRules({
    rules, targets: certTargets, results: certResults, claims: createClaims(store, certCollectorId, { settleMs: config.alerts.claimSettleMs }),
    history: alertHistory, destinations, publicUrl: () => url, log: app.log, minuteMs: config.alerts.minuteMs, tickMs: config.alerts.tickMs,
  });
  certMonitor = createCertMonitor({
    targets: certTargets, results: certResults, claims: createClaims(store, certCollectorId, { settleMs: config.alerts.claimSettleMs }),
    check: options.certCheck ?? loadChecker(), collectorId: certCollectorId, log: app.log, minuteMs: config.alerts.minuteMs,
    intervalMinutes: config.certs.intervalMinutes ?? configFile.certs.intervalMinutes ?? 60,
    concurrency: config.certs.concurrency ?? configFile.certs.concurrency ?? 10,
    caFile: config.certs.caFile, ocsp: config.certs.ocsp, timeoutMs: config.certs.timeoutMs,
    onChecked: certRules.onChecked,
  });
  await engine.rebuild().catch((error) => app.log.error({ err: error }, 'alert windows could not be rebuilt from ClickHouse; they start empty'));
  processor.onStored(publishIssues(bus));
  processor.onStored(engine.observe);
  processor.onStored(live.publish);
  const address = await app.listen({ host: config.host, port: config.port });
  url = config.publicUrl ?? address.replace('://[::1]', '://localhost');

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    store,
    projects,
    processor,
    bus,
    issues,
    adminToken: admin.token,
    defaultProject,
    agentScripts,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        certMonitor!.stop();
        await certMonitor!.settled();
        await certRules.settled();
        await certRules.stop();
        certTargets.close();
        await processor.stop();
        engine.stop();
        await engine.settled();
        await destinations.close();
        rules.close();
        await parser.close();
        projects.close();
        await spool.close();
        await store.close();
      })()),
  };
}
