import { COLUMNS, isIntegerColumn } from '../bank/columns.js';
import { checkRecord, type FieldProblem } from '../bank/validate.js';
import { BankopsError } from '../errors/index.js';

/**
 * Every Iceberg table bankops writes, declared once: the three tables the lake writer lands from Kafka
 * (with lineage columns and validation) and the monitoring history. `IcebergSink` (sink.ts) creates,
 * evolves and appends to all of them; SQL types come from `SQL_TYPES` only.
 */

export type ColumnKind = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'timestamp';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  nullable?: boolean;
}

/** One Iceberg table: its name and its columns, in order. */
export interface LakeTableSpec {
  namespace: string;
  table: string;
  columns: readonly ColumnSpec[];
}

/** How one topic lands in one Iceberg table; the lineage columns follow the record's own. */
export interface TableSpec extends LakeTableSpec {
  topic: string;
  /** Domain checks beyond what Avro decoding guarantees; the first problem, or undefined. */
  validate(value: Record<string, unknown>): FieldProblem | undefined;
  batchIdOf(value: Record<string, unknown>): string | null;
}

/** Every table carries where each row came from, so a restart resumes exactly from what the table holds. */
export const LINEAGE_COLUMNS: ColumnSpec[] = [
  { name: 'batch_id', kind: 'string', nullable: true },
  { name: '_topic', kind: 'string' },
  { name: '_partition', kind: 'int' },
  { name: '_offset', kind: 'long' },
  { name: '_ingested_at', kind: 'timestamp' },
];

export const SQL_TYPES: Record<ColumnKind, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  long: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
};

function requireFields(
  value: Record<string, unknown>,
  columns: readonly ColumnSpec[],
): FieldProblem | undefined {
  for (const c of columns) {
    const v = value[c.name];
    if (v === undefined || (v === null && !c.nullable)) return { column: c.name, reason: 'missing' };
  }
  return undefined;
}

const customers: TableSpec = {
  topic: 'bank.customers.v1',
  namespace: 'bank',
  table: 'customers',
  columns: [
    { name: 'record_id', kind: 'string' },
    { name: 'source', kind: 'string' },
    { name: 'event_time', kind: 'timestamp' },
    ...COLUMNS.map((name): ColumnSpec => ({ name, kind: isIntegerColumn(name) ? 'int' : 'string' })),
    // added after the first release: tables created before it gain the column (sink.ensureTable)
    { name: 'customer_key', kind: 'string', nullable: true },
  ],
  validate: (value) =>
    requireFields(
      value,
      customers.columns.filter((c) => c.name !== 'customer_key'),
    ) ?? checkRecord(value),
  batchIdOf: (value) => (typeof value['batch_id'] === 'string' ? value['batch_id'] : null),
};

const predictions: TableSpec = {
  topic: 'bank.predictions.v1',
  namespace: 'bank',
  table: 'predictions',
  columns: [
    { name: 'prediction_id', kind: 'string' },
    { name: 'event_time', kind: 'timestamp' },
    { name: 'model_name', kind: 'string' },
    { name: 'model_version', kind: 'string' },
    { name: 'variant', kind: 'string' },
    { name: 'customer_key', kind: 'string', nullable: true },
    { name: 'features_json', kind: 'string' },
    { name: 'probability', kind: 'double' },
    { name: 'decision', kind: 'boolean' },
    { name: 'threshold', kind: 'double' },
    { name: 'latency_ms', kind: 'double' },
    { name: 'route', kind: 'string' },
    // added later, like customers.customer_key
    { name: 'shadow_of', kind: 'string', nullable: true },
  ],
  validate(value) {
    const missing = requireFields(
      value,
      predictions.columns.filter((c) => c.name !== 'shadow_of'),
    );
    if (missing) return missing;
    const p = value['probability'];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      return { column: 'probability', reason: `${String(p)} is outside 0..1` };
    }
    return undefined;
  },
  batchIdOf: () => null,
};

const groundTruth: TableSpec = {
  topic: 'bank.ground-truth.v1',
  namespace: 'bank',
  table: 'ground_truth',
  columns: [
    { name: 'prediction_id', kind: 'string' },
    { name: 'event_time', kind: 'timestamp' },
    { name: 'outcome', kind: 'boolean' },
    { name: 'source', kind: 'string' },
  ],
  validate: (value) => requireFields(value, groundTruth.columns),
  batchIdOf: () => null,
};

export const TABLES: readonly TableSpec[] = [customers, predictions, groundTruth];

export function tableForTopic(topic: string): TableSpec | undefined {
  return TABLES.find((t) => t.topic === topic);
}

/**
 * The monitoring history (src/monitoring/history.ts builds its rows; the monitor appends them). No topic
 * lands here, so no lineage columns.
 */
export const MONITORING_METRICS_TABLE: LakeTableSpec = {
  namespace: 'bank',
  table: 'monitoring_metrics',
  columns: [
    { name: 'time', kind: 'timestamp' },
    { name: 'model_version', kind: 'string' },
    { name: 'variant', kind: 'string' },
    { name: 'window', kind: 'string' },
    { name: 'metric', kind: 'string' },
    { name: 'value', kind: 'double' },
    { name: 'feature', kind: 'string', nullable: true },
    { name: 'insufficient', kind: 'boolean' },
  ],
};

export function isTopicTable(spec: LakeTableSpec): spec is TableSpec {
  return 'topic' in spec;
}

/** The columns as created: a topic table's own, then the lineage columns. */
export function allColumns(spec: LakeTableSpec): readonly ColumnSpec[] {
  return isTopicTable(spec) ? [...spec.columns, ...LINEAGE_COLUMNS] : spec.columns;
}

export function qualifiedName(spec: LakeTableSpec): string {
  return `${spec.namespace}.${spec.table}`;
}

/** The same table under another name (`namespace.table`), for a test's or a benchmark's own copy. */
export function renamed<T extends LakeTableSpec>(spec: T, qualified: string): T {
  const [namespace, table, ...rest] = qualified.split('.');
  if (!namespace || !table || rest.length > 0) {
    throw new BankopsError('USAGE', `table name ${JSON.stringify(qualified)} is not "namespace.table"`);
  }
  return { ...spec, namespace, table };
}
