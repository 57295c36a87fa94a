import { z } from 'zod';
import { anyPort, text } from './fields.js';

/** The data: where the UCI archive comes from, the Iceberg warehouse, and the lake writer's batches. */
export const lakeEnv = z.object({
  BANKOPS_DATA_URL: z
    .string()
    .url()
    .default('https://archive.ics.uci.edu/static/public/222/bank+marketing.zip'),
  /** The Iceberg warehouse name DuckDB passes when it attaches the REST catalog. */
  BANKOPS_CATALOG_WAREHOUSE: text('bankops'),
  /** The lake writer flushes a micro-batch at this many messages or this age, whichever comes first. */
  BANKOPS_LAKE_MAX_BATCH_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  BANKOPS_LAKE_MAX_BATCH_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  /** The lake writer's /metrics port (0: any free port). */
  BANKOPS_LAKE_WRITER_METRICS_PORT: anyPort(9465),
});

export function lakeConfig(e: z.infer<typeof lakeEnv>) {
  return {
    dataUrl: e.BANKOPS_DATA_URL,
    /** The Iceberg lake: the warehouse name given to the REST catalog. */
    lake: { warehouse: e.BANKOPS_CATALOG_WAREHOUSE },
    lakeWriter: {
      maxBatchRows: e.BANKOPS_LAKE_MAX_BATCH_ROWS,
      maxBatchMs: e.BANKOPS_LAKE_MAX_BATCH_MS,
      metricsPort: e.BANKOPS_LAKE_WRITER_METRICS_PORT,
    },
  };
}
