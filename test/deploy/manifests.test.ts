/**
 * deploy/kubernetes: both overlays rendered by `kubectl kustomize` (offline), every core object
 * validated against the Kubernetes API schemas of the `kubernetes-models` package, the
 * ServiceMonitor against the Prometheus Operator's, the Altinity operator's custom resources
 * checked by hand (no schema package exists for them), and the wiring between the objects and
 * the collector (probes, ports, env names, data folder, config file, Grafana metric names).
 * Nothing here talks to a cluster: docs/deployment.md says what is and is not validated.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { createMetrics } from '../../collector/src/ops/metrics.js';
import { readConfigFile } from '../../collector/src/alerts/rules/config-file.js';
import { configFromFlags, readServeFlags } from '../../collector/src/config/from-cli.js';

const root = resolve(import.meta.dirname, '../..');
const overlaysDir = join(root, 'deploy/kubernetes/overlays');

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

async function render(overlay: string): Promise<Obj[]> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('kubectl', ['kustomize', join(overlaysDir, overlay)], { maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not installed: these tests render the overlays with `kubectl kustomize` (kubectl ≥ 1.14, offline)');
    throw new Error(`kubectl kustomize ${overlay} failed: ${e.stderr || e.message}`);
  }
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length) throw new Error(`${overlay}: ${doc.errors[0].message}`);
    return doc.toJS() as Obj;
  });
}

/** Schema classes per apiVersion/kind (kubernetes-models: `new X(obj).validate()` throws on errors). */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'networking.k8s.io/v1/Ingress': Ingress,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};
const OPERATOR_KINDS = new Set(['clickhouse.altinity.com/v1/ClickHouseInstallation', 'clickhouse-keeper.altinity.com/v1/ClickHouseKeeperInstallation']);

/** The environment variables `lookout serve` reads, from the FLAGS table of from-cli.ts (`env: 'NAME'`). */
function collectorEnvNames(): Set<string> {
  const source = readFileSync(join(root, 'collector/src/config/from-cli.ts'), 'utf8');
  const table = source.slice(source.indexOf('const FLAGS = {'), source.indexOf('} as const;'));
  const names = new Set([...table.matchAll(/env: '([A-Z0-9_]+)'/g)].map((m) => m[1]));
  expect(names.size, 'env names found in from-cli.ts').toBeGreaterThan(20);
  return names;
}

const one = (objects: Obj[], kind: string, name?: string): Obj => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `${kind}${name ? ` ${name}` : ''}`).toHaveLength(1);
  return found[0];
};

/** The env a container ends up with: its env list plus every key of the ConfigMaps/Secrets in envFrom. */
function containerEnv(objects: Obj[], container: any): Map<string, { value?: string; from?: string }> {
  const env = new Map<string, { value?: string; from?: string }>();
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const target = one(objects, source.configMapRef ? 'ConfigMap' : 'Secret', ref.name);
    for (const [key, value] of Object.entries({ ...target.data, ...target.stringData })) env.set(key, { value: String(value), from: ref.name });
  }
  for (const entry of container.env ?? []) env.set(entry.name, entry.valueFrom ? { from: JSON.stringify(entry.valueFrom) } : { value: entry.value });
  return env;
}

const rendered: Record<string, Obj[]> = {};
beforeAll(async () => {
  const [single, cluster] = await Promise.all([render('single-node'), render('cluster')]);
  rendered['single-node'] = single;
  rendered.cluster = cluster;
});

