/**
 * The learning loop on the real stack: a champion learns from customers; simulated clients of the
 * `concept` scenario are served over HTTP and their outcomes come back; the predictions and outcomes land
 * in Iceberg; drift evidence makes the pipeline retrain on that labelled traffic; the new model beats the
 * old on the drifted clients' out-of-time holdout and is promoted with its interval. Nothing new → skipped;
 * the same data twice → not promoted; a served prediction's lineage reaches every hop.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLakeWriter, type RunningLakeWriter } from '../../consumers/lake-writer/main.js';
import { inferCallDates, publishBatch, toCustomers } from '../../producers/customers.js';
import { simulationRecords } from '../../producers/simulator/records.js';
import { simulate } from '../../producers/simulator/run.js';
import { startServing, type RunningServing } from '../../serving/start.js';
import { parseBankCsv } from '../../src/bank/csv.js';
import { startPipeline, type RunningPipeline } from '../../src/cli/commands/pipeline.js';
import { readBundledDataset } from '../../src/data/index.js';
import { isBankopsError } from '../../src/errors/index.js';
import { createKafka } from '../../src/kafka/client.js';
import { AvroProducer } from '../../src/kafka/producer.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { withLake } from '../../src/lake/duckdb.js';
import { tableRef } from '../../src/lake/snapshots.js';
import { createPipelineContext, type PipelineContext } from '../../src/pipeline/context.js';
import { readPipelineEvents, type HistoryEntry } from '../../src/pipeline/history.js';
import { lineage } from '../../src/pipeline/lineage.js';
import { promote } from '../../src/pipeline/promote.js';
import { runTrainingSession, tablesOf } from '../../src/pipeline/train-session.js';
import { buildTrainingSet } from '../../src/pipeline/training-set.js';
import { readTrainingRecord, type TrainingRecord } from '../../src/pipeline/training-record.js';
import { ALIASES, type ModelVersion } from '../../src/registry/index.js';
import {
  config,
  isolatedLake,
  isolatedTraffic,
  type IsolatedLake,
  type IsolatedTraffic,
} from './helpers/isolated-lake.js';
import { waitFor } from './helpers/wait.js';

/** Two good grid positions keep the test quick; the pipeline and the direct sessions use the same. */
const TRAINING = { gridIndices: [3, 9], nthread: 2 };
const gate = { metric: 'roc_auc' as const, floor: 0.7, margin: 0 };

let lake: IsolatedLake;
let traffic: IsolatedTraffic;
let ctx: PipelineContext;
let writer: RunningLakeWriter;
let pipeline: RunningPipeline | undefined;
let serving: RunningServing | undefined;
const producer = new AvroProducer(createKafka(config, 'bankops-test'), createRegistry(config));

const events = (): Promise<HistoryEntry[]> => readPipelineEvents(ctx.kafka, ctx.registry, lake.events);

