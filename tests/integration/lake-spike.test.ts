/**
 * The lake spike: DuckDB (iceberg extension, installed offline from PyPI wheels) writes Iceberg tables
 * through the local Apache Iceberg REST catalog onto the local file system, and two independent readers
 * see the same rows: a second process with its own DuckDB and catalog attachment, and DuckDB's
 * `iceberg_scan` on the table's metadata file with no catalog at all.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config/index.js';
import { openDuckdb, openLake, quoteIdent, quoteLiteral, type Lake } from '../../src/lake/duckdb.js';
import { fromJson, toJson } from './helpers/lake-rows.js';

const config = getConfig();
const run = promisify(execFile);
const namespace = `spike_${randomUUID().replaceAll('-', '')}`;
const table = 'contacts';
const qualified = `lake.${quoteIdent(namespace)}.${quoteIdent(table)}`;

interface Row {
  id: number;
  name: string | null;
  subscribed: boolean | null;
  contacted_at: string | null;
}

const firstBatch: Row[] = [
  { id: 1, name: 'admin.', subscribed: true, contacted_at: '2024-01-01T10:00:00.000Z' },
  {
    id: 2,
    name: "blue-collar 'quoted' — ünïcode",
    subscribed: false,
    contacted_at: '2024-06-01T10:30:00.123Z',
  },
  { id: -2147483648, name: null, subscribed: null, contacted_at: null },
];
const secondBatch: Row[] = [
  { id: 2147483647, name: 'retired', subscribed: true, contacted_at: '2025-02-28T23:59:59.999Z' },
];

/** One INSERT (so one Iceberg snapshot) for a batch, every value bound as a parameter. */
async function insert(lake: Lake, rows: Row[]): Promise<void> {
  const tuples = rows.map(
    (_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}::TIMESTAMPTZ)`,
  );
  const params = rows.flatMap((r) => [r.id, r.name, r.subscribed, r.contacted_at]);
  await lake.run(`INSERT INTO ${qualified} VALUES ${tuples.join(', ')}`, params);
}

const byId = (rows: Row[]) => [...rows].sort((a, b) => a.id - b.id);
/** Rows as they look after a trip through JSON (timestamps as ISO text). */
const normalise = (rows: unknown): Row[] => fromJson(toJson(rows)) as Row[];

/** A second Node process, with its own DuckDB and its own attachment of the catalog. */
async function readInAnotherProcess(): Promise<Row[]> {
  const helper = path.join(config.repoRoot, 'tests', 'integration', 'helpers', 'lake-reader.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', helper, namespace, table], {
    cwd: config.repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  return fromJson(stdout) as Row[];
}

/** The table's current metadata file, as the catalog records it (REST: load table). */
async function currentMetadataFile(): Promise<string> {
  const url = `${config.urls.catalog}/v1/namespaces/${encodeURIComponent(namespace)}/tables/${encodeURIComponent(table)}`;
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { 'metadata-location': string };
  const location = body['metadata-location'];
  expect(location).toMatch(/^file:/);
  return fileURLToPath(location);
}

/** Reads a metadata file with DuckDB alone: no catalog is attached. */
async function scanWithoutCatalog(metadataFile: string): Promise<{ rows: Row[]; snapshots: number }> {
  const duck = await openDuckdb(config);
  try {
    const file = quoteLiteral(metadataFile);
    const rows = await duck.all(`SELECT * FROM iceberg_scan(${file}) ORDER BY id`);
    const [count] = await duck.all<{ n: bigint }>(`SELECT count(*) AS n FROM iceberg_snapshots(${file})`);
    return { rows: normalise(rows), snapshots: Number(count?.n) };
  } finally {
    duck.close();
  }
}

describe('lake spike: DuckDB writes Iceberg through the local REST catalog', () => {
  let lake: Lake;

  beforeAll(async () => {
    lake = await openLake(config);
    await lake.run(`CREATE SCHEMA lake.${quoteIdent(namespace)}`);
    await lake.run(
      `CREATE TABLE ${qualified} (id INTEGER, name VARCHAR, subscribed BOOLEAN, contacted_at TIMESTAMPTZ)`,
    );
  });

  afterAll(async () => {
    if (!lake) return;
    try {
      await lake.run(`DROP TABLE IF EXISTS ${qualified}`);
      await lake.run(`DROP SCHEMA IF EXISTS lake.${quoteIdent(namespace)}`);
    } finally {
      lake.close();
    }
  });

  let firstMetadata = '';

  it('inserts rows and reads them back in the writing process', async () => {
    await insert(lake, firstBatch);
    const rows = normalise(await lake.all(`SELECT * FROM ${qualified} ORDER BY id`));
    expect(rows).toEqual(byId(firstBatch));
    const snapshots = await lake.all<{ sequence_number: bigint; operation: string }>(
      `SELECT sequence_number, operation FROM iceberg_snapshots(${qualified})`,
    );
    expect(snapshots).toEqual([{ sequence_number: 1n, operation: 'append' }]);
  });

  it('a second process reads the same rows through its own catalog attachment', async () => {
    expect(await readInAnotherProcess()).toEqual(byId(firstBatch));
  });

  it('iceberg_scan on the current metadata file reads the same rows without a catalog', async () => {
    firstMetadata = await currentMetadataFile();
    expect(existsSync(firstMetadata)).toBe(true);
    const scanned = await scanWithoutCatalog(firstMetadata);
    expect(scanned.rows).toEqual(byId(firstBatch));
    expect(scanned.snapshots).toBe(1);
  });

  it('a second INSERT adds a second snapshot that every reader sees', async () => {
    await insert(lake, secondBatch);
    const all = byId([...firstBatch, ...secondBatch]);

    const snapshots = await lake.all<{ snapshot_id: bigint; sequence_number: bigint }>(
      `SELECT snapshot_id, sequence_number FROM iceberg_snapshots(${qualified}) ORDER BY sequence_number`,
    );
    expect(snapshots.map((s) => s.sequence_number)).toEqual([1n, 2n]);
    expect(snapshots[0]?.snapshot_id).not.toBe(snapshots[1]?.snapshot_id);

    expect(normalise(await lake.all(`SELECT * FROM ${qualified} ORDER BY id`))).toEqual(all);
    expect(await readInAnotherProcess()).toEqual(all);

    const latest = await currentMetadataFile();
    expect(latest).not.toBe(firstMetadata);
    const scanned = await scanWithoutCatalog(latest);
    expect(scanned.rows).toEqual(all);
    expect(scanned.snapshots).toBe(2);

    // The earlier metadata file still describes the table as of the first snapshot.
    expect((await scanWithoutCatalog(firstMetadata)).rows).toEqual(byId(firstBatch));
  });
});
