import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { provisionDuckdbExtensions } from '../duckdb-extensions.js';
import type { ServiceContext, ServiceDefinition } from '../types.js';
import { exists, httpReady, javaMajor, mavenCopyDependencies, requireCommand } from '../util.js';

/** Jetty 11 and Iceberg 1.10 need Java 11; the stack standardises on 17. */
const MIN_JAVA = 17;
const SERVER_CLASS = 'org.apache.iceberg.rest.RESTCatalogServer';

const pomFile = (config: Config) => path.join(config.repoRoot, 'stack', 'iceberg-catalog', 'pom.xml');
const libDir = (ctx: ServiceContext) => path.join(ctx.optDir, 'lib');
const markerFile = (ctx: ServiceContext) => path.join(ctx.optDir, 'provisioned.sha256');
/** The JDBC catalog's store: namespaces, tables and each table's current metadata file. */
export const catalogDatabase = (dataDir: string) => path.join(dataDir, 'catalog.sqlite');
/** Where table data and metadata files live (the Iceberg warehouse). */
export const warehouseDir = (dataDir: string) => path.join(dataDir, 'warehouse');

async function installedJars(ctx: ServiceContext): Promise<boolean> {
  const jars = (await exists(libDir(ctx))) ? await readdir(libDir(ctx)) : [];
  return jars.some((jar) => /^iceberg-open-api-.*-test-fixtures\.jar$/.test(jar));
}

async function provisionJars(ctx: ServiceContext): Promise<void> {
  const hash = createHash('sha256')
    .update(await readFile(pomFile(ctx.config)))
    .digest('hex');
  const recorded = (await exists(markerFile(ctx))) ? (await readFile(markerFile(ctx), 'utf8')).trim() : '';
  if (recorded === hash && (await installedJars(ctx))) return;
  ctx.progress('resolving the Iceberg REST catalog jars from Maven Central');
  // A fresh folder swapped in: no jar of an older pom stays on the classpath, a failed run leaves none.
  const staging = `${libDir(ctx)}.new`;
  await rm(staging, { recursive: true, force: true });
  await mavenCopyDependencies(
    ctx.config.bins.mvn,
    pomFile(ctx.config),
    staging,
    ctx.logFile,
    'Iceberg catalog provisioning',
  );
  await rm(libDir(ctx), { recursive: true, force: true });
  await rename(staging, libDir(ctx));
  await writeFile(markerFile(ctx), `${hash}\n`);
}

/**
 * Catalog properties for RESTCatalogServer, which reads every `CATALOG_*` variable as one (`__` becomes
 * `-`, `_` becomes `.`, lower-cased): a JDBC catalog in a SQLite file and a file:// warehouse, both under
 * the service's data folder.
 */
export function catalogEnvironment(config: Config, dataDir: string): Record<string, string> {
  return {
    CATALOG_REST_PORT: String(config.ports.catalog),
    CATALOG_CATALOG__IMPL: 'org.apache.iceberg.jdbc.JdbcCatalog',
    CATALOG_URI: `jdbc:sqlite:${catalogDatabase(dataDir)}`,
    CATALOG_JDBC_SCHEMA__VERSION: 'V1',
    // SQLite takes one writer at a time; one pooled connection queues commits instead of failing as busy.
    CATALOG_CLIENTS: '1',
    CATALOG_WAREHOUSE: pathToFileURL(warehouseDir(dataDir)).href,
    CATALOG_IO__IMPL: 'org.apache.iceberg.hadoop.HadoopFileIO',
  };
}

export const icebergCatalog: ServiceDefinition = {
  name: 'icebergCatalog',
  title: 'Apache Iceberg REST catalog',

  ports: (config) => [config.ports.catalog],

  url: (config) => config.urls.catalog,

  async checkPrerequisites(ctx) {
    const javaHint =
      'Install a Java 17+ runtime: apt-get install -y openjdk-17-jre-headless (or set BANKOPS_JAVA).';
    const version = await requireCommand(ctx.config.bins.java, 'Java', javaHint, ['-version']);
    const major = javaMajor(version);
    if (major === undefined || major < MIN_JAVA) {
      throw new BankopsError(
        'PREREQUISITE_MISSING',
        `the Iceberg catalog needs Java ${MIN_JAVA} or newer; \`${ctx.config.bins.java}\` is ${major ?? 'of unknown version'}`,
        { hint: javaHint },
      );
    }
    await requireCommand(
      ctx.config.bins.mvn,
      'Maven',
      'Install Maven: apt-get install -y maven (or set BANKOPS_MVN).',
    );
    await requireCommand(
      ctx.config.bins.python,
      'pip (for the DuckDB extensions)',
      'Install Python 3 with pip: apt-get install -y python3-pip (or set BANKOPS_PYTHON).',
      ['-m', 'pip', '--version'],
    );
  },

  async provision(ctx) {
    await provisionJars(ctx);
    // DuckDB is the catalog's only client in bankops, so its extensions are provisioned with it.
    await provisionDuckdbExtensions(ctx);
  },

  async prepare(ctx) {
    await mkdir(warehouseDir(ctx.dataDir), { recursive: true });
  },

  async launch(ctx) {
    return {
      command: ctx.config.bins.java,
      args: [
        '-Xms64m',
        '-Xmx384m',
        // A small, mostly idle heap: the serial collector keeps the resident size lowest.
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
        '-cp',
        `${libDir(ctx)}/*`,
        SERVER_CLASS,
      ],
      env: catalogEnvironment(ctx.config, ctx.dataDir),
      cwd: ctx.dataDir,
    };
  },

  async ready(ctx) {
    // The local process (not BANKOPS_CATALOG_URL, which may name another catalog).
    return httpReady(
      `http://${ctx.config.host}:${ctx.config.ports.catalog}/v1/config`,
      (status) => status === 200,
    );
  },
};
