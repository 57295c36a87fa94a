import type { DuckDBAppender } from '@duckdb/node-api';
import { BankopsError, errorMessage, isBankopsError } from '../errors/index.js';
import { quoteIdent, quoteLiteral, type Lake } from './duckdb.js';
import {
  allColumns,
  isTopicTable,
  SQL_TYPES,
  type ColumnSpec,
  type LakeTableSpec,
  type TableSpec,
} from './tables.js';

/** A row by column name; timestamps as epoch milliseconds. */
export type LakeRow = Record<string, unknown>;

export interface AppendResult {
  table: string;
  /** Rows written; rows the table already held (same topic, partition and offset) are skipped. */
  rows: number;
  skipped: number;
  snapshotId: string | null;
}

export function target(spec: LakeTableSpec): string {
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
    case 'double': {
      const number = Number(value);
      if (Number.isFinite(number)) appender.appendDouble(number);
      else appender.appendNull();
      return;
    }
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
 * The one append path into Iceberg, through DuckDB and the REST catalog: it creates a table from its
 * spec (and adds the nullable columns a later release declared), stages rows with DuckDB's appender and
 * writes them with one INSERT, so one Iceberg snapshot. For a topic table it skips every row whose
 * (topic, partition, offset) the table already holds, so a redelivered message is never written twice,
 * and checks afterwards that every row is there.
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

  async ensureTable(spec: LakeTableSpec): Promise<void> {
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

  async append(spec: LakeTableSpec, rows: readonly LakeRow[]): Promise<AppendResult> {
    await this.ensureTable(spec);
    return this.guarded(async (lake) => {
      const stage = await this.stageOn(lake, spec, rows);
      return isTopicTable(spec)
        ? this.appendOnce(lake, spec, stage, rows.length)
        : this.appendAll(lake, spec, stage);
    });
  }

  /** Stages `rows` in a temporary table with the spec's columns (timestamps as epoch ms); returns its name. */
  private async stageOn(lake: Lake, spec: LakeTableSpec, rows: readonly LakeRow[]): Promise<string> {
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
    return stage;
  }

  /** `INSERT INTO <table> (<columns>) SELECT ... FROM <stage> s`, timestamps converted back. */
  private insertFrom(spec: LakeTableSpec, stage: string): string {
    const columns = allColumns(spec);
    const select = columns
      .map((c) =>
        c.kind === 'timestamp'
          ? `epoch_ms(s.${quoteIdent(c.name)})::TIMESTAMPTZ AS ${quoteIdent(c.name)}`
          : `s.${quoteIdent(c.name)}`,
      )
      .join(', ');
    // Columns by name: a table that gained a column keeps it last, wherever the spec declares it.
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    return `INSERT INTO ${target(spec)} (${names}) SELECT ${select} FROM ${stage} s`;
  }

  /** Every staged row, one snapshot (a table no topic lands in: the monitoring history). */
  private async appendAll(lake: Lake, spec: LakeTableSpec, stage: string): Promise<AppendResult> {
    const [inserted] = await lake.all<{ Count: bigint }>(this.insertFrom(spec, stage));
    await lake.run(`DROP TABLE ${stage}`);
    const written = Number(inserted?.Count ?? 0);
    return {
      table: `${spec.namespace}.${spec.table}`,
      rows: written,
      skipped: 0,
      snapshotId: written > 0 ? await this.snapshotOn(lake, spec) : null,
    };
  }

  /** The staged rows the table does not hold yet, by Kafka coordinates; verified after the commit. */
  private async appendOnce(lake: Lake, spec: TableSpec, stage: string, count: number): Promise<AppendResult> {
    const name = target(spec);
    const topic = quoteLiteral(spec.topic);
    // Rows whose exact coordinates the table already holds are skipped (a redelivery after a crash, or
    // another writer of the group during a rebalance). The offset range lets Parquet statistics prune.
    const held = `SELECT t._partition, t._offset FROM ${name} t, (SELECT min(_offset) AS lo, max(_offset) AS hi FROM ${stage}) r
       WHERE t._topic = ${topic} AND t._offset BETWEEN r.lo AND r.hi`;
    const [inserted] = await lake.all<{ Count: bigint }>(
      `${this.insertFrom(spec, stage)}
       ANTI JOIN (${held}) h ON s._partition = h._partition AND s._offset = h._offset`,
    );
    const written = Number(inserted?.Count ?? 0);
    // Trust, but verify: every staged row must now be in the table. Two writers committing at the same
    // moment have been seen to lose one commit without an error; a shortfall fails this append, and the
    // retry writes exactly the missing rows.
    const [present] = await lake.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM ${stage} s SEMI JOIN (${held}) h ON s._partition = h._partition AND s._offset = h._offset`,
    );
    if (Number(present?.n ?? 0) < count) {
      throw new BankopsError(
        'LAKE_FAILED',
        `the commit to ${spec.namespace}.${spec.table} is missing ${count - Number(present?.n ?? 0)} of ${count} rows`,
        { retriable: true },
      );
    }
    await lake.run(`DROP TABLE ${stage}`);
    return {
      table: `${spec.namespace}.${spec.table}`,
      rows: written,
      skipped: count - written,
      snapshotId: written > 0 ? await this.snapshotOn(lake, spec) : null,
    };
  }

  private async snapshotOn(lake: Lake, spec: LakeTableSpec): Promise<string | null> {
    const [row] = await lake.all<{ id: bigint | null }>(
      `SELECT snapshot_id AS id FROM iceberg_snapshots(${target(spec)}) ORDER BY sequence_number DESC LIMIT 1`,
    );
    return row?.id === undefined || row.id === null ? null : String(row.id);
  }
}
