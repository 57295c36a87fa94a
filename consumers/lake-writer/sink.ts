import type { DuckDBAppender } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral, type Lake } from '../../src/lake/duckdb.js';
import type { Row } from './route.js';
import { LINEAGE_COLUMNS, SQL_TYPES, type ColumnSpec, type TableSpec } from './tables.js';

export interface AppendResult {
  table: string;
  /** Rows written; rows the table already held (same topic, partition and offset) are skipped. */
  rows: number;
  skipped: number;
  snapshotId: string | null;
}

function allColumns(spec: TableSpec): ColumnSpec[] {
  return [...spec.columns, ...LINEAGE_COLUMNS];
}

export function target(spec: TableSpec): string {
  return `lake.${quoteIdent(spec.namespace)}.${quoteIdent(spec.table)}`;
}

function appendCell(appender: DuckDBAppender, column: ColumnSpec, value: unknown): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  switch (column.kind) {
    case 'string':
      appender.appendVarchar(String(value));
      return;
    case 'int':
      appender.appendInteger(Number(value));
      return;
    case 'long':
      appender.appendBigInt(BigInt(value as bigint | number | string));
      return;
    case 'double':
      appender.appendDouble(Number(value));
      return;
    case 'boolean':
      appender.appendBoolean(Boolean(value));
      return;
    case 'timestamp':
      // staged as epoch milliseconds, turned into TIMESTAMPTZ by the INSERT
      appender.appendBigInt(BigInt(Math.trunc(Number(value))));
      return;
  }
}

/**
 * Appends micro-batches to Iceberg tables through DuckDB and the REST catalog. Each append is one
 * INSERT, so one Iceberg snapshot, and it skips every row whose (topic, partition, offset) the table
 * already holds: a redelivered message (after a crash before the Kafka commit) is never written twice.
 */
export class IcebergSink {
  private readonly ensured = new Set<string>();

  constructor(private readonly lake: Lake) {}

  async ensureTable(spec: TableSpec): Promise<void> {
    const name = target(spec);
    if (this.ensured.has(name)) return;
    await this.lake.run(`CREATE SCHEMA IF NOT EXISTS lake.${quoteIdent(spec.namespace)}`);
    const columns = allColumns(spec)
      .map((c) => `${quoteIdent(c.name)} ${SQL_TYPES[c.kind]}`)
      .join(', ');
    await this.lake.run(`CREATE TABLE IF NOT EXISTS ${name} (${columns})`);
    this.ensured.add(name);
  }

  /** The highest offset the table holds per partition of its topic. */
  async watermarks(spec: TableSpec): Promise<Map<number, bigint>> {
    await this.ensureTable(spec);
    const rows = await this.lake.all<{ p: number; m: bigint }>(
      `SELECT _partition AS p, max(_offset) AS m FROM ${target(spec)} WHERE _topic = ${quoteLiteral(spec.topic)} GROUP BY 1`,
    );
    return new Map(rows.map((r) => [Number(r.p), BigInt(r.m)]));
  }

  async append(spec: TableSpec, rows: readonly Row[]): Promise<AppendResult> {
    await this.ensureTable(spec);
    const columns = allColumns(spec);
    const stage = `stage_${spec.table}`;
    const stagedColumns = columns
      .map((c) => `${quoteIdent(c.name)} ${c.kind === 'timestamp' ? 'BIGINT' : SQL_TYPES[c.kind]}`)
      .join(', ');
    await this.lake.run(`CREATE OR REPLACE TEMP TABLE ${stage} (${stagedColumns})`);
    const appender = await this.lake.connection.createAppender(stage, null, 'temp');
    try {
      for (const row of rows) {
        for (const column of columns) appendCell(appender, column, row[column.name]);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const select = columns
      .map((c) =>
        c.kind === 'timestamp'
          ? `epoch_ms(s.${quoteIdent(c.name)})::TIMESTAMPTZ AS ${quoteIdent(c.name)}`
          : `s.${quoteIdent(c.name)}`,
      )
      .join(', ');
    const name = target(spec);
    const [inserted] = await this.lake.all<{ Count: bigint }>(
      `INSERT INTO ${name} SELECT ${select} FROM ${stage} s
       LEFT JOIN (SELECT _partition AS p, max(_offset) AS m FROM ${name} WHERE _topic = ${quoteLiteral(spec.topic)} GROUP BY 1) w
         ON s._partition = w.p
       WHERE w.m IS NULL OR s._offset > w.m`,
    );
    await this.lake.run(`DROP TABLE ${stage}`);
    const written = Number(inserted?.Count ?? 0);
    return {
      table: `${spec.namespace}.${spec.table}`,
      rows: written,
      skipped: rows.length - written,
      snapshotId: written > 0 ? await this.currentSnapshot(spec) : null,
    };
  }

  async currentSnapshot(spec: TableSpec): Promise<string | null> {
    const [row] = await this.lake.all<{ id: bigint | null }>(
      `SELECT snapshot_id AS id FROM iceberg_snapshots(${target(spec)}) ORDER BY sequence_number DESC LIMIT 1`,
    );
    return row?.id === undefined || row.id === null ? null : String(row.id);
  }
}
