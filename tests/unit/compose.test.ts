/**
 * docker-compose.yml stays the same stack as the local one (src/stack/services): every service is there,
 * on the same host ports and variables, at the versions the local stack pins; the files it mounts exist;
 * the configs in grafana/compose are a current render of the local templates and pass promtool / amtool.
 * No container engine is needed: the file is read as YAML with Compose's `${VAR:-default}` interpolation.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  COMPOSE_RULES_DIR,
  COMPOSE_TARGETS_DIR,
  DOCKER_HOST,
  renderComposeConfigs,
} from '../../scripts/render-compose-configs.js';
import { parseConfig, type Config } from '../../src/config/index.js';
import { runPromtool } from '../../src/stack/services/prometheus.js';
import { REGISTRY_VERSION } from '../../src/stack/services/schema-registry.js';
import { SERVICE_NAMES, type ServiceName } from '../../src/stack/types.js';

const defaults = parseConfig({});
const root = defaults.repoRoot;
const composeFile = path.join(root, 'docker-compose.yml');

/** The parts of the Compose file format this test reads. */
const mountSchema = z.union([
  z.string(),
  z.object({ type: z.string(), source: z.string(), target: z.string() }).loose(),
]);
const serviceSchema = z
  .object({
    image: z.string(),
    ports: z.array(z.string()).optional(),
    volumes: z.array(mountSchema).optional(),
    command: z.array(z.string()).optional(),
    environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    extra_hosts: z.array(z.string()).optional(),
    healthcheck: z
      .object({ test: z.array(z.string()) })
      .loose()
      .optional(),
    restart: z.string().optional(),
  })
  .loose();
const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown().nullable()),
});
type Service = z.infer<typeof serviceSchema>;

/** Compose's variable interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and `$$`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (match, name, op, arg) => {
    if (match === '$$') return '$';
    const value = env[name as string];
    if (value !== undefined && value !== '') return value;
    if (op === '?') throw new Error(`${name as string} is required: ${arg as string}`);
    return op === '-' ? (arg as string) : '';
  });
}

/** docker-compose.yml with every `${...}` resolved against `env` (plus PWD, the repository root). */
async function loadCompose(env: Record<string, string> = {}) {
  const text = interpolate(await readFile(composeFile, 'utf8'), { PWD: root, ...env });
  return composeSchema.parse(parse(text));
}

/** Compose service names are the local names in kebab-case. */
const composeName = (name: ServiceName) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const hostPort: Record<ServiceName, (config: Config) => number> = {
  kafka: (c) => c.ports.kafka,
  schemaRegistry: (c) => c.ports.registry,
  icebergCatalog: (c) => c.ports.catalog,
  mlflow: (c) => c.ports.mlflow,
  prometheus: (c) => c.ports.prometheus,
  alertmanager: (c) => c.ports.alertmanager,
};
const portVariable: Record<ServiceName, string> = {
  kafka: 'BANKOPS_KAFKA_PORT',
  schemaRegistry: 'BANKOPS_REGISTRY_PORT',
  icebergCatalog: 'BANKOPS_CATALOG_PORT',
  mlflow: 'BANKOPS_MLFLOW_PORT',
  prometheus: 'BANKOPS_PROMETHEUS_PORT',
  alertmanager: 'BANKOPS_ALERTMANAGER_PORT',
};

