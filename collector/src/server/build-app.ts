/**
 * The fastify application: each feature is a plugin with its own routes and options.
 * Tests build it around their own store and spool; `startCollector` wires the real ones.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { agentScriptRoutes, type AgentScript } from '../agent-script/agent-script-routes.js';
import { artifactsRoutes } from '../api/artifacts-routes.js';
import { eventsRoutes } from '../api/events-routes.js';
import { issuesRoutes } from '../api/issues-routes.js';
import { releasesRoutes } from '../api/releases-routes.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { IssueStore } from '../issues/issue-store.js';
import type { ArtifactLookup } from '../symbolicate/artifact-lookup.js';
import type { ContextStore } from '../symbolicate/context-store.js';
import type { OffThreadParser } from '../symbolicate/parse-off-thread.js';
import { sourcemapsToolTarball } from '../paths.js';
import { toolsRoutes } from '../tools/tools-routes.js';
import type { LiveHub } from '../live/hub.js';
import { liveRoutes } from '../live/live-routes.js';
import { alertsRoutes } from '../api/alerts-routes.js';
import { certsRoutes } from '../api/certs-routes.js';
import type { CertMonitor } from '../certs/monitor.js';
import type { ResultStore } from '../certs/results.js';
import type { TargetStore } from '../certs/targets.js';
import type { AlertEngine } from '../alerts/engine.js';
import type { AlertHistory } from '../alerts/history.js';
import type { RuleStore } from '../alerts/rules/rule-store.js';
import { demoRoutes } from '../demo/demo-routes.js';
import { registerDemoArtifacts } from '../demo/demo-artifacts.js';
import { performanceRoutes } from '../api/performance-routes.js';
import { projectsRoutes } from '../api/projects-routes.js';
import type { Authenticate } from '../auth/bearer.js';
import type { SessionCodec } from '../auth/session.js';
import { registerSessions } from '../auth/session-routes.js';
import { dashboardRoutes } from '../dashboard/dashboard-routes.js';
import type { CollectorConfig } from '../config/config.js';
import { ingestPlugin } from '../ingest/plugin.js';
import type { CollectorMetrics } from '../ops/metrics.js';
import { opsRoutes } from '../ops/ops-routes.js';
import type { ProjectRegistry } from '../projects/registry.js';
import type { Spool } from '../spool/types.js';
import type { Store } from '../store/types.js';

export interface AppParts {
  config: CollectorConfig;
  store: Store;
  spool: Spool;
  projects: ProjectRegistry;
  metrics: CollectorMetrics;
  authenticate: Authenticate;
  /** Dashboard sign-in: the cookie codec, its secret (shared through ClickHouse) and the admin token's hash. */
  sessions: { codec: SessionCodec; secret: Buffer; adminTokenHash: string };
  artifacts: ArtifactStore;
  lookup: ArtifactLookup;
  /** Parses uploaded maps off the main thread (shared with symbolication). */
  parser: OffThreadParser;
  issues: IssueStore;
  /** Source context of symbolicated frames, attached to events on read. */
  contexts: ContextStore;
  /** The live feed's fan-out; the processor publishes into it. */
  live: LiveHub;
  /** The engine exists once the processor does (after the app is built): read it when a request needs it. */
  alerts: { rules: RuleStore; history: AlertHistory; engine: () => AlertEngine };
  /** Certificate monitoring: targets, stored checks, the scheduler (exists after the app is built). */
  certs?: { targets: TargetStore; results: ResultStore; monitor: () => CertMonitor };
  agentScripts: AgentScript[];
  /** Built demo apps (dist/demo); the route answers 404 with a hint when they are missing. */
  demoDistDir: string;
  /** The built dashboard (dist/dashboard); its pages answer 404 with a hint when missing. */
  dashboardDistDir: string;
  /** Where browsers reach the collector; known once it listens. */
  publicUrl: () => string;
  /** `false` silences logging (tests); a stream receives the JSON lines instead of stdout. */
  logger?: false | { stream: NodeJS.WritableStream };
}

