import { COLUMNS, type BankRecord } from '../bank/columns.js';
import { BankopsError } from '../errors/index.js';
import { quoteIdent, type Lake } from './duckdb.js';
import { atSnapshot, currentSnapshotId, rowsAddedSql, tableExists, tableRef } from './snapshots.js';

export const CUSTOMERS_TABLE = 'bank.customers';

/** A customer row as training and monitoring read it. */
export type CustomerRow = BankRecord & {
  record_id: string;
  batch_id: string | null;
  event_time: Date;
  /** The customer the record belongs to, when known (synthetic records: the key of the one they copy). */
  customer_key: string | null;
};

/** The key that keeps a customer's records together in every split: its customer key, or the record. */
export const groupKeyOf = (row: Pick<CustomerRow, 'customer_key' | 'record_id'>): string =>
  row.customer_key ?? row.record_id;

/** The raw UCI columns of a row (what a model scores), without the lineage. */
export function bankRecordOf(row: CustomerRow): BankRecord {
  return Object.fromEntries(COLUMNS.map((column) => [column, row[column]])) as BankRecord;
}

export interface CustomerQuery {
  /** namespace.table (default bank.customers). */
  table?: string;
  /** Read the table as of this snapshot (default: current). */
  snapshotId?: string;
  /** Only the rows added after this snapshot (up to `snapshotId`). */
  sinceSnapshotId?: string;
  /** A random sample of this many rows (reservoir, repeatable with `seed`). */
  sample?: number;
  seed?: number;
}

const SELECT_COLUMNS = ['record_id', 'batch_id', 'event_time', ...COLUMNS].map(quoteIdent).join(', ');

/** The column names a query returns (a snapshot from before a column was added lacks it). */
export async function columnsOf(lake: Lake, sql: string): Promise<Set<string>> {
  const rows = await lake.all<{ column_name: string }>(`DESCRIBE ${sql}`);
  return new Set(rows.map((r) => r.column_name));
}

/**
 * Typed rows of `bank.customers`, in event-time order (ties by Kafka coordinates), at a snapshot or as the
 * increment between two snapshots. Throws NOT_FOUND when the table does not exist yet.
 */
export async function readCustomers(lake: Lake, query: CustomerQuery = {}): Promise<CustomerRow[]> {
  const table = query.table ?? CUSTOMERS_TABLE;
  if (!(await tableExists(lake, table))) {
    throw new BankopsError('NOT_FOUND', `the lake has no ${table} table yet`, {
      hint: 'Load data (bin/bankops data load) and run the lake writer (bin/bankops lake write).',
    });
  }
  const snapshot = query.snapshotId ?? (await currentSnapshotId(lake, table));
  if (snapshot === undefined) return [];
  const source =
    query.sinceSnapshotId !== undefined
      ? `(${rowsAddedSql(table, query.sinceSnapshotId, snapshot)})`
      : `(SELECT * FROM ${atSnapshot(table, snapshot)})`;
  const sample =
    query.sample !== undefined
      ? ` USING SAMPLE reservoir(${Math.max(1, Math.floor(query.sample))} ROWS) REPEATABLE (${Math.floor(query.seed ?? 42)})`
      : '';
  const key = (await columnsOf(lake, `SELECT * FROM ${source} c`)).has('customer_key')
    ? 'customer_key'
    : 'NULL::VARCHAR AS customer_key';
  const rows = await lake.all<CustomerRow>(
    `SELECT ${SELECT_COLUMNS}, ${key} FROM ${source} c${sample} ORDER BY event_time, _partition, _offset`,
  );
  return rows;
}

/** Row count of a table at a snapshot (default: current). */
export async function rowCount(lake: Lake, table: string, snapshotId?: string): Promise<number> {
  const source = snapshotId ? atSnapshot(table, snapshotId) : tableRef(table);
  const [row] = await lake.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${source}`);
  return Number(row?.n ?? 0);
}
