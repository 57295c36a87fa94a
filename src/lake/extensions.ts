import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Config } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import { exists } from '../util/fs.js';

/** The DuckDB extensions bankops loads, each from the PyPI wheel `duckdb-extension-<name>`. */
export const LAKE_EXTENSIONS = ['iceberg', 'avro', 'httpfs'] as const;
export type LakeExtension = (typeof LAKE_EXTENSIONS)[number];

/** The build of the DuckDB library linked into @duckdb/node-api; extension binaries must match it. */
export interface DuckdbBuild {
  /** As DuckDB names it in paths, with the leading "v" (for example "v1.5.5"). */
  version: string;
  /** DuckDB's platform name (for example "linux_amd64"). */
  platform: string;
}

export const duckdbOptDir = (config: Config): string => path.join(config.home, 'opt', 'duckdb');

/** The folder DuckDB's `extension_directory` points at: `<dir>/<version>/<platform>/<name>.duckdb_extension`. */
export function extensionDirectory(config: Config): string {
  return path.join(duckdbOptDir(config), 'extensions');
}

export function extensionFile(config: Config, build: DuckdbBuild, name: LakeExtension): string {
  return path.join(extensionDirectory(config), build.version, build.platform, `${name}.duckdb_extension`);
}

/** Settings that keep DuckDB from ever downloading an extension: everything it loads comes from our folder. */
export function offlineExtensionOptions(config: Config): Record<string, string> {
  return {
    extension_directory: extensionDirectory(config),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
  };
}

let cachedBuild: DuckdbBuild | undefined;

/** Asks the linked DuckDB library for its version and platform (an in-memory instance, no extensions). */
export async function duckdbBuild(config: Config): Promise<DuckdbBuild> {
  if (cachedBuild) return cachedBuild;
  const instance = await DuckDBInstance.create(':memory:', offlineExtensionOptions(config));
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        'SELECT (SELECT library_version FROM pragma_version()) AS version, (SELECT platform FROM pragma_platform()) AS platform',
      );
      const row = reader.getRowObjectsJS()[0];
      const version = row?.['version'];
      const platform = row?.['platform'];
      if (typeof version !== 'string' || typeof platform !== 'string') {
        throw new BankopsError('INTERNAL', 'DuckDB did not report its version and platform');
      }
      cachedBuild = { version, platform };
      return cachedBuild;
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** True when every extension file is where DuckDB will look for it. */
export async function extensionsPresent(config: Config, build: DuckdbBuild): Promise<boolean> {
  for (const name of LAKE_EXTENSIONS) {
    if (!(await exists(extensionFile(config, build, name)))) return false;
  }
  return true;
}
