import { quoteLiteral, type Lake } from './duckdb.js';
import { atSnapshot, tableRef } from './snapshots.js';

export const PREDICTIONS_TABLE = 'bank.predictions';
export const GROUND_TRUTH_TABLE = 'bank.ground_truth';

/** One answered prediction with the outcome that came back for it: a training row "as it was served". */
export interface LabelledPrediction {
  prediction_id: string;
  event_time: Date;
  model_version: string;
  variant: string;
  customer_key: string | null;
  /** The record as the client sent it (the features as served). */
  features_json: string;
  probability: number;
  /** The served decision (probability ≥ the version's threshold) and that threshold. */
  decision: boolean;
  threshold: number;
  outcome: boolean;
  label_time: Date;
}

export interface TrafficQuery {
  predictionsTable?: string;
  groundTruthTable?: string;
  predictionsSnapshot: string;
  groundTruthSnapshot: string;
  modelName: string;
  /** Only predictions made at or after this time. */
  since?: Date;
}

/** How many rows the join dropped as copies: a redelivered prediction, an outcome reported twice. */
export interface TrafficDuplicates {
  predictions: number;
  labels: number;
}

/**
 * The join of predictions and outcomes on prediction id, each table as of its own snapshot: one row per
 * prediction id (the first landed copy of a prediction, the first outcome by event time), shadow scores
 * left out (nobody was answered with them, and their ids never get an outcome).
 */
export function labelledTrafficSql(query: TrafficQuery): string {
  const predictions = atSnapshot(query.predictionsTable ?? PREDICTIONS_TABLE, query.predictionsSnapshot);
  const labels = atSnapshot(query.groundTruthTable ?? GROUND_TRUTH_TABLE, query.groundTruthSnapshot);
  const filters = [`variant <> 'shadow'`, `model_name = ${quoteLiteral(query.modelName)}`];
  if (query.since) filters.push(`event_time >= make_timestamptz(${query.since.getTime() * 1000})`);
  return `WITH p AS (
      SELECT prediction_id, event_time, model_version, variant, customer_key, features_json, probability, decision, threshold
      FROM ${predictions} WHERE ${filters.join(' AND ')}
      QUALIFY row_number() OVER (PARTITION BY prediction_id ORDER BY _ingested_at, _partition, _offset) = 1
    ), g AS (
      SELECT prediction_id, event_time AS label_time, outcome FROM ${labels}
      QUALIFY row_number() OVER (PARTITION BY prediction_id ORDER BY event_time, _partition, _offset) = 1
    )
    SELECT p.*, g.label_time, g.outcome FROM p JOIN g USING (prediction_id)
    ORDER BY p.event_time, p.prediction_id`;
}

export async function readLabelledTraffic(lake: Lake, query: TrafficQuery): Promise<LabelledPrediction[]> {
  return lake.all<LabelledPrediction>(labelledTrafficSql(query));
}

/** Copies the join drops, for the training set's counts ("never silently"). */
export async function trafficDuplicates(lake: Lake, query: TrafficQuery): Promise<TrafficDuplicates> {
  const predictions = atSnapshot(query.predictionsTable ?? PREDICTIONS_TABLE, query.predictionsSnapshot);
  const labels = atSnapshot(query.groundTruthTable ?? GROUND_TRUTH_TABLE, query.groundTruthSnapshot);
  const [row] = await lake.all<{ p: bigint; g: bigint }>(
    `SELECT (SELECT count(*) - count(DISTINCT prediction_id) FROM ${predictions}
               WHERE model_name = ${quoteLiteral(query.modelName)}) AS p,
            (SELECT count(*) - count(DISTINCT prediction_id) FROM ${labels}) AS g`,
  );
  return { predictions: Number(row?.p ?? 0), labels: Number(row?.g ?? 0) };
}

/**
 * Labelled predictions made at or after `since` (the drifted period), counted on the tables as they are
 * now: what the retrain trigger waits for before it acts on drift.
 */
export async function countLabelledSince(
  lake: Lake,
  tables: { predictions: string; groundTruth: string },
  modelName: string,
  since: Date,
): Promise<number> {
  const [row] = await lake.all<{ n: bigint }>(
    `SELECT count(DISTINCT p.prediction_id) AS n
       FROM ${tableRef(tables.predictions)} p
       SEMI JOIN ${tableRef(tables.groundTruth)} g
         ON g.prediction_id = p.prediction_id
      WHERE p.variant <> 'shadow' AND p.model_name = ${quoteLiteral(modelName)}
        AND p.event_time >= make_timestamptz(${since.getTime() * 1000})`,
  );
  return Number(row?.n ?? 0);
}