function service(compose: z.infer<typeof composeSchema>, name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function publishedPorts(svc: Service): Array<{ host: number; container: number }> {
  return (svc.ports ?? []).map((spec) => {
    const [host, container] = spec.split(':').slice(-2).map(Number);
    return { host: host ?? NaN, container: container ?? NaN };
  });
}

/** Bind mounts as { source (absolute), target }, from the short and the long syntax. */
function bindMounts(svc: Service): Array<{ source: string; target: string }> {
  return (svc.volumes ?? []).flatMap((mount) => {
    if (typeof mount === 'string') {
      const [source = '', target = ''] = mount.split(':');
      return source.startsWith('.') || source.startsWith('/')
        ? [{ source: path.resolve(root, source), target }]
        : [];
    }
    return mount.type === 'bind' ? [{ source: path.resolve(root, mount.source), target: mount.target }] : [];
  });
}

const imageVersion = (svc: Service) => (svc.image.split(':').pop() ?? '').replace(/^v/, '');

const mavenProperty = async (pom: string, name: string) =>
  new RegExp(`<${name}>([^<]+)</${name}>`).exec(await readFile(path.join(root, pom), 'utf8'))?.[1];

/** `<binary> --version` of a local Debian binary ("prometheus, version 2.42.0+ds ..."), if installed. */
function installedVersion(binary: string): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile(binary, ['--version'], (error, stdout, stderr) =>
      resolve(error ? undefined : /version (\d+\.\d+\.\d+)/.exec(`${stdout}${stderr}`)?.[1]),
    ),
  );
}

/** The Debian packages (bookworm) the local stack runs; the compose images use the same releases. */
const DEBIAN_PROMETHEUS = '2.42.0';
const DEBIAN_ALERTMANAGER = '0.25.0';

let compose: z.infer<typeof composeSchema>;
let work = '';

beforeAll(async () => {
  compose = await loadCompose();
  work = await mkdtemp(path.join(tmpdir(), 'bankops-compose-test-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('docker-compose.yml mirrors the local stack', () => {
  it('has a service for every local service', () => {
    for (const name of SERVICE_NAMES) expect(Object.keys(compose.services)).toContain(composeName(name));
    expect(Object.keys(compose.services)).toContain('grafana');
  });

  it('publishes each service on the local default host port, driven by the same BANKOPS_* variable', async () => {
    const moved = Object.fromEntries(SERVICE_NAMES.map((name, i) => [portVariable[name], String(20001 + i)]));
    const movedCompose = await loadCompose(moved);
    const movedConfig = parseConfig(moved);
    for (const name of SERVICE_NAMES) {
      const ports = publishedPorts(service(compose, composeName(name))).map((p) => p.host);
      expect(ports, name).toEqual([hostPort[name](defaults)]);
      const movedPorts = publishedPorts(service(movedCompose, composeName(name))).map((p) => p.host);
      expect(movedPorts, `${name} with ${portVariable[name]} set`).toEqual([hostPort[name](movedConfig)]);
    }
    // Kafka clients on the host follow the advertised listener, which must name the published port.
    const advertised = String(service(movedCompose, 'kafka').environment?.KAFKA_ADVERTISED_LISTENERS);
    expect(advertised).toContain(`PLAINTEXT://localhost:${movedConfig.ports.kafka}`);
  });

  it('runs the versions the local stack pins', async () => {
    const requirements = await readFile(path.join(root, 'stack', 'mlflow', 'requirements.txt'), 'utf8');
    const expected: Record<ServiceName, string | undefined> = {
      kafka: await mavenProperty('stack/kafka/pom.xml', 'kafka.version'),
      schemaRegistry: REGISTRY_VERSION,
      icebergCatalog: await mavenProperty('stack/iceberg-catalog/pom.xml', 'iceberg.version'),
      mlflow: /^mlflow==(\S+)/m.exec(requirements)?.[1],
      prometheus: DEBIAN_PROMETHEUS,
      alertmanager: DEBIAN_ALERTMANAGER,
    };
    for (const name of SERVICE_NAMES) {
      expect(expected[name], `version pinned for ${name}`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(imageVersion(service(compose, composeName(name))), name).toBe(expected[name]);
    }
    // Where the Debian binaries are installed (as the local stack needs), they are those releases.
    const prometheus = await installedVersion(defaults.bins.prometheus);
    if (prometheus) expect(prometheus).toBe(DEBIAN_PROMETHEUS);
    const alertmanager = await installedVersion(defaults.bins.alertmanager);
    if (alertmanager) expect(alertmanager).toBe(DEBIAN_ALERTMANAGER);
  });

  it('mounts only files of the repository or runtime folders under .bankops', async () => {
    const runtime = path.join(root, '.bankops');
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const { source } of bindMounts(svc)) {
        if (source.startsWith(`${runtime}/`)) continue;
        await expect(stat(source), `${name} mounts ${source}`).resolves.toBeDefined();
      }
    }
  });

  it('declares every named volume it uses and uses every one it declares', () => {
    const used = Object.values(compose.services).flatMap((svc) =>
      (svc.volumes ?? []).flatMap((mount) => {
        const source =
          typeof mount === 'string' ? mount.split(':')[0] : mount.type === 'volume' ? mount.source : '';
        return source && !source.startsWith('.') && !source.startsWith('/') ? [source] : [];
      }),
    );
    expect(new Set(used)).toEqual(new Set(Object.keys(compose.volumes)));
  });

  it('has a health check on every long-running service', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.restart === 'no') continue;
      expect(svc.healthcheck?.test.length, name).toBeGreaterThan(1);
    }
  });

  it('puts the Iceberg warehouse at the same absolute path inside and outside the catalog container', () => {
    const catalog = service(compose, 'iceberg-catalog');
    const warehouse = String(catalog.environment?.CATALOG_WAREHOUSE);
    expect(warehouse).toMatch(/^file:\/\//);
    const hostPath = warehouse.slice('file://'.length);
    const mount = bindMounts(catalog).find((m) => hostPath.startsWith(`${m.source}/`));
    expect(mount, 'a bind mount holds the warehouse').toBeDefined();
    expect(mount?.target).toBe(mount?.source);
    expect(path.isAbsolute(hostPath)).toBe(true);
  });
});

