import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BANK_FULL_ROWS,
  BANK_FULL_SHA256,
  bundledArchivePath,
  countDataRows,
  readBundledDataset,
  sha256,
  writeBundledDataset,
} from '../../src/data/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bankops-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bundled data set', () => {
  it('verifies and holds 45,211 data rows plus the header', async () => {
    const csv = await readBundledDataset();
    expect(csv.length).toBe(4_610_348);
    expect(sha256(csv)).toBe(BANK_FULL_SHA256);
    expect(countDataRows(csv)).toBe(BANK_FULL_ROWS);
    const lines = csv.toString('utf8').split('\n');
    expect(lines[0]).toBe(
      '"age";"job";"marital";"education";"default";"balance";"housing";"loan";"contact";"day";"month";"duration";"campaign";"pdays";"previous";"poutcome";"y"',
    );
    expect(lines.filter((line) => line.length > 0)).toHaveLength(BANK_FULL_ROWS + 1);
  });

  it('writes the verified csv to a path', async () => {
    const out = path.join(dir, 'nested', 'bank-full.csv');
    const result = await writeBundledDataset(out);
    expect(result).toEqual({ path: out, sha256: BANK_FULL_SHA256, rows: BANK_FULL_ROWS });
    expect(sha256(readFileSync(out))).toBe(BANK_FULL_SHA256);
  });

  it('refuses a modified copy with CHECKSUM_MISMATCH', async () => {
    const csv = Buffer.from(await readBundledDataset());
    csv[100] = csv[100] === 0x31 ? 0x32 : 0x31;
    const tampered = path.join(dir, 'tampered.csv.gz');
    writeFileSync(tampered, gzipSync(csv));
    await expect(readBundledDataset(tampered)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });

  it('reports a missing or damaged archive', async () => {
    await expect(readBundledDataset(path.join(dir, 'absent.gz'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const garbage = path.join(dir, 'garbage.gz');
    writeFileSync(garbage, 'not gzip');
    await expect(readBundledDataset(garbage)).rejects.toMatchObject({ code: 'ARCHIVE_INVALID' });
  });

  it('ships the archive under data/', () => {
    expect(bundledArchivePath()).toMatch(/data\/bank-full\.csv\.gz$/);
  });

  it('counts rows with or without a final newline', () => {
    expect(countDataRows(Buffer.from('h\na\nb\n'))).toBe(2);
    expect(countDataRows(Buffer.from('h\na\nb'))).toBe(2);
    expect(countDataRows(Buffer.from(''))).toBe(0);
  });
});
