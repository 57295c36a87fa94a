import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { brokerServes } from '../../kafka/probe.js';
import type { ServiceContext, ServiceDefinition } from '../types.js';
import { exists, javaMajor, mavenCopyDependencies, requireCommand, runCommand } from '../util.js';

/** The oldest Java that Kafka 4 brokers run on. */
const MIN_JAVA = 17;
/** Node id of the one combined broker + controller. */
const NODE_ID = 1;

const projectDir = (config: Config) => path.join(config.repoRoot, 'stack', 'kafka');
const pomFile = (config: Config) => path.join(projectDir(config), 'pom.xml');
const libDir = (ctx: ServiceContext) => path.join(ctx.optDir, 'lib');
const markerFile = (ctx: ServiceContext) => path.join(ctx.optDir, 'provisioned.sha256');
const propertiesFile = (ctx: ServiceContext) => path.join(ctx.dataDir, 'server.properties');
const clusterIdFile = (ctx: ServiceContext) => path.join(ctx.dataDir, 'cluster-id');
const logDir = (ctx: ServiceContext) => path.join(ctx.dataDir, 'kraft-logs');
const classpath = (ctx: ServiceContext) => `${libDir(ctx)}/*`;

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (the form Kafka's Uuid prints).
 * Kafka itself skips ids starting with "-" because the command line would read them as an option.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** One combined broker + controller: the smallest KRaft cluster, sized for a laptop. */
export function serverProperties(config: Config, dataDir: string): string {
  const { host } = config;
  const { kafka: port, kafkaController: controllerPort } = config.ports;
  const settings: Array<[string, string | number | boolean]> = [
    ['process.roles', 'broker,controller'],
    ['node.id', NODE_ID],
    // A dynamic single-voter quorum (formatted with --standalone), so no static voter list.
    ['controller.quorum.bootstrap.servers', `${host}:${controllerPort}`],
    ['listeners', `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['log.dirs', path.join(dataDir, 'kraft-logs')],
    ['num.partitions', 3],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    // Topics are created on purpose (bankops topics create), never by a typo in a producer.
    ['auto.create.topics.enable', false],
    // A single broker cannot hold more than one replica of the internal topics.
    ['offsets.topic.replication.factor', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    // Fewer internal partitions than the defaults (50): faster first start, less memory, same behaviour.
    ['offsets.topic.num.partitions', 10],
    ['transaction.state.log.num.partitions', 10],
    // Consumers join at once instead of waiting 3 s for more members (tests and the CLI start one).
    ['group.initial.rebalance.delay.ms', 0],
    // The log cleaner keeps a 128 MiB on-heap dedupe map by default; the compacted topics here
    // (consumer offsets, the registry's schemas) are tiny, and 16 MiB cuts idle memory by ~110 MiB.
    ['log.cleaner.dedupe.buffer.size', 16 * 1024 * 1024],
    ['num.network.threads', 2],
    ['num.io.threads', 4],
    ['log.retention.hours', 168],
  ];
  const lines = settings.map(([key, value]) => `${key}=${String(value)}`);
  return `# Written by bankops on every start; edit src/stack/services/kafka.ts instead.\n${lines.join('\n')}\n`;
}

async function provisionedHash(ctx: ServiceContext): Promise<string | undefined> {
  try {
    return (await readFile(markerFile(ctx), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function installedJars(ctx: ServiceContext): Promise<boolean> {
  // The broker and the storage tool both live in kafka_2.13; without it nothing runs.
  const jars = (await exists(libDir(ctx))) ? await readdir(libDir(ctx)) : [];
  return jars.some((jar) => /^kafka_2\.13-.*\.jar$/.test(jar));
}

export const kafka: ServiceDefinition = {
  name: 'kafka',
  title: 'Apache Kafka (KRaft)',

  ports: (config) => [config.ports.kafka, config.ports.kafkaController],

  url: (config) => `${config.host}:${config.ports.kafka}`,

  async checkPrerequisites(ctx) {
    const javaHint =
      'Install a Java 17+ runtime: apt-get install -y openjdk-17-jre-headless (or set BANKOPS_JAVA).';
    const version = await requireCommand(ctx.config.bins.java, 'Java', javaHint, ['-version']);
    const major = javaMajor(version);
    if (major === undefined || major < MIN_JAVA) {
      throw new BankopsError(
        'PREREQUISITE_MISSING',
        `Kafka needs Java ${MIN_JAVA} or newer; \`${ctx.config.bins.java}\` is ${major ?? 'of unknown version'}`,
        { hint: javaHint },
      );
    }
    await requireCommand(
      ctx.config.bins.mvn,
      'Maven',
      'Install Maven: apt-get install -y maven (or set BANKOPS_MVN).',
    );
  },

  async provision(ctx) {
    const pom = await readFile(pomFile(ctx.config));
    const hash = createHash('sha256').update(pom).digest('hex');
    if ((await provisionedHash(ctx)) === hash && (await installedJars(ctx))) return;
    ctx.progress('resolving the Kafka broker jars from Maven Central');
    // Resolve into a fresh folder and swap it in, so a changed pom leaves no jar of the old versions
    // behind and a failed download never leaves half a classpath.
    const staging = `${libDir(ctx)}.new`;
    await rm(staging, { recursive: true, force: true });
    await mavenCopyDependencies(
      ctx.config.bins.mvn,
      pomFile(ctx.config),
      staging,
      ctx.logFile,
      'Kafka provisioning',
    );
    await rm(libDir(ctx), { recursive: true, force: true });
    await rename(staging, libDir(ctx));
    await writeFile(markerFile(ctx), `${hash}\n`);
  },

  async prepare(ctx) {
    await writeFile(propertiesFile(ctx), serverProperties(ctx.config, ctx.dataDir));
    // The storage tool writes meta.properties into the log dir; its presence means "formatted".
    if (await exists(path.join(logDir(ctx), 'meta.properties'))) return;
    let clusterId: string;
    if (await exists(clusterIdFile(ctx))) {
      clusterId = (await readFile(clusterIdFile(ctx), 'utf8')).trim();
    } else {
      clusterId = newClusterId();
      await writeFile(clusterIdFile(ctx), `${clusterId}\n`);
    }
    ctx.progress('formatting the KRaft storage');
    await runCommand(
      ctx.config.bins.java,
      [
        ...jvmOptions(ctx, '-Xmx256m'),
        'kafka.tools.StorageTool',
        'format',
        '--config',
        propertiesFile(ctx),
        `--cluster-id=${clusterId}`,
        '--standalone',
        '--ignore-formatted',
      ],
      { logFile: ctx.logFile, what: 'Kafka storage format' },
    );
  },

  async launch(ctx) {
    return {
      command: ctx.config.bins.java,
      args: [...jvmOptions(ctx, '-Xms64m', '-Xmx384m'), 'kafka.Kafka', propertiesFile(ctx)],
      cwd: ctx.dataDir,
    };
  },

  ready(ctx) {
    return brokerServes([`${ctx.config.host}:${ctx.config.ports.kafka}`]);
  },
};

/** JVM flags shared by the storage tool and the broker: small heap, our log4j2 file, our jars. */
function jvmOptions(ctx: ServiceContext, ...heap: string[]): string[] {
  return [
    ...heap,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    // An idle broker collects once a minute and hands unused heap back to the OS (JEP 346).
    '-XX:G1PeriodicGCInterval=60000',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(projectDir(ctx.config), 'log4j2.xml')}`,
    '-cp',
    classpath(ctx),
  ];
}
