import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Config } from '../config/index.js';
import { BankopsError, errorMessage } from '../errors/index.js';
import { duckdbBuild, extensionsPresent, LAKE_EXTENSIONS, offlineExtensionOptions } from './extensions.js';

/** The name under which the Iceberg REST catalog is attached: tables are `lake.<namespace>.<table>`. */
export const LAKE_CATALOG = 'lake';

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

/** One DuckDB instance with one connection. Call `close()` in a `finally`, or use `withLake`. */
export interface DuckdbSession {
  readonly connection: DuckDBConnection;
  /** Runs statements for their effect. */
  run(sql: string, params?: SqlParams): Promise<void>;
  /**
   * Runs a query and returns its rows as plain objects (BIGINT as bigint, timestamps as Date). `T` states
   * the row shape the caller selected; it is not checked.
   */
  all<T extends object = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]>;
  close(): void;
}

/** A session with the Iceberg REST catalog attached as `lake`. */
export interface Lake extends DuckdbSession {
  readonly catalog: typeof LAKE_CATALOG;
}

export interface DuckdbOptions {
  /** DuckDB's memory_limit, for example '1GB'; DuckDB's default (80% of RAM) when omitted. */
  memoryLimit?: string;
  threads?: number;
}

/** Quotes an identifier (namespace, table, column) for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for SQL, for the places (ATTACH, table functions) that take no parameters. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

function session(instance: DuckDBInstance, connection: DuckDBConnection): DuckdbSession {
  let closed = false;
  const fail = (sql: string, error: unknown) =>
    new BankopsError('LAKE_FAILED', `DuckDB: ${errorMessage(error)}`, {
      cause: error,
      details: { sql: shorten(sql) },
    });
  return {
    connection,
    async run(sql, params) {
      try {
        await connection.run(sql, params);
      } catch (error) {
        throw fail(sql, error);
      }
    },
    async all<T extends object>(sql: string, params?: SqlParams): Promise<T[]> {
      try {
        const reader = await connection.runAndReadAll(sql, params);
        return reader.getRowObjectsJS() as unknown as T[];
      } catch (error) {
        throw fail(sql, error);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * An in-memory DuckDB with the iceberg, avro and httpfs extensions loaded from our extension folder and
 * every automatic extension download switched off. Reads Iceberg tables by metadata file
 * (`iceberg_scan`) without a catalog.
 */
export async function openDuckdb(config: Config, options: DuckdbOptions = {}): Promise<DuckdbSession> {
  const build = await duckdbBuild(config);
  if (!(await extensionsPresent(config, build))) {
    throw new BankopsError(
      'PREREQUISITE_MISSING',
      `the DuckDB ${build.version} extensions are not installed`,
      {
        hint: 'Run `bankops stack up` (the Iceberg catalog provisions them from PyPI).',
      },
    );
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(':memory:', {
      ...offlineExtensionOptions(config),
      ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
      ...(options.threads ? { threads: String(options.threads) } : {}),
    });
  } catch (error) {
    throw new BankopsError('LAKE_FAILED', `cannot open DuckDB: ${errorMessage(error)}`, { cause: error });
  }
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const opened = session(instance, connection);
    // TimeZone belongs to the built-in ICU extension, so it is set after start rather than as an option:
    // timestamps then print and convert the same way on every machine.
    await opened.run(`${LAKE_EXTENSIONS.map((name) => `LOAD ${name};`).join(' ')} SET TimeZone = 'UTC';`);
    return opened;
  } catch (error) {
    connection?.closeSync();
    instance.closeSync();
    throw error;
  }
}

/** The ATTACH statement for the REST catalog at `config.urls.catalog` (no auth: a local catalog). */
export function attachStatement(config: Config): string {
  return (
    `ATTACH ${quoteLiteral(config.lake.warehouse)} AS ${LAKE_CATALOG} (TYPE iceberg, ` +
    `ENDPOINT ${quoteLiteral(config.urls.catalog)}, AUTHORIZATION_TYPE 'none', ACCESS_DELEGATION_MODE 'none')`
  );
}

/** `openDuckdb` plus the Iceberg REST catalog attached as `lake`. */
export async function openLake(config: Config, options: DuckdbOptions = {}): Promise<Lake> {
  const opened = await openDuckdb(config, options);
  try {
    await opened.connection.run(attachStatement(config));
  } catch (error) {
    opened.close();
    throw new BankopsError(
      'SERVICE_UNAVAILABLE',
      `cannot attach the Iceberg REST catalog at ${config.urls.catalog}: ${errorMessage(error)}`,
      {
        cause: error,
        hint: 'Start it with `bankops stack up --only icebergCatalog`, or set BANKOPS_CATALOG_URL.',
      },
    );
  }
  return { ...opened, catalog: LAKE_CATALOG };
}

/** Opens the lake, runs `work`, and closes the lake whatever happens. */
export async function withLake<T>(
  config: Config,
  work: (lake: Lake) => Promise<T>,
  options?: DuckdbOptions,
): Promise<T> {
  const lake = await openLake(config, options);
  try {
    return await work(lake);
  } finally {
    lake.close();
  }
}
