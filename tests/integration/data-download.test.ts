import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BANK_FULL_ROWS,
  BANK_FULL_SHA256,
  downloadDataset,
  readBundledDataset,
  sha256,
} from '../../src/data/index.js';
import type { DownloadProgress } from '../../src/data/index.js';

/** A zip built in memory with yazl, the way the UCI archives are laid out. */
function zip(entries: Array<[string, Buffer]>): Promise<Buffer> {
  const file = new yazl.ZipFile();
  for (const [name, data] of entries) file.addBuffer(data, name);
  file.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    file.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    file.outputStream.on('error', reject);
  });
}

const routes = new Map<string, Buffer>();
const dir = mkdtempSync(path.join(os.tmpdir(), 'bankops-download-'));
let server: http.Server;
let base: string;

beforeAll(async () => {
  const csv = await readBundledDataset();
  const small = csv.subarray(0, csv.indexOf(0x0a, 5000) + 1);
  const names = Buffer.from('Input variables: ...\n');
  const bankZip = await zip([
    ['bank-full.csv', csv],
    ['bank-names.txt', names],
    ['bank.csv', small],
  ]);
  const additional = await zip([['bank-additional/bank-additional-full.csv', small]]);
  const nested = await zip([
    ['bank-additional.zip', additional],
    ['bank.zip', bankZip],
  ]);
  const altered = Buffer.from(csv);
  altered[2000] = altered[2000] === 0x30 ? 0x31 : 0x30;
  routes.set('/nested.zip', nested);
  routes.set('/bank.zip', bankZip);
  routes.set('/legacy-folder.zip', await zip([['bank/bank-full.csv', csv]]));
  routes.set('/truncated.zip', nested.subarray(0, Math.floor(nested.length / 2)));
  routes.set('/garbage.zip', Buffer.from(randomUUID().repeat(1000)));
  routes.set('/nested-damaged.zip', await zip([['bank.zip', bankZip.subarray(0, 4000)]]));
  routes.set('/other.zip', await zip([['readme.txt', names]]));
  routes.set('/additional-only.zip', await zip([['bank-additional.zip', additional]]));
  routes.set('/altered.zip', await zip([['bank-full.csv', altered]]));
  server = http.createServer((request, response) => {
    const body = routes.get(request.url ?? '');
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const outFile = () => path.join(dir, randomUUID(), 'bank-full.csv');

describe('downloadDataset', () => {
  it.each([
    ['nested bank+marketing.zip → bank.zip → bank-full.csv', '/nested.zip'],
    ['legacy bank.zip', '/bank.zip'],
    ['legacy bank.zip with a folder prefix', '/legacy-folder.zip'],
  ])('extracts and verifies the %s layout', async (_layout, route) => {
    const out = outFile();
    const progress: DownloadProgress[] = [];
    const result = await downloadDataset({
      url: base + route,
      outFile: out,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({ source: 'download', path: out, sha256: BANK_FULL_SHA256, rows: BANK_FULL_ROWS });
    expect(sha256(readFileSync(out))).toBe(BANK_FULL_SHA256);
    const size = routes.get(route)?.length;
    expect(progress.at(-1)).toEqual({ received: size, total: size });
    // Atomic write: no temp file is left beside the result.
    expect(readdir(path.dirname(out))).toEqual(['bank-full.csv']);
  });

  it.each(['/truncated.zip', '/garbage.zip', '/nested-damaged.zip', '/other.zip'])(
    '%s → ARCHIVE_INVALID, nothing written',
    async (route) => {
      const out = outFile();
      await expect(downloadDataset({ url: base + route, outFile: out })).rejects.toMatchObject({
        code: 'ARCHIVE_INVALID',
      });
      expect(existsSync(out)).toBe(false);
    },
  );

  it('a csv with one byte changed → CHECKSUM_MISMATCH, no silent fallback', async () => {
    const out = outFile();
    await expect(downloadDataset({ url: `${base}/altered.zip`, outFile: out })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    });
    expect(existsSync(out)).toBe(false);
  });

  it('an archive with only the bank-additional layout → ARCHIVE_INVALID naming that layout', async () => {
    const out = outFile();
    await expect(downloadDataset({ url: `${base}/additional-only.zip`, outFile: out })).rejects.toMatchObject(
      {
        code: 'ARCHIVE_INVALID',
        message: expect.stringMatching(/bank-additional-full\.csv: UCI's "bank-additional" layout/),
      },
    );
    expect(existsSync(out)).toBe(false);
  });

  it('HTTP 404 → DOWNLOAD_FAILED', async () => {
    const out = outFile();
    await expect(downloadDataset({ url: `${base}/missing.zip`, outFile: out })).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringMatching(/404/),
    });
    expect(existsSync(out)).toBe(false);
  });

  it('an unreachable server → the bundled copy, with the reason', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const out = outFile();
    const result = await downloadDataset({ url: `http://127.0.0.1:${port}/bank.zip`, outFile: out });
    expect(result).toMatchObject({
      source: 'bundled',
      path: out,
      sha256: BANK_FULL_SHA256,
      rows: BANK_FULL_ROWS,
    });
    expect(result.reason).toMatch(/unreachable.*ECONNREFUSED/);
    expect(sha256(readFileSync(out))).toBe(BANK_FULL_SHA256);
  });

  it('a server that never answers → the bundled copy after the timeout', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const result = await downloadDataset({
        url: `http://127.0.0.1:${port}/x.zip`,
        outFile: outFile(),
        timeoutMs: 300,
      });
      expect(result.source).toBe('bundled');
      expect(result.reason).toMatch(/ETIMEDOUT/);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('an invalid URL → USAGE', async () => {
    await expect(downloadDataset({ url: 'ftp://example/x.zip', outFile: outFile() })).rejects.toMatchObject({
      code: 'USAGE',
    });
  });
});

function readdir(folder: string): string[] {
  return readdirSync(folder).sort();
}
