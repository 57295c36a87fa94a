import type { Config } from '../../src/config/index.js';
import { openLake } from '../../src/lake/duckdb.js';
import { IcebergSink } from '../../src/lake/sink.js';
import {
  MONITORING_METRICS_TABLE,
  qualifiedName,
  renamed,
  type LakeTableSpec,
} from '../../src/lake/tables.js';
import type { MonitoringMetricRow } from '../../src/monitoring/exporter.js';

/**
 * Appends the monitoring history to its Iceberg table through the lake's one append path: one INSERT
 * (one Iceberg snapshot) per call; the table is created from its spec when missing. The DuckDB session
 * lives for one append: the history is written every few minutes, not worth a session held in between.
 */
export class HistorySink {
  private readonly spec: LakeTableSpec;
  private readonly sink: IcebergSink;

  constructor(config: Config, table: string = qualifiedName(MONITORING_METRICS_TABLE)) {
    this.spec = renamed(MONITORING_METRICS_TABLE, table);
    this.sink = new IcebergSink(() => openLake(config, { threads: 1, memoryLimit: '256MB' }));
  }

  get table(): string {
    return qualifiedName(this.spec);
  }

  async append(rows: readonly MonitoringMetricRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    try {
      return (
        await this.sink.append(
          this.spec,
          rows.map((row) => ({ ...row })),
        )
      ).rows;
    } finally {
      this.sink.close();
    }
  }
}
