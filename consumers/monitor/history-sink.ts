import type { Config } from '../../src/config/index.js';
import { quoteIdent, quoteLiteral, withLake } from '../../src/lake/duckdb.js';
import { MONITORING_METRICS_TABLE, type MonitoringMetricRow } from '../../src/monitoring/exporter.js';

const SQL_TYPES = {
  timestamp: 'TIMESTAMPTZ',
  string: 'VARCHAR',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
} as const;

/** `bank.monitoring_metrics` (or a test's own table) as `lake."ns"."table"`. */
function tableName(table: string): string {
  const [namespace, name] = table.split('.');
  return `lake.${quoteIdent(namespace ?? '')}.${quoteIdent(name ?? '')}`;
}

function literal(value: MonitoringMetricRow[keyof MonitoringMetricRow]): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  return quoteLiteral(value);
}

/**
 * Appends the monitoring history to an Iceberg table through DuckDB: one INSERT (one Iceberg snapshot)
 * per call. The table is created with typed columns when missing.
 */
export class HistorySink {
  private created = false;

  constructor(
    private readonly config: Config,
    readonly table: string = `${MONITORING_METRICS_TABLE.namespace}.${MONITORING_METRICS_TABLE.table}`,
  ) {}

  async append(rows: readonly MonitoringMetricRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const name = tableName(this.table);
    await withLake(
      this.config,
      async (lake) => {
        if (!this.created) {
          const [namespace] = this.table.split('.');
          await lake.run(`CREATE SCHEMA IF NOT EXISTS lake.${quoteIdent(namespace ?? '')}`);
          const columns = MONITORING_METRICS_TABLE.columns
            .map((c) => `${quoteIdent(c.name)} ${SQL_TYPES[c.kind]}`)
            .join(', ');
          await lake.run(`CREATE TABLE IF NOT EXISTS ${name} (${columns})`);
          this.created = true;
        }
        const names = MONITORING_METRICS_TABLE.columns.map((c) => quoteIdent(c.name)).join(', ');
        const values = rows
          .map(
            (r) =>
              `(epoch_ms(${Math.round(r.time)})::TIMESTAMPTZ, ${literal(r.model_version)}, ${literal(r.variant)}, ` +
              `${literal(r.window)}, ${literal(r.metric)}, ${literal(r.value)}, ${literal(r.feature)}, ` +
              `${literal(r.insufficient)})`,
          )
          .join(',\n');
        await lake.run(`INSERT INTO ${name} (${names}) VALUES ${values}`);
      },
      { threads: 1, memoryLimit: '256MB' },
    );
    return rows.length;
  }
}
