import type { DuckDBAppender } from '@duckdb/node-api';
import { BankopsError, errorMessage, isBankopsError } from '../../src/errors/index.js';
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
 * INSERT, so one Iceberg snapshot; it skips every row whose (topic, partition, offset) the table already
 * holds, so a redelivered message is never written twice, and it checks afterwards that every row is there.
 */
export class IcebergSink {
  private readonly ensured = new Set<string>();
  private current: Lake | undefined;

  /** `open` gives a fresh DuckDB session with the catalog attached; the sink reopens after any failure. */
  constructor(private readonly open: () => Promise<Lake>) {}

  private async lake(): Promise<Lake> {
    this.current ??= await this.open();
    return this.current;
  }

  /**
   * Runs `work` on the session; any failure (a commit conflict, the catalog away, a broken session)
   * closes the session so that the next attempt starts clean, and is reported as a retriable LAKE_FAILED.
   */
  private async guarded<T>(work: (lake: Lake) => Promise<T>): Promise<T> {
    try {
      return await work(await this.lake());
    } catch (error) {
      this.current?.close();
      this.current = undefined;
      if (isBankopsError(error) && error.code !== 'LAKE_FAILED') throw error;
      throw new BankopsError('LAKE_FAILED', errorMessage(error), { cause: error, retriable: true });
    }
  }

  close(): void {
    this.current?.close();
    this.current = undefined;
  }

  async ensureTable(spec: TableSpec): Promise<void> {
    const name = target(spec);
    if (this.ensured.has(name)) return;
    await this.guarded(async (lake) => {
      await lake.run(`CREATE SCHEMA IF NOT EXISTS lake.${quoteIdent(spec.namespace)}`);
      const columns = allColumns(spec)
        .map((c) => `${quoteIdent(c.name)} ${SQL_TYPES[c.kind]}`)
        .join(', ');
      await lake.run(`CREATE TABLE IF NOT EXISTS ${name} (${columns})`);
      // A table created by an earlier release lacks the nullable columns added since: add them (an
      // Iceberg schema change, no data rewritten; older snapshots keep their schema).
      const present = new Set(
        (await lake.all<{ column_name: string }>(`DESCRIBE ${name}`)).map((r) => r.column_name),
      );
      for (const column of allColumns(spec).filter((c) => !present.has(c.name))) {
        if (!column.nullable) {
          throw new BankopsError(
            'DATA_INVALID',
            `${spec.namespace}.${spec.table} lacks the required column ${column.name}; only nullable columns are added to an existing table`,
          );
        }
        await lake.run(`ALTER TABLE ${name} ADD COLUMN ${quoteIdent(column.name)} ${SQL_TYPES[column.kind]}`);
      }
    });
    this.ensured.add(name);
  }

  /** The highest offset the table holds per partition of its topic. */
  async watermarks(spec: TableSpec): Promise<Map<number, bigint>> {
    await this.ensureTable(spec);
    const rows = await this.guarded((lake) =>
      lake.all<{ p: number; m: bigint }>(
        `SELECT _partition AS p, max(_offset) AS m FROM ${target(spec)} WHERE _topic = ${quoteLiteral(spec.topic)} GROUP BY 1`,
      ),
    );
    return new Map(rows.map((r) => [Number(r.p), BigInt(r.m)]));
  }

  async append(spec: TableSpec, rows: readonly Row[]): Promise<AppendResult> {
    await this.ensureTable(spec);
    return this.guarded((lake) => this.appendOn(lake, spec, rows));
  }

  private async appendOn(lake: Lake, spec: TableSpec, rows: readonly Row[]): Promise<AppendResult> {
    const columns = allColumns(spec);
    const stage = `stage_${spec.table}`;
    const stagedColumns = columns
      .map((c) => `${quoteIdent(c.name)} ${c.kind === 'timestamp' ? 'BIGINT' : SQL_TYPES[c.kind]}`)
      .join(', ');
    await lake.run(`CREATE OR REPLACE TEMP TABLE ${stage} (${stagedColumns})`);
    const appender = await lake.connection.createAppender(stage, null, 'temp');
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
    const topic = quoteLiteral(spec.topic);
    // Rows whose exact coordinates the table already holds are skipped (a redelivery after a crash, or
    // another writer of the group during a rebalance). The offset range lets Parquet statistics prune.
    const held = `SELECT t._partition, t._offset FROM ${name} t, (SELECT min(_offset) AS lo, max(_offset) AS hi FROM ${stage}) r
       WHERE t._topic = ${topic} AND t._offset BETWEEN r.lo AND r.hi`;
    // Columns by name: a table that gained a column keeps it last, wherever the spec declares it.
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    const [inserted] = await lake.all<{ Count: bigint }>(
      `INSERT INTO ${name} (${names}) SELECT ${select} FROM ${stage} s
       ANTI JOIN (${held}) h ON s._partition = h._partition AND s._offset = h._offset`,
    );
    const written = Number(inserted?.Count ?? 0);
    // Trust, but verify: every staged row must now be in the table. Two writers committing at the same
    // moment have been seen to lose one commit without an error; a shortfall fails this append, and the
    // retry writes exactly the missing rows.
    const [present] = await lake.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM ${stage} s SEMI JOIN (${held}) h ON s._partition = h._partition AND s._offset = h._offset`,
    );
    if (Number(present?.n ?? 0) < rows.length) {
      throw new BankopsError(
        'LAKE_FAILED',
        `the commit to ${spec.namespace}.${spec.table} is missing ${rows.length - Number(present?.n ?? 0)} of ${rows.length} rows`,
        { retriable: true },
      );
    }
    await lake.run(`DROP TABLE ${stage}`);
    return {
      table: `${spec.namespace}.${spec.table}`,
      rows: written,
      skipped: rows.length - written,
      snapshotId: written > 0 ? await this.snapshotOn(lake, spec) : null,
    };
  }

  private async snapshotOn(lake: Lake, spec: TableSpec): Promise<string | null> {
    const [row] = await lake.all<{ id: bigint | null }>(
      `SELECT snapshot_id AS id FROM iceberg_snapshots(${target(spec)}) ORDER BY sequence_number DESC LIMIT 1`,
    );
    return row?.id === undefined || row.id === null ? null : String(row.id);
  }
}
