/**
 * The chain end to end on the real stack: customers land → initial champion → a batch past the
 * threshold → retrain.requested → model.trained → promoted or rejected, with the events in order; and a
 * deliberately worse challenger (trained on shuffled labels) is rejected with its reason.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLakeWriter, type RunningLakeWriter } from '../../consumers/lake-writer/main.js';
import { inferCallDates, publishBatch, toCustomers } from '../../producers/customers.js';
import { synthesize } from '../../producers/synthetic.js';
import type { BankRecord } from '../../src/bank/columns.js';
import { parseBankCsv } from '../../src/bank/csv.js';
import { startPipeline, type RunningPipeline } from '../../src/cli/commands/pipeline.js';
import { readBundledDataset } from '../../src/data/index.js';
import { createKafka } from '../../src/kafka/client.js';
import { AvroProducer } from '../../src/kafka/producer.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { withLake } from '../../src/lake/duckdb.js';
import { bankRecordOf, readCustomers } from '../../src/lake/readers.js';
import { currentSnapshotId } from '../../src/lake/snapshots.js';
import { createPipelineContext, type PipelineContext } from '../../src/pipeline/context.js';
import { readPipelineEvents, type HistoryEntry } from '../../src/pipeline/history.js';
import { promote } from '../../src/pipeline/promote.js';
import { runTrainingSession } from '../../src/pipeline/train-session.js';
import { ALIASES, type ModelVersion } from '../../src/registry/index.js';
import {
  readTrainingRecord,
  uploadTrainingRecord,
  type TrainingRecord,
} from '../../src/pipeline/training-record.js';
import {
  bankLabels,
  buildBundle,
  mulberry32,
  trainCandidates,
  withSource,
} from '../../src/training/index.js';
import { config, isolatedLake, type IsolatedLake } from './helpers/isolated-lake.js';
import { waitFor } from './helpers/wait.js';

/** Two good grid positions (depth 3 and 5 at learning rate 0.1) keep the test quick. */
const TRAINING = { gridIndices: [3, 9], nthread: 2 };
const gate = { metric: 'roc_auc' as const, floor: 0.7, margin: 0.02 };

let lake: IsolatedLake;
let ctx: PipelineContext;
let writer: RunningLakeWriter;
let pipeline: RunningPipeline | undefined;
let uci: BankRecord[];
const producer = new AvroProducer(createKafka(config, 'bankops-test'), createRegistry(config));

async function publish(records: readonly BankRecord[], times: readonly number[]): Promise<string> {
  const batchId = `b-${randomUUID()}`;
  await publishBatch(
    producer,
    toCustomers(records, batchId, 'test', times),
    batchId,
    'test',
    {},
    undefined,
    lake.customers.topic,
    lake.events,
  );
  return batchId;
}

async function events(): Promise<HistoryEntry[]> {
  return readPipelineEvents(ctx.kafka, ctx.registry, lake.events);
}

const table = () => `${lake.id}.customers`;

beforeAll(async () => {
  uci = parseBankCsv((await readBundledDataset()).toString('utf8'));
  lake = await isolatedLake();
  ctx = createPipelineContext(config, 'test-pipeline', {
    customersTable: table(),
    eventsTopic: lake.events,
    modelName: `bank-marketing-${lake.id}`,
    experiment: `bank-marketing-${lake.id}`,
  });
  writer = await startLakeWriter(config, {
    tables: [lake.customers],
    groupId: `g-${lake.id}`,
    maxBatchMs: 300,
    eventsTopic: lake.events,
    instance: `test-${lake.id}`,
  });
  // Two rows in three, in time order: every period of the campaign is represented.
  const first = uci.filter((_, i) => i % 3 !== 2);
  await publish(first, inferCallDates(first));
  await waitFor(
    () => withLake(config, async (l) => (await readCustomers(l, { table: table() }).catch(() => [])).length),
    (n) => n >= first.length,
    { what: 'the first rows' },
  );
});

afterAll(async () => {
  await pipeline?.close();
  await writer?.close();
  await ctx?.close();
  await producer.close();
});

