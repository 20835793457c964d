// The Helm chart of the scaled topology (deploy/helm/tracelab), checked offline: by Helm itself
// (lint, template), by kubectl-validate against Kubernetes 1.30's built-in schemas and by
// promtool, all built from the Go module proxy. No cluster: this proves the manifests are valid
// and wired as the topology needs, not that the pods start (docs/kubernetes.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SERVICE_NAMES, SERVICE_REGISTRY, type ServiceName } from '../../services/registry';
import { ensureBackend } from '../../tools/backends/cache';
import { HELM_CHART_DIR, helmValues } from '../../tools/generate/helm';
import { inRepo, run } from '../support/repo';

const RELEASE = 'tracelab';
const NAMESPACE = 'tracelab-test';
const DOMAIN = 'cluster.local';

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, any> }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, any>;
  volumeMounts?: { name: string; mountPath: string }[];
}

interface PodSpec {
  securityContext?: Record<string, any>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

const WORKLOAD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'];

// Helm and kubectl-validate must not reach a cluster: no KUBECONFIG.
const offlineEnv = () => {
  const env = { ...process.env };
  delete env.KUBECONFIG;
  return env;
};

let helm: string;
let kubectlValidate: string;
let defaults: K8sObject[];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelab-helm-'));

/** `helm template` with these --set values, as objects. */
async function render(...set: string[]): Promise<K8sObject[]> {
  const { stdout } = await run(helm, ['template', RELEASE, HELM_CHART_DIR, '--namespace', NAMESPACE, ...set.flatMap((s) => ['--set', s])], {
    env: offlineEnv(),
    maxBuffer: 16 << 20,
  });
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

const name = (component: string) => `${RELEASE}-${component}`;
const dnsName = (service: string) => `${service}.${NAMESPACE}.svc.${DOMAIN}`;

function find(objects: K8sObject[], kind: string, objectName: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === objectName);
  if (!found) throw new Error(`no ${kind} ${objectName} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

const workloads = (objects: K8sObject[]) => objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
/** The workload of a component, whatever its kind: the kind is what some tests check. */
const workload = (objects: K8sObject[], component: string) => {
  const found = workloads(objects).find((o) => o.metadata.name === name(component));
  if (!found) throw new Error(`no workload ${name(component)}`);
  return found;
};
const podSpec = (o: K8sObject) => o.spec.template.spec as PodSpec;
const allContainers = (spec: PodSpec) => [...(spec.initContainers ?? []), ...spec.containers];
const envOf = (container: Container, variable: string) => container.env?.find((e) => e.name === variable);
const envValue = (container: Container, variable: string) => envOf(container, variable)?.value;

/** Containers that may run as root: no runAsNonRoot, or no numeric non-zero user the kubelet can check. */
function rootContainers(objects: K8sObject[]): string[] {
  return workloads(objects).flatMap((o) => {
    const spec = podSpec(o);
    const pod = spec.securityContext ?? {};
    return allContainers(spec)
      .filter((c) => {
        const nonRoot = c.securityContext?.runAsNonRoot ?? pod.runAsNonRoot;
        const user = c.securityContext?.runAsUser ?? pod.runAsUser;
        return nonRoot !== true || typeof user !== 'number' || user === 0 || c.securityContext?.privileged === true;
      })
      .map((c) => `${o.kind}/${o.metadata.name}/${c.name}`);
  });
}

/** Services reachable from outside the cluster. */
const exposedServices = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Service' && ['LoadBalancer', 'NodePort'].includes(o.spec.type)).map((o) => o.metadata.name);

/** Writes the objects one file each into a fresh folder and runs kubectl-validate on it. */
async function validate(objects: K8sObject[], folder: string): Promise<{ ok: boolean; failures: string[] }> {
  const dir = path.join(scratch, folder);
  fs.mkdirSync(dir);
  for (const [i, o] of objects.entries())
    fs.writeFileSync(path.join(dir, `${String(i).padStart(2, '0')}-${o.kind}-${o.metadata.name}.json`), JSON.stringify(o));
  const args = [dir, '--version', '1.30', '--output', 'json'];
  const result = await run(kubectlValidate, args, { env: offlineEnv(), maxBuffer: 16 << 20 }).then(
    ({ stdout }) => ({ ok: true, stdout }),
    (error: { stdout?: string; message: string }) => ({ ok: false, stdout: error.stdout ?? '' }),
  );
  const report = JSON.parse(result.stdout || '{}') as Record<
    string,
    { status: string; message?: string }[] | { status: string; message?: string }
  >;
  const failures = Object.entries(report).flatMap(([file, statuses]) =>
    [statuses]
      .flat()
      .filter((s) => s.status !== 'Success')
      .map((s) => `${path.basename(file)}: ${s.message}`),
  );
  expect(Object.keys(report)).toHaveLength(objects.length);
  return { ok: result.ok, failures };
}

beforeAll(async () => {
  helm = await ensureBackend('helm');
  kubectlValidate = await ensureBackend('kubectl-validate');
  defaults = await render();
}, 900_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the Helm chart (deploy/helm/tracelab)', () => {
  it('passes helm lint --strict', async () => {
    const { stdout } = await run(helm, ['lint', '--strict', HELM_CHART_DIR], { env: offlineEnv() });
    expect(stdout).toContain('0 chart(s) failed');
    expect(stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('renders manifests that kubectl-validate accepts for Kubernetes 1.30, and it refuses a broken one', async () => {
    const good = await validate(defaults, 'defaults');
    expect(good.failures).toEqual([]);
    expect(good.ok).toBe(true);
    // The validator really reads the schemas: a string where an integer belongs, an unknown field.
    const broken = structuredClone(defaults);
    workload(broken, 'collector-gateway').spec.replicas = 'two';
    find(broken, 'Service', name('collector-agent')).spec.internalTrafficPolicy2 = 'Local';
    const bad = await validate(broken, 'broken');
    expect(bad.ok).toBe(false);
    expect(bad.failures.join('\n')).toMatch(/spec\.replicas/);
    expect(bad.failures.join('\n')).toMatch(/internalTrafficPolicy2/);
  });

  it('runs the agent as a DaemonSet behind a node-local Service', () => {
    expect(workload(defaults, 'collector-agent').kind).toBe('DaemonSet');
    const service = find(defaults, 'Service', name('collector-agent'));
    expect(service.spec.internalTrafficPolicy).toBe('Local');
    expect(service.spec.selector).toEqual(workload(defaults, 'collector-agent').spec.selector.matchLabels);
  });

  it('puts the gateway collectors behind a headless Service, the DNS name the agent resolves', () => {
    const gateways = workload(defaults, 'collector-gateway');
    const service = find(defaults, 'Service', name('collector-gateway'));
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual(gateways.spec.selector.matchLabels);
    // Not published while starting: the resolver must list only gateways that are ready.
    expect(service.spec.publishNotReadyAddresses ?? false).toBe(false);
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ port: 4317 }));
    const agent = podSpec(workload(defaults, 'collector-agent')).containers[0]!;
    expect(envValue(agent, 'GATEWAY_COLLECTORS_HOST')).toBe(dnsName(service.metadata.name));
    expect(envValue(agent, 'GATEWAY_COLLECTORS_PORT') ?? '4317').toBe('4317');
    // Each gateway names itself by its pod: unique per pod.
    const gateway = podSpec(gateways).containers[0]!;
    expect(envOf(gateway, 'COLLECTOR_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(envValue(gateway, 'TAIL_SAMPLING_PERCENTAGE')).toBe('10');
  });

  it('runs as many gateway collectors as the gateways.replicas value says', async () => {
    expect(workload(defaults, 'collector-gateway').spec.replicas).toBe(2);
    expect(workload(await render('gateways.replicas=5'), 'collector-gateway').spec.replicas).toBe(5);
  });

  it("loads exactly the repository's collector config files, and each collector role runs its pair", () => {
    const configMap = find(defaults, 'ConfigMap', name('collector'));
    const files = fs.readdirSync(inRepo('collector')).filter((f) => /^config.*\.yaml$/.test(f));
    expect(files.sort()).toEqual(['config.agent.yaml', 'config.gateway.yaml', 'config.yaml']);
    expect(Object.keys(configMap.data ?? {}).sort()).toEqual(files);
    for (const file of files) expect(configMap.data![file], file).toBe(fs.readFileSync(inRepo('collector', file), 'utf8'));
    for (const [component, overlay] of [
      ['collector-agent', 'config.agent.yaml'],
      ['collector-gateway', 'config.gateway.yaml'],
    ] as const) {
      const spec = podSpec(workload(defaults, component));
      const container = spec.containers[0]!;
      const volume = spec.volumes!.find((v) => v.configMap?.name === configMap.metadata.name)!;
      const mount = container.volumeMounts!.find((m) => m.name === volume.name)!;
      expect(container.args).toEqual([`--config=${mount.mountPath}/config.yaml`, `--config=${mount.mountPath}/${overlay}`]);
    }
  });

  it('sets every variable its config files read without a default, for each collector role', () => {
    const required = (file: string) =>
      [...fs.readFileSync(inRepo('collector', file), 'utf8').matchAll(/\$\{env:([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
    for (const [component, overlay] of [
      ['collector-agent', 'config.agent.yaml'],
      ['collector-gateway', 'config.gateway.yaml'],
    ] as const) {
      const container = podSpec(workload(defaults, component)).containers[0]!;
      const variables = [...required('config.yaml'), ...required(overlay)];
      expect(variables.length).toBeGreaterThan(0);
      for (const variable of variables) expect(envOf(container, variable), `${component}: ${variable}`).toBeDefined();
    }
  });

  it("sends every collector's data to the backends' Services", () => {
    for (const component of ['collector-agent', 'collector-gateway']) {
      const container = podSpec(workload(defaults, component)).containers[0]!;
      expect(envValue(container, 'COLLECTOR_LISTEN_HOST')).toBe('0.0.0.0');
      expect(envValue(container, 'COLLECTOR_QUEUE_DIR')).toBeTruthy();
      expect(envValue(container, 'JAEGER_OTLP_GRPC_ADDR')).toBe(`${dnsName(name('jaeger'))}:4327`);
      expect(envValue(container, 'PROMETHEUS_URL')).toBe(`http://${dnsName(name('prometheus'))}:9090`);
      expect(envValue(container, 'VICTORIALOGS_URL')).toBe(`http://${dnsName(name('victorialogs'))}:9428`);
    }
    expect(podSpec(workload(defaults, 'prometheus')).containers[0]!.args).toContain('--web.enable-otlp-receiver');
  });

  it('gives the VictoriaLogs front end every storage node, by its StatefulSet name', async () => {
    for (const [objects, count] of [
      [defaults, 2],
      [await render('victorialogs.storage.replicas=3'), 3],
    ] as const) {
      const storage = workload(objects, 'victorialogs-storage');
      expect(storage.kind).toBe('StatefulSet');
      expect(storage.spec.replicas).toBe(count);
      const headless = find(objects, 'Service', storage.spec.serviceName);
      expect(headless.spec.clusterIP).toBe('None');
      const nodes = Array.from({ length: count }, (_, i) => `${storage.metadata.name}-${i}.${dnsName(headless.metadata.name)}:9428`);
      const args = podSpec(workload(objects, 'victorialogs')).containers[0]!.args!;
      expect(args).toContain(`-storageNode=${nodes.join(',')}`);
      expect(args).toContain('-search.allowPartialResponse');
    }
  });

  it('runs each service of services/registry.ts, calling the others and sending OTLP to the agent', () => {
    for (const service of SERVICE_NAMES) {
      const entry = SERVICE_REGISTRY[service];
      const container = podSpec(workload(defaults, service)).containers[0]!;
      expect(envValue(container, 'SERVICE')).toBe(service);
      expect(envValue(container, 'PORT')).toBe(String(entry.port));
      expect(find(defaults, 'Service', name(service)).spec.ports[0].port).toBe(entry.port);
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      for (const [variable, target] of Object.entries(entry.calls))
        expect(envValue(container, variable), variable).toBe(
          `http://${dnsName(name(target))}:${SERVICE_REGISTRY[target as ServiceName].port}`,
        );
      expect(envValue(container, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(`http://${dnsName(name('collector-agent'))}:4318`);
      expect(envValue(container, 'OTEL_METRICS_EXPORTER')).toBe('otlp');
      // The services that publish or consume prediction events reach the broker's Service.
      expect(envValue(container, 'NATS_URL'), `${service} NATS_URL`).toBe(
        'usesBroker' in entry && entry.usesBroker ? `nats://${dnsName(name('nats'))}:4222` : undefined,
      );
    }
    expect(workloads(defaults).map((o) => o.metadata.name)).toEqual(expect.arrayContaining(SERVICE_NAMES.map(name)));
  });

  it('runs the broker with JetStream on a volume, ready when JetStream is', () => {
    const broker = workload(defaults, 'nats');
    expect(broker.kind).toBe('StatefulSet');
    const container = podSpec(broker).containers[0]!;
    expect(container.args).toEqual(expect.arrayContaining(['--jetstream', '--store_dir=/data', '--port=4222', '--http_port=8222']));
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/healthz?js-enabled-only=true', port: 'monitor' });
    expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    const service = defaults.find((o) => o.kind === 'Service' && o.metadata.name === name('nats'))!;
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([4222, 8222]);
  });

  it('takes the control token only from the Secret the user names', async () => {
    expect(defaults.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const service of SERVICE_NAMES)
      expect(envOf(podSpec(workload(defaults, service)).containers[0]!, 'CONTROL_TOKEN')).toBeUndefined();
    const withSecret = await render('controlToken.existingSecret=my-token');
    for (const service of SERVICE_NAMES)
      expect(envOf(podSpec(workload(withSecret, service)).containers[0]!, 'CONTROL_TOKEN')?.valueFrom).toEqual({
        secretKeyRef: { name: 'my-token', key: 'control-token' },
      });
  });

  it('exposes no Service outside the cluster by default', async () => {
    expect(exposedServices(defaults)).toEqual([]);
    // The check sees one when asked for.
    expect(exposedServices(await render('publishedServiceType=LoadBalancer'))).toEqual([name('gateway')]);
  });

  it('runs no container as root, with a read-only root filesystem', async () => {
    expect(rootContainers(defaults)).toEqual([]);
    for (const o of workloads(defaults))
      for (const c of allContainers(podSpec(o))) {
        expect(c.securityContext?.readOnlyRootFilesystem, `${o.metadata.name}/${c.name}`).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, `${o.metadata.name}/${c.name}`).toBe(false);
      }
    // The check sees a root user when one is configured.
    expect(rootContainers(await render('servicePods.runAsUser=0'))).toHaveLength(SERVICE_NAMES.length);
  });

  it('runs the images the values name, each with a tag', async () => {
    const images = new Set(workloads(defaults).flatMap((o) => allContainers(podSpec(o)).map((c) => c.image)));
    for (const image of images) expect(image).toMatch(/^[a-z0-9][a-z0-9./_-]*:[A-Za-z0-9][A-Za-z0-9._-]*$/);
    const values = parse(helmValues()) as { images: Record<string, { repository: string; tag: string }> };
    expect([...images].sort()).toEqual(
      Object.values(values.images)
        .map((i) => `${i.repository}:${i.tag}`)
        .sort(),
    );
    const custom = await render('images.services.repository=registry.example.com/tracelab/services', 'images.services.tag=abc123');
    expect(podSpec(workload(custom, 'gateway')).containers[0]).toMatchObject({ image: 'registry.example.com/tracelab/services:abc123' });
  });

  it('gives every container a readiness probe, requests and limits', () => {
    for (const o of workloads(defaults))
      for (const c of podSpec(o).containers) {
        const where = `${o.metadata.name}/${c.name}`;
        expect(c.readinessProbe?.httpGet, where).toBeDefined();
        expect(Object.keys(c.resources?.requests ?? {}).sort(), where).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources?.limits ?? {}).sort(), where).toEqual(['cpu', 'memory']);
      }
  });

  it("gives Prometheus a config promtool accepts, promoting the topology's resource attributes", async () => {
    const config = find(defaults, 'ConfigMap', name('prometheus')).data!['prometheus.yml']!;
    expect(config).toMatch(
      /promote_resource_attributes: \[deployment\.environment\.name, service\.version, tracelab\.collector\.gateway\]/,
    );
    expect(config).toMatch(/out_of_order_time_window: 10m/);
    const file = path.join(scratch, 'prometheus.yml');
    fs.writeFileSync(file, config);
    const { stdout } = await run(await ensureBackend('promtool'), ['check', 'config', '--syntax-only', file]);
    expect(stdout).toContain('SUCCESS');
  });
});