describe('grafana/compose configs', () => {
  it('are a current render of the local templates (run `npm run generate:compose` if not)', async () => {
    const fresh = await renderComposeConfigs(work);
    expect(fresh.length).toBe(2);
    for (const file of fresh) {
      const committed = await readFile(path.join(root, 'grafana', 'compose', path.basename(file)), 'utf8');
      expect(committed, path.basename(file)).toBe(await readFile(file, 'utf8'));
    }
  });

  it('are the files the compose services mount, with the rules and file_sd folders where the config expects them', () => {
    const prometheus = bindMounts(service(compose, 'prometheus'));
    const at = (target: string) => prometheus.find((m) => m.target === target)?.source;
    expect(at('/etc/prometheus/prometheus.yml')).toBe(
      path.join(root, 'grafana', 'compose', 'prometheus.yml'),
    );
    expect(at(COMPOSE_RULES_DIR)).toBe(path.join(root, 'grafana', 'prometheus', 'rules'));
    expect(at(COMPOSE_TARGETS_DIR)).toBe(path.join(defaults.home, 'data', 'prometheus', 'targets'));
    const alertmanager = bindMounts(service(compose, 'alertmanager'));
    expect(alertmanager.find((m) => m.target === '/etc/alertmanager/alertmanager.yml')?.source).toBe(
      path.join(root, 'grafana', 'compose', 'alertmanager.yml'),
    );
    for (const name of ['prometheus', 'alertmanager']) {
      expect(service(compose, name).extra_hosts, name).toContain(`${DOCKER_HOST}:host-gateway`);
    }
  });

  it('pass promtool check config, with the mounted rule files loaded', async () => {
    const file = path.join(root, 'grafana', 'compose', 'prometheus.yml');
    const text = await readFile(file, 'utf8');
    const config = parse(text) as { rule_files: string[] };
    expect(config.rule_files).toEqual([`${COMPOSE_RULES_DIR}/*.yml`]);
    const asIs = await runPromtool(defaults, ['check', 'config', file]);
    expect(asIs.code, asIs.output).toBe(0);
    // The same config with the container paths pointing at the folders compose mounts there.
    const rulesDir = path.join(root, 'grafana', 'prometheus', 'rules');
    const onHost = path.join(work, 'prometheus-host-paths.yml');
    await writeFile(
      onHost,
      text.replaceAll(COMPOSE_RULES_DIR, rulesDir).replaceAll(COMPOSE_TARGETS_DIR, work),
    );
    const resolved = await runPromtool(defaults, ['check', 'config', onHost]);
    expect(resolved.code, resolved.output).toBe(0);
    const ruleFiles = (await readdir(rulesDir)).filter((f) => f.endsWith('.yml')).length;
    expect(resolved.output).toContain(`SUCCESS: ${ruleFiles} rule files found`);
  });

  it('scrape bankops components on the host through host.docker.internal', async () => {
    const config = parse(await readFile(path.join(root, 'grafana', 'compose', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{
        job_name: string;
        relabel_configs?: Array<{ regex: string; replacement: string }>;
      }>;
    };
    const relabel = config.scrape_configs.find((job) => job.job_name === 'bankops')?.relabel_configs?.[0];
    expect(relabel).toBeDefined();
    // Prometheus anchors relabel regexes; this one is also valid JavaScript, so apply it the same way.
    const rewrite = (address: string) => {
      const match = new RegExp(`^(?:${relabel?.regex ?? ''})$`).exec(address);
      return match
        ? (relabel?.replacement ?? '').replace(/\$(\d)/g, (_, i: string) => match[Number(i)] ?? '')
        : address;
    };
    expect(rewrite(`${defaults.host}:${defaults.lakeWriter.metricsPort}`)).toBe(
      `${DOCKER_HOST}:${defaults.lakeWriter.metricsPort}`,
    );
    expect(rewrite('0.0.0.0:9100')).toBe(`${DOCKER_HOST}:9100`);
    expect(rewrite('localhost:9100')).toBe(`${DOCKER_HOST}:9100`);
    expect(rewrite('10.0.0.7:9100')).toBe('10.0.0.7:9100');
  });

  it('send alerts to the bankops webhook on the host, and pass amtool check-config', async () => {
    const file = path.join(root, 'grafana', 'compose', 'alertmanager.yml');
    expect(await readFile(file, 'utf8')).toContain(
      `http://${DOCKER_HOST}:${defaults.ports.alertWebhook}/alerts`,
    );
    // amtool ships next to the alertmanager binary (Debian's prometheus-alertmanager).
    const bin = defaults.bins.alertmanager;
    const amtool = bin.includes('/') ? path.join(path.dirname(bin), 'amtool') : 'amtool';
    const result = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(amtool, ['check-config', file], (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : 1, output: `${stdout}${stderr}` }),
      ),
    );
    expect(result.code, result.output).toBe(0);
  });
});

