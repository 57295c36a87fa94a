import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { getConfig } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import { BANK_FULL_FILE, BANK_FULL_SHA256, countDataRows, sha256, writeFileAtomic } from './files.js';

const gunzipAsync = promisify(gunzip);

export interface DatasetFile {
  path: string;
  sha256: string;
  /** Data rows, header not counted. */
  rows: number;
}

/** Where the package ships its copy: `<repo>/data/bank-full.csv.gz`. */
export function bundledArchivePath(repoRoot: string = getConfig().repoRoot): string {
  return path.join(repoRoot, 'data', `${BANK_FULL_FILE}.gz`);
}

/** The bundled `bank-full.csv`, uncompressed and verified against its published sha256. */
export async function readBundledDataset(archive: string = bundledArchivePath()): Promise<Buffer> {
  let compressed: Buffer;
  try {
    compressed = await readFile(archive);
  } catch (error) {
    throw new BankopsError('NOT_FOUND', `bundled data set not found: ${archive}`, {
      hint: 'Reinstall bankops, or run `bankops data download` on a machine that can reach the UCI site.',
      cause: error,
    });
  }
  let csv: Buffer;
  try {
    csv = await gunzipAsync(compressed);
  } catch (error) {
    throw new BankopsError('ARCHIVE_INVALID', `bundled data set ${archive} is not a valid gzip file`, {
      hint: 'The file is damaged; restore it from the repository (git checkout data/).',
      cause: error,
    });
  }
  const digest = sha256(csv);
  if (digest !== BANK_FULL_SHA256) {
    throw new BankopsError(
      'CHECKSUM_MISMATCH',
      `bundled ${BANK_FULL_FILE} has sha256 ${digest}, expected ${BANK_FULL_SHA256}`,
      {
        hint: 'The file was modified; restore it from the repository (git checkout data/).',
      },
    );
  }
  return csv;
}

/** Writes the verified bundled `bank-full.csv` to `outFile` (atomically). */
export async function writeBundledDataset(outFile: string, archive?: string): Promise<DatasetFile> {
  const csv = await readBundledDataset(archive);
  await writeFileAtomic(outFile, csv);
  return { path: outFile, sha256: BANK_FULL_SHA256, rows: countDataRows(csv) };
}
