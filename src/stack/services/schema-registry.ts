import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import type { Launch, ServiceContext, ServiceDefinition } from '../types.js';
import { exists, httpReady, javaMajor, requireCommand, runCommand } from '../util.js';

/**
 * Apicurio Registry, serving the Confluent Schema Registry API (ccompat v7).
 *
 * Version: 3.0.9 is the newest 3.x whose `tar.gz:all` distribution Maven Central serves that runs on
 * Java 17. 3.3.x is compiled for Java 21 (class file 65) and fails at start-up on 17; 3.1/3.2 have no
 * `all` distribution on Central.
 */
export const REGISTRY_VERSION = '3.0.9';
const ARTIFACT = `io.apicurio:apicurio-registry-app:${REGISTRY_VERSION}:tar.gz:all`;
const RUNNER_JAR = `apicurio-registry-app-${REGISTRY_VERSION}-runner.jar`;
const MIN_JAVA = 17;
/** The compatibility level every subject inherits unless it sets its own (Apicurio's default is NONE). */
export const GLOBAL_COMPATIBILITY = 'BACKWARD';

const installDir = (ctx: ServiceContext) => path.join(ctx.optDir, `apicurio-registry-${REGISTRY_VERSION}`);
const markerFile = (ctx: ServiceContext) => path.join(installDir(ctx), '.bankops-installed');
/** The H2 database lives in dataDir (H2 adds `.mv.db`), so `stack down/up` keeps every schema id. */
const databasePath = (ctx: ServiceContext) => path.join(ctx.dataDir, 'registry');
const workDir = (ctx: ServiceContext) => path.join(ctx.dataDir, 'work');
const localBase = (config: Config) => `http://${config.host}:${config.ports.registry}`;
const ccompat = (config: Config) => `${localBase(config)}/apis/ccompat/v7`;

async function isInstalled(ctx: ServiceContext): Promise<boolean> {
  try {
    return (await readFile(markerFile(ctx), 'utf8')).trim() === ARTIFACT;
  } catch {
    return false;
  }
}

/** Older versions' folders, left behind after a version change. */
async function removeOtherVersions(ctx: ServiceContext): Promise<void> {
  const keep = path.basename(installDir(ctx));
  for (const entry of await readdir(ctx.optDir)) {
    if (entry.startsWith('apicurio-registry-') && entry !== keep) {
      await rm(path.join(ctx.optDir, entry), { recursive: true, force: true });
    }
  }
}

/**
 * Quarkus settings, passed as system properties so the launch command shows the whole configuration.
 * Storage is Apicurio 3's SQL storage on a file-based H2 database in dataDir: it persists across
 * restarts and needs no database server.
 */
export function registryProperties(ctx: ServiceContext): Record<string, string> {
  const { config } = ctx;
  return {
    'quarkus.http.host': config.host,
    'quarkus.http.port': String(config.ports.registry),
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'h2',
    'apicurio.datasource.url': `jdbc:h2:file:${databasePath(ctx)}`,
    // The default pool (20 to 100 connections) is sized for a shared server, not one local client.
    'apicurio.datasource.jdbc.initial-size': '2',
    'apicurio.datasource.jdbc.min-size': '2',
    'apicurio.datasource.jdbc.max-size': '10',
    // ccompat ids are content ids (Confluent's meaning): register returns the id that
    // GET /schemas/ids/{id} resolves, and the same schema gets the same id under every subject.
    'apicurio.ccompat.legacy-id-mode.enabled': 'false',
    'apicurio.storage.snapshot.location': workDir(ctx),
    'apicurio.import.work-dir': workDir(ctx),
    // One line per request would make the log grow with every producer start; errors still log.
    'quarkus.http.access-log.enabled': 'false',
  };
}

