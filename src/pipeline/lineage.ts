import { BankopsError } from '../errors/index.js';
import { quoteLiteral, withLake, type Lake } from '../lake/duckdb.js';
import { atSnapshot, tableExists, tableRef } from '../lake/snapshots.js';
import type { ModelVersion } from '../registry/index.js';
import type { PipelineContext } from './context.js';
import { readTrainingRecord, type TrainingRecord } from './training-record.js';
import type { SourceSnapshot } from './training-set.js';

/** Where a row sits in Kafka (and so in the lake's lineage columns). */
export interface KafkaCoordinates {
  topic: string;
  partition: number;
  offset: string;
}

export interface LineagePrediction {
  predictionId: string;
  time: string;
  modelName: string;
  modelVersion: string;
  variant: string;
  route: string;
  customerKey: string | null;
  features: Record<string, unknown>;
  probability: number;
  decision: boolean;
  threshold: number;
  table: string;
  kafka: KafkaCoordinates;
}

export interface LineageGroundTruth {
  time: string;
  outcome: boolean;
  source: string;
  table: string;
  kafka: KafkaCoordinates;
}

export interface LineageSource extends SourceSnapshot {
  /** The snapshot is still in the catalog (time travel to it works). */
  exists: boolean;
  /** When the snapshot was committed. */
  committedAt: string | null;
  /** The batches the table held at that snapshot (customers; traffic rows carry none). */
  batches: Array<{ batchId: string; rows: number }>;
}

export interface Lineage {
  prediction: LineagePrediction;
  groundTruth: LineageGroundTruth | null;
  model: {
    name: string;
    version: string;
    aliases: string[];
    createdAt: string | null;
    description: string | null;
    decision: string | null;
  };
  run: {
    runId: string;
    name: string | null;
    parentRunId: string | null;
    experimentId: string;
    trigger: string | null;
    gitCommit: string | null;
    metrics: Record<string, number>;
    url: string;
  };
  training: {
    rows: number | null;
    sources: LineageSource[];
    holdout: TrainingRecord['holdout'] | null;
    excluded: TrainingRecord['excluded'] | null;
    /** Labelled traffic older than this was outside the recency window. */
    trafficSince: string | null;
  };
}

const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);

interface PredictionRow {
  prediction_id: string;
  event_time: Date;
  model_name: string;
  model_version: string;
  variant: string;
  route: string;
  customer_key: string | null;
  features_json: string;
  probability: number;
  decision: boolean;
  threshold: number;
  _topic: string;
  _partition: number;
  _offset: bigint;
}

interface LabelRow {
  event_time: Date;
  outcome: boolean;
  source: string;
  _topic: string;
  _partition: number;
  _offset: bigint;
}

async function findPrediction(lake: Lake, table: string, id: string): Promise<PredictionRow> {
  const missing = () =>
    new BankopsError('NOT_FOUND', `prediction ${id} is not in ${table}`, {
      hint: 'A prediction lands in the lake a few seconds after it is answered, with the lake writer running (bin/bankops lake write); check the id.',
    });
  if (!(await tableExists(lake, table))) throw missing();
  const [row] = await lake.all<PredictionRow>(
    `SELECT * FROM ${tableRef(table)} WHERE prediction_id = ${quoteLiteral(id)}
     ORDER BY _ingested_at, _partition, _offset LIMIT 1`,
  );
  if (!row) throw missing();
  return row;
}

async function findLabel(lake: Lake, table: string, id: string): Promise<LabelRow | undefined> {
  if (!(await tableExists(lake, table))) return undefined;
  const [row] = await lake.all<LabelRow>(
    `SELECT event_time, outcome, source, _topic, _partition, _offset FROM ${tableRef(table)}
     WHERE prediction_id = ${quoteLiteral(id)} ORDER BY event_time, _partition, _offset LIMIT 1`,
  );
  return row;
}

async function describeSource(lake: Lake, source: SourceSnapshot): Promise<LineageSource> {
  const empty = { ...source, exists: false, committedAt: null, batches: [] };
  if (!(await tableExists(lake, source.table))) return empty;
  const [snapshot] = await lake.all<{ at: Date }>(
    `SELECT timestamp_ms AS at FROM iceberg_snapshots(${tableRef(source.table)})
     WHERE snapshot_id = ${/^-?\d+$/.test(source.snapshotId) ? source.snapshotId : 'NULL'}`,
  );
  if (!snapshot) return empty;
  const batches = await lake.all<{ batch_id: string; n: bigint }>(
    `SELECT batch_id, count(*) AS n FROM ${atSnapshot(source.table, source.snapshotId)}
     WHERE batch_id IS NOT NULL GROUP BY 1 ORDER BY min(_ingested_at)`,
  );
  return {
    ...source,
    exists: true,
    committedAt: iso(snapshot.at),
    batches: batches.map((b) => ({ batchId: b.batch_id, rows: Number(b.n) })),
  };
}

