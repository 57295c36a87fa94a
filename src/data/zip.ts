import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { BankopsError } from '../errors/index.js';
import { BANK_FULL_FILE } from './files.js';

/** Larger entries are refused: the real csv is 4.6 MB and bank.zip about 0.6 MB (zip-bomb guard). */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;
/** bank+marketing.zip → bank.zip → bank-full.csv: two levels; one more is tolerated. */
const MAX_DEPTH = 3;
/** The csv files of UCI's other layout (bank-additional.zip), named when they are all an archive holds. */
const ADDITIONAL_CSV = /^bank-additional(-full)?\.csv$/;

function invalid(message: string, cause?: unknown): BankopsError {
  return new BankopsError('ARCHIVE_INVALID', message, {
    hint: 'The download is not the UCI Bank Marketing archive; check --url (or BANKOPS_DATA_URL) and retry.',
    cause,
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
    throw invalid(`${entry.fileName} is ${entry.uncompressedSize} bytes uncompressed, more than expected`);
  }
  if (entry.isEncrypted() || !entry.canDecodeFileData()) {
    throw invalid(`${entry.fileName} is encrypted or uses an unsupported compression method`);
  }
  return readAll(await zip.openReadStreamPromise(entry));
}

/** Whether a zip entry is a real file of that name (not a folder or a macOS "._" resource fork). */
function named(entry: Entry, name: string): boolean {
  return (
    !entry.fileName.endsWith('/') &&
    !entry.fileName.startsWith('__MACOSX/') &&
    path.posix.basename(entry.fileName) === name
  );
}

/**
 * Finds `bank-full.csv` in a zip held in memory: directly (legacy `bank.zip`, possibly under a folder)
 * or inside a nested zip (current `bank+marketing.zip` holding `bank.zip`). Nothing touches the disk.
 */
export async function extractBankFull(archive: Buffer, depth = 0): Promise<Buffer> {
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(archive, { lazyEntries: true, validateEntrySizes: true });
  } catch (error) {
    throw invalid(`not a zip archive (${error instanceof Error ? error.message : String(error)})`, error);
  }
  let additional: string | undefined;
  try {
    const nested: Buffer[] = [];
    for await (const entry of zip.eachEntry()) {
      if (named(entry, BANK_FULL_FILE)) return await readEntry(zip, entry);
      const base = path.posix.basename(entry.fileName);
      if (ADDITIONAL_CSV.test(base) && named(entry, base)) additional ??= entry.fileName;
      if (depth + 1 < MAX_DEPTH && base.endsWith('.zip') && named(entry, base)) {
        // bank.zip holds bank-full.csv; bank-additional.zip does not, so look there last.
        const inner = await readEntry(zip, entry);
        if (base === 'bank.zip') nested.unshift(inner);
        else nested.push(inner);
      }
    }
    let innerError: BankopsError | undefined;
    for (const inner of nested) {
      try {
        return await extractBankFull(inner, depth + 1);
      } catch (error) {
        if (!(error instanceof BankopsError && error.code === 'ARCHIVE_INVALID')) throw error;
        innerError ??= error;
      }
    }
    // A damaged bank.zip says more than "not found".
    if (innerError !== undefined) throw innerError;
  } catch (error) {
    if (error instanceof BankopsError) throw error;
    throw invalid(`damaged zip archive (${error instanceof Error ? error.message : String(error)})`, error);
  } finally {
    zip.close();
  }
  if (additional !== undefined) {
    throw invalid(
      `no ${BANK_FULL_FILE} inside the archive, only ${additional}: UCI's "bank-additional" layout ` +
        `(21 columns, with the economic indicators), not the "bank" layout bankops reads`,
    );
  }
  throw invalid(`no ${BANK_FULL_FILE} inside the archive`);
}