describe('Grafana provisioning', () => {
  const read = async (file: string) => parse(await readFile(path.join(root, file), 'utf8')) as unknown;

  it('provides the compose Prometheus as the default datasource with uid prometheus', async () => {
    const { datasources } = z
      .object({
        datasources: z.array(z.object({ uid: z.string(), url: z.string(), isDefault: z.boolean() }).loose()),
      })
      .parse(await read('grafana/provisioning/datasources/prometheus.yml'));
    const prometheus = datasources.find((d) => d.uid === 'prometheus');
    expect(prometheus).toMatchObject({ url: 'http://prometheus:9090', isDefault: true });
    // That URL is the compose service on its container port.
    expect(publishedPorts(service(compose, 'prometheus')).map((p) => p.container)).toContain(9090);
  });

  it('loads dashboards from the folder compose mounts grafana/dashboards at', async () => {
    const { providers } = z
      .object({
        providers: z.array(z.object({ type: z.string(), options: z.object({ path: z.string() }) }).loose()),
      })
      .parse(await read('grafana/provisioning/dashboards/bankops.yml'));
    const mounts = bindMounts(service(compose, 'grafana'));
    const dashboards = mounts.find((m) => m.source === path.join(root, 'grafana', 'dashboards'));
    expect(providers[0]).toMatchObject({ type: 'file', options: { path: dashboards?.target } });
    expect(mounts.map((m) => m.source)).toEqual(
      expect.arrayContaining([
        path.join(root, 'grafana', 'provisioning', 'datasources'),
        path.join(root, 'grafana', 'provisioning', 'dashboards'),
      ]),
    );
  });
});