function tagsOf(version: ModelVersion): Record<string, string> {
  return Object.fromEntries((version.tags ?? []).map((t) => [t.key, t.value]));
}

/** The sources a version names: its record, else its tags (versions trained before records existed). */
function sourcesOf(record: TrainingRecord | undefined, tags: Record<string, string>): SourceSnapshot[] {
  if (record) return record.sources;
  if (tags['bankops.sources']) return JSON.parse(tags['bankops.sources']) as SourceSnapshot[];
  const table = tags['bankops.table'];
  const snapshotId = tags['bankops.snapshot_id'];
  return table && snapshotId ? [{ table, snapshotId, rows: Number(tags['bankops.rows'] ?? 0) }] : [];
}

/**
 * Every hop from one answered prediction back to the data its model learned from: the prediction and
 * its outcome in the lake (with their Kafka coordinates), the model version and its MLflow run, and the
 * training sources with their snapshots (checked against the catalog) and the batches behind them.
 */
export async function lineage(ctx: PipelineContext, predictionId: string): Promise<Lineage> {
  const { names, mlflow, config } = ctx;
  const { prediction, label } = await withLake(config, async (lake) => ({
    prediction: await findPrediction(lake, names.predictionsTable, predictionId),
    label: await findLabel(lake, names.groundTruthTable, predictionId),
  }));
  const version = await mlflow
    .getModelVersion(prediction.model_name, prediction.model_version)
    .catch((e: unknown) => {
      throw new BankopsError(
        'NOT_FOUND',
        `prediction ${predictionId} names ${prediction.model_name} v${prediction.model_version}, which the registry does not hold`,
        { cause: e },
      );
    });
  const tags = tagsOf(version);
  const runId = version.run_id ?? '';
  const run = await mlflow.getRun(runId);
  const runTags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  const record = await readTrainingRecord(mlflow, version);
  const sources = await withLake(config, (lake) =>
    Promise.all(sourcesOf(record, tags).map((s) => describeSource(lake, s))),
  );
  const aliases = await mlflow.getAliases(prediction.model_name);
  const metrics = Object.fromEntries(
    (run.data.metrics ?? [])
      .filter((m) => m.key.startsWith('test_') || m.key.startsWith('gate_'))
      .map((m) => [m.key, m.value]),
  );
  const coordinates = (row: { _topic: string; _partition: number; _offset: bigint }): KafkaCoordinates => ({
    topic: row._topic,
    partition: Number(row._partition),
    offset: String(row._offset),
  });
  return {
    prediction: {
      predictionId,
      time: prediction.event_time.toISOString(),
      modelName: prediction.model_name,
      modelVersion: prediction.model_version,
      variant: prediction.variant,
      route: prediction.route,
      customerKey: prediction.customer_key,
      features: JSON.parse(prediction.features_json) as Record<string, unknown>,
      probability: prediction.probability,
      decision: prediction.decision,
      threshold: prediction.threshold,
      table: names.predictionsTable,
      kafka: coordinates(prediction),
    },
    groundTruth: label
      ? {
          time: label.event_time.toISOString(),
          outcome: label.outcome,
          source: label.source,
          table: names.groundTruthTable,
          kafka: coordinates(label),
        }
      : null,
    model: {
      name: version.name,
      version: String(version.version),
      aliases: Object.entries(aliases ?? {})
        .filter(([, v]) => String(v) === String(version.version))
        .map(([alias]) => alias),
      createdAt: version.creation_timestamp ? new Date(version.creation_timestamp).toISOString() : null,
      description: version.description ?? null,
      decision: tags['bankops.promotion'] ?? tags['bankops.rejection'] ?? null,
    },
    run: {
      runId,
      name: run.info.run_name ?? null,
      parentRunId: runTags['mlflow.parentRunId'] ?? null,
      experimentId: run.info.experiment_id,
      trigger: runTags['bankops.trigger'] ?? null,
      gitCommit: runTags['bankops.git_commit'] ?? null,
      metrics,
      url: `${config.urls.mlflow}/#/experiments/${run.info.experiment_id}/runs/${runId}`,
    },
    training: {
      rows: record
        ? sources.reduce((n, s) => n + (s.table === names.groundTruthTable ? 0 : s.rows), 0)
        : null,
      sources,
      holdout: record?.holdout ?? null,
      excluded: record?.excluded ?? null,
      trafficSince: record?.trafficSince ?? null,
    },
  };
}