describe.each(['single-node', 'cluster'])('overlay %s', (overlay) => {
  const objects = () => rendered[overlay];
  const collector = () => one(objects(), 'StatefulSet', 'lookout').spec.template.spec.containers.find((c: any) => c.name === 'collector');

  it('validates every object against its API schema (operator CRs structurally, below)', () => {
    const kinds = new Set<string>();
    for (const object of objects()) {
      const key = `${object.apiVersion}/${object.kind}`;
      kinds.add(object.kind);
      if (OPERATOR_KINDS.has(key)) continue;
      const Model = MODELS[key];
      if (!Model) throw new Error(`${key} ${object.metadata.name}: no schema to validate it against — add it to MODELS`);
      try {
        new Model(object).validate();
      } catch (error) {
        throw new Error(`${key} ${object.metadata.name} is not valid: ${(error as Error).message}`);
      }
      if (object.kind !== 'Namespace') expect(object.metadata.namespace, `${key} ${object.metadata.name} namespace`).toBe('lookout');
    }
    for (const kind of ['StatefulSet', 'Service', 'Ingress', 'PodDisruptionBudget', 'ConfigMap', 'Secret', 'ServiceMonitor']) expect(kinds, kind).toContain(kind);
  });

  it('probes /healthz (liveness) and /readyz (readiness) on the container port the Service targets', () => {
    const container = collector();
    const port = container.ports.find((p: any) => p.name === 'http');
    expect(port.containerPort).toBe(8080);
    const env = containerEnv(objects(), container);
    expect(env.get('PORT')?.value).toBe(String(port.containerPort));
    expect(env.get('HOST')?.value).toBe('0.0.0.0');
    const portOf = (probe: any) => (probe.httpGet.port === port.name ? port.containerPort : probe.httpGet.port);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(portOf(container.livenessProbe)).toBe(8080);
    expect(portOf(container.readinessProbe)).toBe(8080);
    expect(container.startupProbe?.httpGet.path ?? '/healthz').toBe('/healthz');
    const service = one(objects(), 'Service', 'lookout');
    expect(service.spec.ports[0].port).toBe(8080);
    expect([port.name, port.containerPort]).toContain(service.spec.ports[0].targetPort);
    const selector = service.spec.selector;
    const podLabels = one(objects(), 'StatefulSet', 'lookout').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(selector)) expect(podLabels[k], `pod label ${k}`).toBe(v);
  });

  it('runs as non-root with a read-only root filesystem, no capabilities, and a data volume per replica at LOOKOUT_DATA', () => {
    const sts = one(objects(), 'StatefulSet', 'lookout');
    const pod = sts.spec.template.spec;
    const container = collector();
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
    const dataDir = containerEnv(objects(), container).get('LOOKOUT_DATA')?.value;
    expect(dataDir).toBe('/data');
    const dataMount = container.volumeMounts.find((m: any) => m.mountPath === dataDir);
    expect(dataMount, 'a volume mounted at LOOKOUT_DATA').toBeDefined();
    // The data volume is a claim template: a persistent volume of its own per replica (the spool).
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toContain(dataMount.name);
    expect(pod.volumes?.some((v: any) => v.name === dataMount.name)).toBe(false);
    // /tmp is writable despite the read-only root.
    const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(pod.volumes.find((v: any) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
  });

  it('sets only environment variables the collector reads (collector/src/config/from-cli.ts)', () => {
    const known = collectorEnvNames();
    const env = containerEnv(objects(), collector());
    const unknown = [...env.keys()].filter((name) => !known.has(name));
    expect(unknown, 'env names lookout serve does not read').toEqual([]);
    // The plain values are ones `lookout serve` accepts (the same parsing as at start).
    const plain = Object.fromEntries([...env].filter(([, v]) => v.value !== undefined).map(([k, v]) => [k, v.value]));
    const config = configFromFlags(readServeFlags([], plain));
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/data');
    expect(config.clickhouse?.cluster).toBe(plain.CLICKHOUSE_CLUSTER);
    for (const secret of ['LOOKOUT_ADMIN_TOKEN', 'CLICKHOUSE_PASSWORD']) {
      expect(env.get(secret)?.from, `${secret} comes from a Secret`).toContain('secretKeyRef');
      expect(one(objects(), 'Secret', 'lookout-secrets').stringData).toHaveProperty(secret);
    }
    // No token or password as a plain value anywhere in the ConfigMaps.
    for (const cm of objects().filter((o) => o.kind === 'ConfigMap')) for (const key of Object.keys(cm.data ?? {})) expect(key).not.toMatch(/TOKEN|PASSWORD|SECRET/);
  });

  it('mounts a config file the collector accepts (alert rules, certificate targets)', () => {
    const container = collector();
    const configPath = containerEnv(objects(), container).get('LOOKOUT_CONFIG')?.value;
    expect(configPath).toBe('/etc/lookout/lookout.config.yaml');
    const mount = container.volumeMounts.find((m: any) => configPath!.startsWith(`${m.mountPath}/`));
    const volume = one(objects(), 'StatefulSet', 'lookout').spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    const file = one(objects(), 'ConfigMap', volume.configMap.name).data[configPath!.slice(mount.mountPath.length + 1)];
    const dir = mkdtempSync(join(tmpdir(), 'lookout-deploy-'));
    try {
      writeFileSync(join(dir, 'lookout.config.yaml'), file);
      const parsed = readConfigFile(join(dir, 'lookout.config.yaml'));
      expect(parsed.certs.targets.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('routes ingest, the API, the live WebSocket and the dashboard through the Ingress to the Service', () => {
    const ingress = one(objects(), 'Ingress', 'lookout');
    const paths = ingress.spec.rules.flatMap((r: any) => r.http.paths);
    const routeFor = (url: string) =>
      paths.filter((p: any) => (p.pathType === 'Prefix' ? url === p.path || url.startsWith(p.path.endsWith('/') ? p.path : `${p.path}/`) : url === p.path)).sort((a: any, b: any) => b.path.length - a.path.length)[0];
    for (const url of ['/api/1/ingest', '/api/1/live', '/api/projects', '/', '/lookout.js', '/demo/']) {
      const route = routeFor(url);
      expect(route, url).toBeDefined();
      expect(route.backend.service.name).toBe('lookout');
    }
    const annotations = ingress.metadata.annotations ?? {};
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toMatch(/^\d+[mM]$/);
  });

  it('scrapes /metrics with a ServiceMonitor selecting the collector Service', () => {
    const monitor = one(objects(), 'ServiceMonitor', 'lookout');
    expect(monitor.spec.endpoints[0].path).toBe('/metrics');
    const services = objects().filter((o) => o.kind === 'Service' && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(services.map((s) => s.metadata.name)).toEqual(['lookout']);
    expect(services[0].spec.ports.map((p: any) => p.name)).toContain(monitor.spec.endpoints[0].port);
  });

  it('keeps a PodDisruptionBudget on the collector pods', () => {
    const pdb = one(objects(), 'PodDisruptionBudget', 'lookout');
    const podLabels = one(objects(), 'StatefulSet', 'lookout').spec.template.metadata.labels;
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);
  });
});

describe('single-node overlay (embedded store)', () => {
  it('has exactly one replica, no HPA, no ClickHouse server', () => {
    const objects = rendered['single-node'];
    expect(one(objects, 'StatefulSet', 'lookout').spec.replicas).toBe(1);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const env = containerEnv(objects, one(objects, 'StatefulSet', 'lookout').spec.template.spec.containers[0]);
    expect(env.has('CLICKHOUSE_URL')).toBe(false);
    expect(env.has('CLICKHOUSE_CLUSTER')).toBe(false);
    expect(objects.some((o) => OPERATOR_KINDS.has(`${o.apiVersion}/${o.kind}`))).toBe(false);
  });
});

describe('cluster overlay (ClickHouse cluster by the Altinity operator)', () => {
  const objects = () => rendered.cluster;
  const env = () => containerEnv(objects(), one(objects(), 'StatefulSet', 'lookout').spec.template.spec.containers[0]);

  it('runs several collectors under an HPA on CPU', () => {
    const sts = one(objects(), 'StatefulSet', 'lookout');
    expect(sts.spec.replicas).toBeGreaterThan(1);
    const hpa = one(objects(), 'HorizontalPodAutoscaler', 'lookout');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'StatefulSet', name: 'lookout', apiVersion: 'apps/v1' });
    expect(hpa.spec.minReplicas).toBeGreaterThan(1);
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
  });

  it('describes 2 shards x 2 replicas whose cluster name is CLICKHOUSE_CLUSTER and whose Service is CLICKHOUSE_URL', () => {
    const chi = one(objects(), 'ClickHouseInstallation');
    expect(chi.apiVersion).toBe('clickhouse.altinity.com/v1');
    expect(chi.metadata.namespace).toBe('lookout');
    const clusters = chi.spec.configuration.clusters;
    expect(clusters).toHaveLength(1);
    expect(clusters[0].name).toBe(env().get('CLICKHOUSE_CLUSTER')?.value);
    expect(clusters[0].layout).toEqual({ shardsCount: 2, replicasCount: 2 });
    // The operator's Service for an installation is clickhouse-<name>, HTTP on 8123.
    expect(env().get('CLICKHOUSE_URL')?.value).toBe(`http://clickhouse-${chi.metadata.name}:8123`);
    // The user the collector logs in as, with its password from the collector's own Secret.
    const user = env().get('CLICKHOUSE_USER')?.value;
    expect(chi.spec.configuration.users[`${user}/k8s_secret_password`]).toBe('lookout-secrets/CLICKHOUSE_PASSWORD');
    // Every template it names exists.
    const { podTemplate, dataVolumeClaimTemplate } = chi.spec.defaults.templates;
    expect(chi.spec.templates.podTemplates.map((t: any) => t.name)).toContain(podTemplate);
    expect(chi.spec.templates.volumeClaimTemplates.map((t: any) => t.name)).toContain(dataVolumeClaimTemplate);
    for (const t of chi.spec.templates.podTemplates) for (const c of t.spec.containers) expect(c.image).toMatch(/:\d[\w.-]*$/);
  });

  it('runs a 3-node Keeper the ClickHouse nodes point at through its Service', () => {
    const chk = one(objects(), 'ClickHouseKeeperInstallation');
    expect(chk.apiVersion).toBe('clickhouse-keeper.altinity.com/v1');
    expect(chk.spec.configuration.clusters[0].layout.replicasCount).toBe(3);
    const keeperPort = Number(chk.spec.configuration.settings['keeper_server/tcp_port']);
    const nodes = one(objects(), 'ClickHouseInstallation').spec.configuration.zookeeper.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      const service = one(objects(), 'Service', node.host);
      expect(service.spec.selector['clickhouse-keeper.altinity.com/chk']).toBe(chk.metadata.name);
      expect(service.spec.ports.map((p: any) => p.port)).toContain(node.port);
      expect(service.spec.ports.find((p: any) => p.port === node.port).targetPort).toBe(keeperPort);
    }
    for (const t of chk.spec.templates.podTemplates) for (const c of t.spec.containers) expect(c.image).toMatch(/:\d[\w.-]*$/);
  });
});

describe('Grafana dashboard', () => {
  it('queries only metrics the collector exports (collector/src/ops/metrics.ts)', async () => {
    const metrics = createMetrics(() => ({ pendingRecords: 0, pendingBytes: 0, bytes: 0 }) as any);
    const exported = new Set<string>();
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      exported.add(metric.name);
      if (metric.type === ('histogram' as any)) for (const suffix of ['_bucket', '_sum', '_count']) exported.add(metric.name + suffix);
      if (metric.type === ('summary' as any)) for (const suffix of ['_sum', '_count']) exported.add(metric.name + suffix);
    }
    const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/lookout-dashboard.json'), 'utf8'));
    const exprs: string[] = [];
    const walk = (node: any) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) k === 'expr' || k === 'definition' ? exprs.push(String(v)) : walk(v);
    };
    walk(dashboard.panels);
    walk(dashboard.templating);
    expect(exprs.length).toBeGreaterThan(10);
    const used = new Set(exprs.flatMap((expr) => expr.match(/\blookout_[a-z0-9_]+/g) ?? []));
    expect([...used].filter((name) => !exported.has(name)), 'metric names not exported by the collector').toEqual([]);
    // The panels the issue asks for.
    for (const name of ['lookout_events_accepted_total', 'lookout_events_rejected_total', 'lookout_spool_pending_records', 'lookout_flush_duration_seconds_bucket']) expect(used).toContain(name);
    const ids = dashboard.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