describe('the retraining chain', () => {
  it('trains and promotes an initial champion with lineage in MLflow', async () => {
    const outcome = await runTrainingSession(ctx, { trigger: 'test', options: TRAINING });
    if (outcome.status !== 'trained') throw new Error(outcome.reason);
    // the simulation reserve (a stable ~10 % of customers) is never trained on
    expect(outcome.rows + outcome.excluded.reserved).toBe(30_141);
    expect(outcome.excluded.reserved / 30_141).toBeGreaterThan(0.08);
    expect(outcome.candidates).toHaveLength(2);
    const run = await ctx.mlflow.getRun(outcome.best.runId);
    const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags['bankops.table']).toBe(table());
    expect(tags['bankops.snapshot_id']).toBe(outcome.snapshotId);
    expect(tags['bankops.feature_spec_hash']).toMatch(/^[0-9a-f]{64}$/);
    const files = (await ctx.mlflow.listArtifacts(outcome.best.runId, 'model')).map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'model/MLmodel',
        'model/model.ubj',
        'model/feature_spec.json',
        'model/bankops.json',
      ]),
    );
    const decision = await promote(ctx, { ...gate });
    expect(decision.promoted).toBe(true);
    expect((await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion))?.version).toBe(
      outcome.best.version,
    );
  });

  it('retrains when a batch passes the threshold, then promotes or rejects with a reason, events in order', async () => {
    pipeline = await startPipeline(config, {
      names: ctx.names,
      training: TRAINING,
      threshold: 5_000,
      groupSuffix: lake.id,
    });
    const batch = synthesize(
      uci.filter((_, i) => i % 3 === 2),
      { rows: 6_000, seed: 11, scenario: 'none' },
    );
    const now = Date.now();
    await publish(
      batch,
      batch.map(() => now),
    );
    const history = await waitFor(
      events,
      (list) =>
        list.some((e) => e.type === 'model.promoted' && e.payload['version'] !== '1') ||
        list.some((e) => e.type === 'model.rejected'),
      { timeoutMs: 300_000, intervalMs: 2_000, what: 'a promotion decision' },
    );
    const types = history.map((e) => e.type);
    const requested = types.indexOf('retrain.requested');
    const trained = types.indexOf('model.trained');
    const decided = types.findIndex(
      (t, i) => i > trained && (t === 'model.promoted' || t === 'model.rejected'),
    );
    expect(types.lastIndexOf('batch.ingested', requested)).toBeGreaterThanOrEqual(0);
    expect(requested).toBeGreaterThan(0);
    expect(trained).toBeGreaterThan(requested);
    expect(decided).toBeGreaterThan(trained);
    expect(history[trained]?.correlationId).toBe(history[requested]?.correlationId);
    expect(String(history[decided]?.payload['reason'])).toMatch(/roc_auc/);
    expect(types.filter((t) => t === 'retrain.requested')).toHaveLength(1);
  });

  it('rejects a challenger trained on shuffled labels and leaves the champion where it was', async () => {
    const championBefore = await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion);
    const { rows, snapshotId } = await withLake(config, async (l) => ({
      rows: await readCustomers(l, { table: table() }),
      snapshotId: (await currentSnapshotId(l, table())) as string,
    }));
    const labels = bankLabels(rows);
    const random = mulberry32(5);
    for (let i = labels.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [labels[i], labels[j]] = [labels[j] as number, labels[i] as number];
    }
    const result = trainCandidates({
      rows: rows.map(bankRecordOf),
      labels,
      options: { gridIndices: [3], nthread: 2 },
    });
    const bundle = withSource(buildBundle(result), { table: table(), snapshotId, rowCount: rows.length });
    const experiment = await ctx.mlflow.getOrCreateExperiment(ctx.names.experiment);
    const run = await ctx.mlflow.createRun({
      experimentId: experiment.experiment_id,
      runName: 'shuffled labels',
    });
    await ctx.mlflow.uploadDirectory(run.info.run_id, 'model', new Map(Object.entries(bundle)));
    await ctx.mlflow.updateRun(run.info.run_id, 'FINISHED');
    // the champion's own training-set record: the holdout is its test part, which neither model saw
    const record = await readTrainingRecord(ctx.mlflow, championBefore as ModelVersion);
    await uploadTrainingRecord(ctx.mlflow, run.info.run_id, record as TrainingRecord);
    const version = await ctx.mlflow.createModelVersion({
      name: ctx.names.modelName,
      source: `runs:/${run.info.run_id}/model`,
      runId: run.info.run_id,
    });
    const decision = await promote(ctx, { ...gate, version: version.version });
    expect(decision.promoted).toBe(false);
    expect(decision.reason).toMatch(/roc_auc 0\.[4-6]\d\d/);
    expect((await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion))?.version).toBe(
      championBefore?.version,
    );
    const rejected = (await events()).filter(
      (e) => e.type === 'model.rejected' && e.payload['version'] === version.version,
    );
    expect(rejected).toHaveLength(1);
  });
});
