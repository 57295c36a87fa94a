import { withLake } from '../lake/duckdb.js';
import { currentSnapshotId, rowsAddedSql, tableExists, tableRef } from '../lake/snapshots.js';
import { countLabelledSince } from '../lake/traffic.js';
import { quoteLiteral } from '../lake/duckdb.js';
import type { PipelineContext } from './context.js';

/** What the last training (promoted or not) read: the newest registered version's lineage tags. */
export interface LastTraining {
  version: string;
  customersSnapshot: string | undefined;
  groundTruthSnapshot: string | undefined;
}

export async function lastTraining(ctx: PipelineContext): Promise<LastTraining | undefined> {
  const [last] = await ctx.mlflow.searchModelVersions(ctx.names.modelName).catch(() => []);
  if (!last) return undefined;
  const tag = (key: string) => last.tags?.find((t) => t.key === key)?.value;
  return {
    version: String(last.version),
    customersSnapshot: tag('bankops.customers.snapshot_id') ?? tag('bankops.snapshot_id'),
    groundTruthSnapshot: tag('bankops.ground_truth.snapshot_id'),
  };
}

export interface NewRows {
  customers: number;
  /** Labelled predictions whose outcome landed since the last training. */
  traffic: number;
  total: number;
  since: LastTraining | undefined;
}

/**
 * Rows a retraining could learn from that the last training (promoted or not) did not have: customers
 * added since its customers snapshot, and predictions whose outcome landed since its ground-truth
 * snapshot. Without a last training, everything counts.
 */
export async function newRowsSinceLastTraining(ctx: PipelineContext): Promise<NewRows> {
  const since = await lastTraining(ctx);
  const { customersTable, predictionsTable, groundTruthTable, modelName } = ctx.names;
  return withLake(ctx.config, async (lake) => {
    let customers = 0;
    if (await tableExists(lake, customersTable)) {
      const current = await currentSnapshotId(lake, customersTable);
      if (current) {
        const [row] = await lake.all<{ n: bigint }>(
          `SELECT count(*) AS n FROM (${rowsAddedSql(customersTable, since?.customersSnapshot ?? null, current)})`,
        );
        customers = Number(row?.n ?? 0);
      }
    }
    let traffic = 0;
    if ((await tableExists(lake, predictionsTable)) && (await tableExists(lake, groundTruthTable))) {
      const current = await currentSnapshotId(lake, groundTruthTable);
      if (current) {
        const added = rowsAddedSql(groundTruthTable, since?.groundTruthSnapshot ?? null, current);
        const [row] = await lake.all<{ n: bigint }>(
          `SELECT count(DISTINCT g.prediction_id) AS n FROM (${added}) g
             SEMI JOIN ${tableRef(predictionsTable)} p ON p.prediction_id = g.prediction_id
               AND p.variant <> 'shadow' AND p.model_name = ${quoteLiteral(modelName)}`,
        );
        traffic = Number(row?.n ?? 0);
      }
    }
    return { customers, traffic, total: customers + traffic, since };
  });
}

/** Labelled predictions made since `since` (the drifted period), in the lake now. */
export async function labelledSince(ctx: PipelineContext, since: number): Promise<number> {
  const { predictionsTable, groundTruthTable, modelName } = ctx.names;
  return withLake(ctx.config, async (lake) => {
    if (!(await tableExists(lake, predictionsTable)) || !(await tableExists(lake, groundTruthTable)))
      return 0;
    return countLabelledSince(
      lake,
      { predictions: predictionsTable, groundTruth: groundTruthTable },
      modelName,
      new Date(since),
    );
  });
}