async function compatibility(config: Config): Promise<string | undefined> {
  const response = await fetch(`${ccompat(config)}/config`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { compatibilityLevel?: unknown };
  return typeof body.compatibilityLevel === 'string' ? body.compatibilityLevel : undefined;
}

async function setGlobalCompatibility(ctx: ServiceContext): Promise<void> {
  const { config } = ctx;
  const failed = (detail: string, cause?: unknown) =>
    new BankopsError('SERVICE_START_FAILED', `Schema registry: cannot set global compatibility: ${detail}`, {
      hint: `Check ${ctx.logFile}; the registry answers at ${ccompat(config)}.`,
      cause,
    });
  try {
    const response = await fetch(`${ccompat(config)}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: GLOBAL_COMPATIBILITY }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw failed(`PUT /config answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer().catch(() => undefined);
    const level = await compatibility(config);
    if (level !== GLOBAL_COMPATIBILITY) throw failed(`GET /config reads ${level ?? 'nothing'}`);
  } catch (error) {
    if (error instanceof BankopsError) throw error;
    throw failed(error instanceof Error ? error.message : String(error), error);
  }
  ctx.log.info({ compatibility: GLOBAL_COMPATIBILITY }, 'global compatibility set');
}

export const schemaRegistry: ServiceDefinition = {
  name: 'schemaRegistry',
  title: 'Schema registry (Apicurio, Confluent API)',
  ports: (config) => [config.ports.registry],
  url: (config) => config.urls.schemaRegistry,

  async checkPrerequisites(ctx) {
    const { java, mvn } = ctx.config.bins;
    const javaHint = `Install a Java ${MIN_JAVA}+ runtime (Debian: apt-get install openjdk-17-jre-headless) or set BANKOPS_JAVA.`;
    const version = await requireCommand(java, 'Java', javaHint, ['-version']);
    const major = javaMajor(version);
    if (major === undefined || major < MIN_JAVA) {
      throw new BankopsError(
        'PREREQUISITE_MISSING',
        `Schema registry needs Java ${MIN_JAVA}+, \`${java}\` is ${major ?? 'of unknown version'}`,
        { hint: javaHint },
      );
    }
    // Maven only fetches the distribution, so it is needed until the first provisioning.
    if (!(await isInstalled(ctx))) {
      await requireCommand(
        mvn,
        'Maven',
        'Install Maven 3.8+ (Debian: apt-get install maven) or set BANKOPS_MVN.',
        ['-v'],
      );
    }
  },

  async provision(ctx) {
    if (await isInstalled(ctx)) return;
    const downloadDir = path.join(ctx.optDir, 'download');
    const partial = `${installDir(ctx)}.partial`;
    await rm(downloadDir, { recursive: true, force: true });
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    ctx.progress(`downloading Apicurio Registry ${REGISTRY_VERSION} from Maven Central (~105 MB)`);
    await runCommand(
      ctx.config.bins.mvn,
      ['-B', '-q', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${downloadDir}`],
      { logFile: ctx.logFile, what: `Downloading ${ARTIFACT}` },
    );
    const archive = path.join(downloadDir, `apicurio-registry-app-${REGISTRY_VERSION}-all.tar.gz`);
    ctx.progress('unpacking');
    await runCommand('tar', ['--no-same-owner', '-xzf', archive, '-C', partial], {
      logFile: ctx.logFile,
      what: `Unpacking ${archive}`,
    });
    if (!(await exists(path.join(partial, RUNNER_JAR)))) {
      throw new BankopsError('PROVISION_FAILED', `${archive} holds no ${RUNNER_JAR}`, {
        hint: `Delete ${ctx.optDir} and run \`bankops stack up\` again.`,
      });
    }
    await rm(installDir(ctx), { recursive: true, force: true });
    await rename(partial, installDir(ctx));
    await writeFile(markerFile(ctx), `${ARTIFACT}\n`);
    // Maven's local repository keeps its own copy of the archive.
    await rm(downloadDir, { recursive: true, force: true });
    await removeOtherVersions(ctx);
  },

  async prepare(ctx) {
    await mkdir(workDir(ctx), { recursive: true });
  },

  async launch(ctx): Promise<Launch> {
    const properties = Object.entries(registryProperties(ctx)).map(([key, value]) => `-D${key}=${value}`);
    return {
      command: ctx.config.bins.java,
      // Serial GC and the C1 compiler only: a light-traffic service on a shared 2-core machine. Measured
      // here under load: ready in ~9 s instead of ~30 s, idle RSS ~170 MB instead of ~205 MB.
      args: [
        '-Xms64m',
        '-Xmx384m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-XX:ReservedCodeCacheSize=48m',
        ...properties,
        '-jar',
        RUNNER_JAR,
      ],
      cwd: installDir(ctx),
    };
  },

  ready: (ctx) => httpReady(`${ccompat(ctx.config)}/subjects`, (status) => status === 200),

  afterStart: setGlobalCompatibility,
};
