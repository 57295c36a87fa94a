import type { Config } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import { LAKE_CATALOG, quoteIdent, quoteLiteral, type Lake } from './duckdb.js';

export interface Snapshot {
  snapshotId: string;
  sequenceNumber: number;
  timestamp: Date;
  /** The Iceberg snapshot summary (operation, added-records, ...). */
  summary: Record<string, string>;
}

/** `bank.customers` → `lake."bank"."customers"`; refuses anything else. */
export function tableRef(name: string): string {
  const parts = name.split('.');
  if (parts.length !== 2 || parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) {
    throw new BankopsError('USAGE', `"${name}" is not a table name of the form namespace.table`, {
      hint: 'For example bank.customers',
    });
  }
  return `${LAKE_CATALOG}.${parts.map(quoteIdent).join('.')}`;
}

/** Snapshot summaries from the REST catalog (DuckDB's iceberg_snapshots does not return them), by sequence number. */
async function summaries(config: Config, table: string): Promise<Map<number, Record<string, string>>> {
  const [namespace, name] = table.split('.');
  const url = `${config.urls.catalog}/v1/namespaces/${encodeURIComponent(namespace ?? '')}/tables/${encodeURIComponent(name ?? '')}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) return new Map();
  // Snapshot ids exceed 2^53; they are read from DuckDB, so only sequence numbers and summaries are used here.
  const body = (await response.json()) as {
    metadata?: { snapshots?: Array<{ 'sequence-number'?: number; summary?: Record<string, string> }> };
  };
  return new Map(
    (body.metadata?.snapshots ?? []).map(
      (s) => [Number(s['sequence-number'] ?? 0), s.summary ?? {}] as const,
    ),
  );
}

export async function snapshots(lake: Lake, config: Config, table: string): Promise<Snapshot[]> {
  const rows = await lake.all<{ snapshot_id: bigint; sequence_number: bigint; timestamp_ms: Date }>(
    `SELECT snapshot_id, sequence_number, timestamp_ms FROM iceberg_snapshots(${tableRef(table)}) ORDER BY sequence_number`,
  );
  const bySequence = await summaries(config, table);
  return rows.map((r) => ({
    snapshotId: String(r.snapshot_id),
    sequenceNumber: Number(r.sequence_number),
    timestamp: r.timestamp_ms,
    summary: bySequence.get(Number(r.sequence_number)) ?? {},
  }));
}

/** The batch ids each snapshot added (a scan per snapshot: meant for listings, not hot paths). */
export async function batchIdsBySnapshot(
  lake: Lake,
  table: string,
  list: Snapshot[],
  /** The snapshot before the first of `list` (null: the table's beginning). */
  before: string | null = null,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let previous: string | null = before;
  for (const snapshot of list) {
    const rows = await lake.all<{ batch_id: string | null }>(
      `SELECT DISTINCT batch_id FROM (${rowsAddedSql(table, previous, snapshot.snapshotId)}) ORDER BY 1`,
    );
    out.set(
      snapshot.snapshotId,
      rows.map((r) => r.batch_id).filter((b): b is string => b !== null),
    );
    previous = snapshot.snapshotId;
  }
  return out;
}

/** The current snapshot id straight from DuckDB (no catalog round trip for summaries). */
export async function currentSnapshotId(lake: Lake, table: string): Promise<string | undefined> {
  const [row] = await lake.all<{ id: bigint }>(
    `SELECT snapshot_id AS id FROM iceberg_snapshots(${tableRef(table)}) ORDER BY sequence_number DESC LIMIT 1`,
  );
  return row ? String(row.id) : undefined;
}

export async function currentSnapshot(
  lake: Lake,
  config: Config,
  table: string,
): Promise<Snapshot | undefined> {
  return (await snapshots(lake, config, table)).at(-1);
}

function parseSnapshotId(id: string): string {
  if (!/^-?\d+$/.test(id)) throw new BankopsError('USAGE', `"${id}" is not a snapshot id`);
  return id;
}

/** The table as it was at a snapshot (Iceberg time travel). */
export function atSnapshot(table: string, snapshotId: string): string {
  return `${tableRef(table)} AT (VERSION => ${parseSnapshotId(snapshotId)})`;
}

/**
 * The rows a later snapshot holds that an earlier one did not (what incremental retraining reads).
 * Rows are told apart by their Kafka coordinates, which every bankops table carries.
 */
export function rowsAddedSql(table: string, fromSnapshot: string | null, toSnapshot: string): string {
  const to = atSnapshot(table, toSnapshot);
  if (fromSnapshot === null) return `SELECT * FROM ${to}`;
  return `SELECT t.* FROM (SELECT * FROM ${to}) t ANTI JOIN (SELECT * FROM ${atSnapshot(table, fromSnapshot)}) f
    ON t._topic = f._topic AND t._partition = f._partition AND t._offset = f._offset`;
}

export async function tableExists(lake: Lake, table: string): Promise<boolean> {
  const [namespace, name] = table.split('.');
  const rows = await lake.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = ${quoteLiteral(LAKE_CATALOG)}
       AND schema_name = ${quoteLiteral(namespace ?? '')} AND table_name = ${quoteLiteral(name ?? '')}`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

export async function countRows(lake: Lake, table: string): Promise<number> {
  const [row] = await lake.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${tableRef(table)}`);
  return Number(row?.n ?? 0);
}

export interface DataFileStats {
  /** Data files the current snapshot reads. */
  dataFiles: number;
  /** Their average size in bytes (from each Parquet footer); null for an empty table. */
  averageFileBytes: number | null;
}

/**
 * How many data files the table's current snapshot reads and their average size: the small-file count
 * that table maintenance (compaction) works on. Reads the manifests and every file's Parquet footer.
 */
export async function dataFileStats(lake: Lake, table: string): Promise<DataFileStats> {
  const files = await lake.all<{ path: string }>(
    `SELECT file_path AS path FROM iceberg_metadata(${tableRef(table)})
      WHERE manifest_content = 'DATA' AND status <> 'DELETED'`,
  );
  if (files.length === 0) return { dataFiles: 0, averageFileBytes: null };
  const list = files.map((f) => quoteLiteral(f.path)).join(', ');
  const [row] = await lake.all<{ avg: number | null }>(
    `SELECT avg(file_size_bytes)::DOUBLE AS avg FROM parquet_file_metadata([${list}])`,
  );
  return {
    dataFiles: files.length,
    averageFileBytes: row?.avg === null || row?.avg === undefined ? null : Math.round(row.avg),
  };
}