async function count(table: string): Promise<number> {
  return withLake(config, async (l) => {
    const [row] = await l.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${tableRef(table)}`).catch(() => []);
    return Number(row?.n ?? 0);
  });
}

beforeAll(async () => {
  lake = await isolatedLake();
  traffic = await isolatedTraffic(lake);
  ctx = createPipelineContext(config, 'test-loop', {
    customersTable: `${lake.id}.customers`,
    predictionsTable: `${lake.id}.predictions`,
    groundTruthTable: `${lake.id}.ground_truth`,
    eventsTopic: lake.events,
    modelName: `bank-marketing-${lake.id}`,
    experiment: `bank-marketing-${lake.id}`,
  });
  writer = await startLakeWriter(config, {
    tables: [lake.customers, traffic.predictions, traffic.groundTruth],
    groupId: `g-${lake.id}`,
    maxBatchMs: 300,
    eventsTopic: lake.events,
    instance: `test-${lake.id}`,
  });
  // every third UCI row, in time order: every period of the campaign is there
  const records = parseBankCsv((await readBundledDataset()).toString('utf8')).filter((_, i) => i % 3 === 0);
  const batchId = `b-${randomUUID()}`;
  await publishBatch(
    producer,
    toCustomers(records, batchId, 'test', inferCallDates(records)),
    batchId,
    'test',
    {},
    undefined,
    lake.customers.topic,
    lake.events,
  );
  await waitFor(
    () => count(ctx.names.customersTable),
    (n) => n >= records.length,
    {
      what: 'the customers landed',
    },
  );
});

afterAll(async () => {
  await serving?.close();
  await pipeline?.close();
  await writer?.close();
  await ctx?.close();
  await producer.close();
});

describe('the learning loop', () => {
  it('refuses a source with no rows and a snapshot that does not exist, naming them', async () => {
    await expect(
      runTrainingSession(ctx, { trigger: 'test', options: TRAINING, sources: ['traffic'] }),
    ).rejects.toThrow(/predictions ⋈ .*ground_truth: no labelled traffic yet: nothing to train on/);
    await expect(
      runTrainingSession(ctx, { trigger: 'test', options: TRAINING, snapshots: { customers: '123' } }),
    ).rejects.toThrow(/customers has no snapshot 123/);
    expect(await ctx.mlflow.searchModelVersions(ctx.names.modelName).catch(() => [])).toHaveLength(0);
  });

  it('trains a first champion from the customers, recording every row it saw', async () => {
    const outcome = await runTrainingSession(ctx, { trigger: 'test', options: TRAINING });
    if (outcome.status !== 'trained') throw new Error(outcome.reason);
    expect(outcome.sources.map((s) => s.table)).toEqual([ctx.names.customersTable]);
    expect(outcome.excluded.reserved).toBeGreaterThan(0);
    expect(outcome.holdout.description).toContain('no champion yet');
    const version = await ctx.mlflow.getModelVersion(ctx.names.modelName, outcome.best.version);
    const record = await readTrainingRecord(ctx.mlflow, version);
    expect(record?.parts.fit.customers.length).toBeGreaterThan(5_000);
    expect(record?.seenGroups.length).toBeGreaterThan(5_000);
    expect((await promote(ctx, { ...gate })).promoted).toBe(true);
  });

  it('answers a request with nothing new by retrain.skipped, and registers nothing', async () => {
    pipeline = await startPipeline(config, {
      names: ctx.names,
      training: TRAINING,
      threshold: 1_000_000,
      minDriftLabels: 1_000,
      groupSuffix: lake.id,
    });
    const before = (await ctx.mlflow.searchModelVersions(ctx.names.modelName)).length;
    await ctx.emit('retrain.requested', { trigger: 'manual' }, 'retrain-nothing-new');
    const history = await waitFor(
      events,
      (list) => list.some((e) => e.correlationId === 'retrain-nothing-new' && e.type !== 'retrain.requested'),
      { what: 'an answer to the request' },
    );
    const answer = history.find(
      (e) => e.correlationId === 'retrain-nothing-new' && e.type !== 'retrain.requested',
    );
    expect(answer?.type).toBe('retrain.skipped');
    expect(String(answer?.payload['reason'])).toMatch(/nothing was added since v1's training/);
    expect((await ctx.mlflow.searchModelVersions(ctx.names.modelName)).length).toBe(before);
  });

  it('retrains on the drifted clients’ labelled traffic and promotes the better model with its interval', async () => {
    serving = await startServing({
      ...config,
      serving: {
        ...config.serving,
        port: 0,
        auth: 'off',
        modelName: ctx.names.modelName,
        mode: 'champion',
        events: true,
        scrapeTarget: false,
        topics: {
          predictions: traffic.predictions.topic,
          groundTruth: traffic.groundTruth.topic,
          pipelineEvents: lake.events,
        },
      },
    });
    const skip = (await events()).length;
    // what the monitor emits when the drifted clients' accuracy falls (consumers/monitor/alerts.ts): the
    // trigger waits for the outcomes of the clients that come after it
    await ctx.emit(
      'performance.degraded',
      { modelVersion: '1', variant: 'champion', window: 'last_1000', reasons: ['concept drift'] },
      '1',
    );
    const deferred = await waitFor(
      async () => (await events()).slice(skip),
      (list) => list.some((e) => e.type === 'retrain.deferred'),
      { what: 'the evidence waiting for labels' },
    );
    expect(String(deferred.find((e) => e.type === 'retrain.deferred')?.payload['reason'])).toMatch(
      /performance\.degraded about v1 at .*: 0 of 1000 labelled predictions/,
    );
    const records = await simulationRecords(config, {
      count: 2_000,
      scenario: 'concept',
      seed: 5,
      table: ctx.names.customersTable,
    });
    // synthetic clients carry the key of the reserve record they copy
    expect(new Set(records.map((r) => r.customerKey)).size).toBeLessThan(records.length);
    const summary = await simulate({
      url: serving.url,
      records,
      rate: 100,
      labelDelayMs: 300,
      labelCoverage: 1,
      seed: 5,
    });
    expect(summary.errors).toBe(0);
    const history = await waitFor(
      async () => (await events()).slice(skip),
      (list) =>
        list.some(
          (e) => e.type === 'model.promoted' || e.type === 'model.rejected' || e.type === 'retrain.failed',
        ),
      { timeoutMs: 300_000, intervalMs: 2_000, what: 'a decision on the retraining' },
    );
    const requested = history.find((e) => e.type === 'retrain.requested');
    expect(requested?.payload['trigger']).toBe('performance.degraded');
    expect(Number(requested?.payload['labelled'])).toBeGreaterThanOrEqual(1000);
    const trained = history.find((e) => e.type === 'model.trained');
    const sources = trained?.payload['sources'] as Array<{ table: string; rows: number }>;
    expect(sources.find((s) => s.table === ctx.names.predictionsTable)?.rows).toBeGreaterThanOrEqual(1000);
    const decided = history.find((e) => e.type === 'model.promoted' || e.type === 'model.rejected');
    expect(decided?.type, String(decided?.payload['reason'])).toBe('model.promoted');
    const comparison = decided?.payload['comparison'] as { low: number; rows: number; difference: number };
    expect(comparison.low).toBeGreaterThan(0);
    const heldOut = decided?.payload['traffic'] as { rows: number; candidate: number; champion: number };
    expect(heldOut.rows).toBeGreaterThan(200);
    expect(heldOut.candidate - heldOut.champion).toBeGreaterThanOrEqual(0.05);
    const version = String(decided?.payload['version']);
    const tags = (await ctx.mlflow.getModelVersion(ctx.names.modelName, version)).tags ?? [];
    expect(JSON.parse(tags.find((t) => t.key === 'bankops.gate')?.value ?? '{}')).toMatchObject({
      rows: comparison.rows,
      difference: comparison.difference,
    });
    const record = await readTrainingRecord(
      ctx.mlflow,
      await ctx.mlflow.getModelVersion(ctx.names.modelName, version),
    );
    expect(record?.holdout.kind).toBe('new-rows');
    expect(record?.holdout.traffic).toBeGreaterThan(200);
  });

  it('counts each prediction once when its outcome was reported twice', async () => {
    const running = serving as RunningServing;
    const [first] = await simulationRecords(config, { count: 1, seed: 3, table: ctx.names.customersTable });
    const answered = await simulate({
      url: running.url,
      records: [first as NonNullable<typeof first>],
      rate: 10,
      labelDelayMs: 0,
      labelCoverage: 1,
    });
    const id = answered.predictions[0]?.predictionId as string;
    const again = await fetch(`${running.url}/v1/ground-truth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ labels: [{ predictionId: id, outcome: !first?.outcome }] }),
    });
    expect(again.status).toBe(200);
    const build = () =>
      withLake(config, (l) =>
        buildTrainingSet(l, tablesOf(ctx.names), ctx.names.modelName, {
          sources: ['traffic'],
          trafficWindowMs: 3_600_000,
          trafficWeight: 1,
          reserve: 0.1,
        }),
      );
    const set = await waitFor(
      build,
      (s) => s.rows.some((r) => r.id === id) && s.excluded.duplicateLabels >= 1,
      {
        what: 'the prediction and both its outcomes in the lake',
      },
    );
    const ids = set.rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // the first outcome counts, as in the monitor
    expect(set.rows.find((r) => r.id === id)?.label).toBe(first?.outcome ? 1 : 0);
  });

  it('does not promote a model trained on the same data again', async () => {
    const champion = await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion);
    // exactly the champion's data: its sources at its snapshots, its drifted period
    const { spec } = (await readTrainingRecord(ctx.mlflow, champion as ModelVersion)) as TrainingRecord;
    const same = {
      sources: spec.sources,
      snapshots: spec.snapshots,
      ...(spec.trafficSince !== undefined ? { trafficSince: spec.trafficSince } : {}),
    };
    expect((await runTrainingSession(ctx, { trigger: 'test', options: TRAINING, ...same })).status).toBe(
      'skipped',
    );
    const again = await runTrainingSession(ctx, { trigger: 'test', options: TRAINING, ...same, force: true });
    if (again.status !== 'trained') throw new Error(again.reason);
    expect(again.holdout.kind).toBe('champion-holdout');
    const decision = await promote(ctx, { ...gate, version: again.best.version });
    expect(decision.promoted).toBe(false);
    expect(decision.comparison?.difference).toBe(0);
    expect(decision.reason).toContain('not significantly better');
    expect((await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion))?.version).toBe(
      champion?.version,
    );
    // a rejected challenger keeps no alias: nobody is answered by it
    expect(await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.challenger)).toBeUndefined();
  });

  it('follows a served prediction back to the snapshots and batches its model learned from', async () => {
    const running = serving as RunningServing;
    const champion = (await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion))?.version;
    await waitFor(
      async () =>
        (await (await fetch(`${running.url}/v1/model`)).json()) as { champion?: { version: string } },
      (m) => m.champion?.version === champion,
      { what: 'serving to swap to the new champion' },
    );
    const [record] = await simulationRecords(config, { count: 1, seed: 9, table: ctx.names.customersTable });
    const answer = await simulate({
      url: running.url,
      records: [record as NonNullable<typeof record>],
      rate: 10,
      labelDelayMs: 0,
      labelCoverage: 1,
    });
    const id = answer.predictions[0]?.predictionId as string;
    const found = await waitFor(
      () =>
        lineage(ctx, id).catch((e: unknown) =>
          isBankopsError(e) && e.code === 'NOT_FOUND' ? undefined : Promise.reject(e),
        ),
      (l) => l !== undefined && l.groundTruth !== null,
      { what: 'the prediction and its outcome in the lake' },
    );
    const l = found as NonNullable<typeof found>;
    expect(l.prediction).toMatchObject({ predictionId: id, modelVersion: champion, variant: 'champion' });
    expect(l.prediction.customerKey).toBe(record?.customerKey);
    expect(l.groundTruth?.outcome).toBe(record?.outcome);
    expect(l.model).toMatchObject({ version: champion, aliases: ['champion'] });
    expect(l.run.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(l.training.sources.map((s) => s.table)).toEqual([
      ctx.names.customersTable,
      ctx.names.predictionsTable,
      ctx.names.groundTruthTable,
    ]);
    for (const source of l.training.sources) {
      expect(source.exists, `${source.table}@${source.snapshotId}`).toBe(true);
      expect(source.rows).toBeGreaterThan(0);
    }
    expect(l.training.sources[0]?.batches.length).toBeGreaterThan(0);
    await expect(lineage(ctx, 'no-such-prediction')).rejects.toThrow(/is not in .*predictions/);
  });
});