/** Query-string secrets (`?key=`, `?token=`) are cut from logged URLs. */
const scrubUrl = (url: string) => url.replace(/([?&](?:key|token)=)[^&]*/gi, '$1[redacted]');

export async function buildApp(parts: AppParts): Promise<FastifyInstance> {
  const { config } = parts;
  const app = Fastify({
    logger: parts.logger === false ? false : {
        level: config.logLevel,
        ...(parts.logger?.stream ? { stream: parts.logger.stream } : {}),
        redact: ['req.headers.authorization', 'req.headers["x-lookout-key"]', 'req.headers.cookie'],
        serializers: {
          req: (request: { method: string; url: string; ip?: string }) => ({ method: request.method, url: scrubUrl(request.url) }),
        },
      },
    // A number of hops: trust the nearest n proxies (proxy-addr's hop index).
    trustProxy: typeof config.trustProxy === 'number' ? ((hops) => (_address: string, hop: number) => hop < hops)(config.trustProxy) : config.trustProxy,
    // Ingest sets its own limit per route; everything else is small JSON.
    bodyLimit: 256 * 1024,
    // A line per ingest request would cost more than the request; debug level brings them back.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
  });

  // On the root instance: the cookie parser and the CSRF check cover every route.
  const signIn = await registerSessions(app, {
    sessions: parts.sessions.codec,
    secret: parts.sessions.secret,
    adminTokenHash: parts.sessions.adminTokenHash,
    projects: parts.projects,
    authenticate: parts.authenticate,
  });
  await app.register(opsRoutes, { store: parts.store, spool: parts.spool, metrics: parts.metrics });
  await app.register(ingestPlugin, {
    pathPrefix: config.ingestPrefix,
    limits: config.limits,
    rateLimits: config.rateLimits,
    projects: parts.projects,
    spool: parts.spool,
    metrics: parts.metrics,
  });
  await app.register(projectsRoutes, { projects: parts.projects, authenticate: parts.authenticate, agentScripts: parts.agentScripts, publicUrl: parts.publicUrl, ingestPrefix: config.ingestPrefix });
  await app.register(eventsRoutes, { store: parts.store, contexts: parts.contexts, authenticate: parts.authenticate });
  await app.register(performanceRoutes, { store: parts.store, authenticate: parts.authenticate });
  await app.register(artifactsRoutes, {
    artifacts: parts.artifacts,
    lookup: parts.lookup,
    parser: parts.parser,
    authenticate: parts.authenticate,
    maxFileBytes: config.artifacts.maxFileBytes,
  });
  await app.register(issuesRoutes, { store: parts.store, issues: parts.issues, contexts: parts.contexts, authenticate: parts.authenticate });
  await app.register(releasesRoutes, { store: parts.store, authenticate: parts.authenticate });
  await app.register(alertsRoutes, { ...parts.alerts, authenticate: parts.authenticate });
  if (parts.certs) await app.register(certsRoutes, { ...parts.certs, projects: parts.projects, authenticate: parts.authenticate });
  await app.register((await import('../api/load-runs-routes.js')).loadRunsRoutes, { store: parts.store, authenticate: parts.authenticate });
  await app.register(liveRoutes, { hub: parts.live, authenticate: parts.authenticate, metrics: parts.metrics });
  await app.register(agentScriptRoutes, { scripts: parts.agentScripts });
  await app.register(toolsRoutes, { tarball: sourcemapsToolTarball });
  await app.register(demoRoutes, {
    distDir: parts.demoDistDir,
    projects: parts.projects,
    publicUrl: parts.publicUrl,
    ingestPrefix: config.ingestPrefix,
    registerArtifacts: (projectId) => registerDemoArtifacts({ distDir: parts.demoDistDir, projectId, artifacts: parts.artifacts, lookup: parts.lookup, parser: parts.parser }),
  });
  await app.register(dashboardRoutes, { distDir: parts.dashboardDistDir, signIn });
  return app;
}
