import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** sha256 of the uncompressed UCI `bank-full.csv` (4,610,348 bytes). */
export const BANK_FULL_SHA256 = 'd1513ec63b385506f7cfce9f2c5caa9fe99e7ba4e8c3fa264b3aaf0f849ed32d';
export const BANK_FULL_FILE = 'bank-full.csv';
/** Data rows (the header line not counted). */
export const BANK_FULL_ROWS = 45_211;

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lines of a CSV minus the header line; a missing final newline still counts the last line. */
export function countDataRows(csv: Uint8Array): number {
  let lines = 0;
  for (let i = csv.indexOf(0x0a); i !== -1; i = csv.indexOf(0x0a, i + 1)) lines += 1;
  if (csv.length > 0 && csv[csv.length - 1] !== 0x0a) lines += 1;
  return Math.max(0, lines - 1);
}

/**
 * Writes `data` to a temporary file next to `file` and renames it into place, so a reader never sees
 * a half-written file and an interrupted write leaves the old file intact.
 */
export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temp, data, { flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
