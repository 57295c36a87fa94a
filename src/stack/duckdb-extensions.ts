import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import yauzl from 'yauzl';
import type { Config } from '../config/index.js';
import { BankopsError, errorMessage } from '../errors/index.js';
import {
  duckdbBuild,
  duckdbOptDir,
  extensionFile,
  extensionsPresent,
  LAKE_EXTENSIONS,
  offlineExtensionOptions,
} from '../lake/extensions.js';
import type { ServiceContext } from './types.js';
import { exists, runCommand } from './util.js';

/**
 * Provisioning of the DuckDB extensions the lake loads (launcher side): the runtime in src/lake only
 * finds them where this put them.
 */

const requirementsFile = (config: Config) =>
  path.join(config.repoRoot, 'stack', 'duckdb', 'requirements.txt');
const markerFile = (config: Config) => path.join(duckdbOptDir(config), 'extensions.sha256');

/** The single version that requirements.txt pins for every extension wheel. */
export function pinnedVersion(requirements: string): string {
  const versions = new Set(
    [...requirements.matchAll(/^duckdb-extension-[a-z0-9_-]+==([0-9][^\s\\]*)/gm)].map((m) => m[1]),
  );
  const [only, ...others] = [...versions];
  if (!only || others.length > 0) {
    throw new BankopsError(
      'PROVISION_FAILED',
      'stack/duckdb/requirements.txt must pin one version for every extension',
      {
        hint: `Found: ${[...versions].join(', ') || 'none'}`,
      },
    );
  }
  return only;
}

/** Copies one entry of a zip archive (a wheel) to `target`, through a temporary file. */
async function extractEntry(archive: string, entryName: string, target: string): Promise<void> {
  const zip = await yauzl.openPromise(archive, { lazyEntries: true });
  try {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      zip.on('entry', (candidate: yauzl.Entry) => {
        if (candidate.fileName === entryName) resolve(candidate);
        else zip.readEntry();
      });
      zip.once('end', () => resolve(undefined));
      zip.once('error', reject);
      zip.readEntry();
    });
    if (!entry) {
      throw new BankopsError('ARCHIVE_INVALID', `${path.basename(archive)} holds no ${entryName}`, {
        hint: 'The wheel does not carry a build for this DuckDB version; check stack/duckdb/requirements.txt.',
      });
    }
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip.openReadStream(entry, (error, readable) => (error ? reject(error) : resolve(readable))),
    );
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.partial`;
    await pipeline(stream, createWriteStream(partial));
    await rename(partial, target);
  } finally {
    zip.close();
  }
}

/** LOADs each extension in a fresh instance, so a broken or mismatched binary fails provisioning, not a query. */
async function verifyLoadable(config: Config): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', offlineExtensionOptions(config));
  try {
    const connection = await instance.connect();
    try {
      for (const name of LAKE_EXTENSIONS) await connection.run(`LOAD ${name}`);
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    throw new BankopsError('PROVISION_FAILED', `a DuckDB extension does not load: ${errorMessage(error)}`, {
      cause: error,
      hint: `Delete ${duckdbOptDir(config)} and run \`bankops stack up\` again.`,
    });
  } finally {
    instance.closeSync();
  }
}

/**
 * Installs the iceberg, avro and httpfs extensions without DuckDB's own download: pip fetches the pinned
 * wheels from PyPI and the extension binary inside each goes where DuckDB's `extension_directory` lookup
 * expects it. A no-op when the marker records the same requirements, DuckDB build and files.
 */
export async function provisionDuckdbExtensions(ctx: ServiceContext): Promise<void> {
  const { config } = ctx;
  const requirements = await readFile(requirementsFile(config), 'utf8');
  const build = await duckdbBuild(config);
  const wanted = `v${pinnedVersion(requirements)}`;
  if (wanted !== build.version) {
    throw new BankopsError(
      'PROVISION_FAILED',
      `stack/duckdb/requirements.txt pins DuckDB extensions ${wanted}, but @duckdb/node-api runs DuckDB ${build.version}`,
      {
        hint: 'Extension binaries only load into the DuckDB version they were built for: pin the same version.',
      },
    );
  }
  const hash = createHash('sha256')
    .update(requirements)
    .update(`\n${build.version}/${build.platform}`)
    .digest('hex');
  const marker = (await exists(markerFile(config)))
    ? (await readFile(markerFile(config), 'utf8')).trim()
    : '';
  if (marker === hash && (await extensionsPresent(config, build))) return;

  ctx.progress(`downloading DuckDB ${build.version} extensions (${LAKE_EXTENSIONS.join(', ')}) from PyPI`);
  const wheels = path.join(duckdbOptDir(config), 'wheels');
  await rm(wheels, { recursive: true, force: true });
  await runCommand(
    config.bins.python,
    [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--disable-pip-version-check',
      '-r',
      requirementsFile(config),
      '-d',
      wheels,
    ],
    { logFile: ctx.logFile, what: 'DuckDB extension download (pip)' },
  );
  const files = await readdir(wheels);
  for (const name of LAKE_EXTENSIONS) {
    const wheel = files.find((file) => file.startsWith(`duckdb_extension_${name}-`) && file.endsWith('.whl'));
    if (!wheel) {
      throw new BankopsError('PROVISION_FAILED', `pip downloaded no wheel for the DuckDB ${name} extension`, {
        hint: `See ${ctx.logFile}; is there a duckdb-extension-${name} wheel for ${build.platform}?`,
      });
    }
    const entry = `duckdb_extension_${name}/extensions/${build.version}/${name}.duckdb_extension`;
    await extractEntry(path.join(wheels, wheel), entry, extensionFile(config, build, name));
  }
  await rm(wheels, { recursive: true, force: true });
  await verifyLoadable(config);
  await writeFile(markerFile(config), `${hash}\n`);
}
