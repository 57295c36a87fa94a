/**
 * Progressive delivery on the real stack: serving, the monitor and the promoter each in this process,
 * on topics, tables and a registered model of this test's own. A canary of a better model is promoted by
 * the labels of the customers it answered; a canary of a worse one is rolled back by itself; a shadow
 * scores every request beside the champion, which answers all; the time limit rolls back an undecided
 * rollout; the split lives in the registry (a second server meets the same split, customers stay with
 * their version) and a restarted monitor reaches the same decision.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLakeWriter, type RunningLakeWriter } from '../../consumers/lake-writer/main.js';
import { startMonitor, type RunningMonitor } from '../../consumers/monitor/main.js';
import { startPromoter } from '../../consumers/promoter/main.js';
import { inferCallDates, publishBatch, toCustomers } from '../../producers/customers.js';
import { simulationRecords, type SimulatedRecord } from '../../producers/simulator/records.js';
import { simulate } from '../../producers/simulator/run.js';
import { startServing, type RunningServing } from '../../serving/start.js';
import { parseBankCsv } from '../../src/bank/csv.js';
import { readBundledDataset } from '../../src/data/index.js';
import type { RunningConsumer } from '../../src/kafka/consumer.js';
import { createKafka } from '../../src/kafka/client.js';
import { AvroProducer } from '../../src/kafka/producer.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { withLake } from '../../src/lake/duckdb.js';
import { bankRecordOf, readCustomers } from '../../src/lake/readers.js';
import { tableRef } from '../../src/lake/snapshots.js';
import { createPipelineContext, type PipelineContext } from '../../src/pipeline/context.js';
import { readPipelineEvents, type HistoryEntry } from '../../src/pipeline/history.js';
import { activeRollout, startRollout, type StartRollout } from '../../src/pipeline/rollout.js';
import { runTrainingSession } from '../../src/pipeline/train-session.js';
import { ALIASES } from '../../src/registry/index.js';
import { bankLabels, buildBundle, mulberry32, trainCandidates } from '../../src/training/index.js';
import {
  config,
  isolatedLake,
  isolatedTraffic,
  type IsolatedLake,
  type IsolatedTraffic,
} from './helpers/isolated-lake.js';
import { waitFor } from './helpers/wait.js';

const TRAINING = { gridIndices: [3], nthread: 2 };
const MIN_LABELS = 300;

let lake: IsolatedLake;
let traffic: IsolatedTraffic;
let ctx: PipelineContext;
let writer: RunningLakeWriter;
let serving: RunningServing;
let monitor: RunningMonitor;
let promoter: RunningConsumer;
let good: string;
let shuffled: string;
let flipped: string;
let customers: SimulatedRecord[];
const cleanups: Array<() => Promise<unknown>> = [];

const events = (): Promise<HistoryEntry[]> => readPipelineEvents(ctx.kafka, ctx.registry, lake.events);

const servingConfig = () => ({
  ...config,
  serving: {
    ...config.serving,
    port: 0,
    auth: 'off' as const,
    modelName: ctx.names.modelName,
    mode: 'champion' as const,
    events: true,
    scrapeTarget: false,
    pollMs: 600_000,
    topics: {
      predictions: traffic.predictions.topic,
      groundTruth: traffic.groundTruth.topic,
      pipelineEvents: lake.events,
    },
  },
});

async function startMonitorHere(since: number): Promise<RunningMonitor> {
  return startMonitor(
    { ...config, monitor: { ...config.monitor, minLabels: 30 } },
    {
      topics: {
        predictions: traffic.predictions.topic,
        groundTruth: traffic.groundTruth.topic,
        pipelineEvents: lake.events,
      },
      groupId: `g-monitor-${lake.id}`,
      metricsPort: null,
      scrapeTarget: null,
      historyTable: null,
      intervalMs: 500,
      since,
      lagGroups: [],
      modelName: ctx.names.modelName,
    },
  );
}

/**
 * A model registered as it is, trained on shuffled labels (ROC-AUC ≈ 0.5) or on flipped ones (worse than
 * chance: a champion any real model beats by far, so the test does not hang on sampling noise).
 */
async function registerBroken(how: 'shuffled' | 'flipped'): Promise<string> {
  const rows = await withLake(config, (l) => readCustomers(l, { table: ctx.names.customersTable }));
  const labels = bankLabels(rows);
  if (how === 'flipped') {
    for (let i = 0; i < labels.length; i += 1) labels[i] = 1 - (labels[i] as number);
  } else {
    const random = mulberry32(5);
    for (let i = labels.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [labels[i], labels[j]] = [labels[j] as number, labels[i] as number];
    }
  }
  const result = trainCandidates({ rows: rows.map(bankRecordOf), labels, options: TRAINING });
  const experiment = await ctx.mlflow.getOrCreateExperiment(ctx.names.experiment);
  const run = await ctx.mlflow.createRun({
    experimentId: experiment.experiment_id,
    runName: `${how} labels`,
  });
  await ctx.mlflow.uploadDirectory(run.info.run_id, 'model', new Map(Object.entries(buildBundle(result))));
  await ctx.mlflow.updateRun(run.info.run_id, 'FINISHED');
  const version = await ctx.mlflow.createModelVersion({
    name: ctx.names.modelName,
    source: `runs:/${run.info.run_id}/model`,
    runId: run.info.run_id,
  });
  return version.version;
}

/** Serving follows rollout events: wait until it shows the split (or no challenger). */
async function servingSplit(target: RunningServing, mode: string) {
  return waitFor(
    async () =>
      (await (await fetch(`${target.url}/v1/model`)).json()) as {
        mode: string;
        challenger: unknown;
        share: number;
      },
    (m) => m.mode === mode && (mode === 'champion' ? m.challenger === null : m.challenger !== null),
    { what: `serving in ${mode} mode` },
  );
}

async function roll(version: string, champion: string, policy: StartRollout['policy'], maxMs = 600_000) {
  await ctx.mlflow.setAlias(ctx.names.modelName, ALIASES.champion, champion);
  const state = await startRollout(ctx, {
    version,
    champion,
    policy,
    share: 0.5,
    minLabels: MIN_LABELS,
    maxMs,
    metric: 'roc_auc',
    reason: 'test',
  });
  return state;
}

async function decisionOf(version: string, skip: number) {
  return waitFor(
    async () => (await events()).slice(skip),
    (list) =>
      list.some(
        (e) =>
          (e.type === 'model.promoted' || e.type === 'rollout.rolled-back') &&
          e.payload['version'] === version,
      ),
    { timeoutMs: 240_000, intervalMs: 1_000, what: `the rollout of v${version} decided` },
  );
}

beforeAll(async () => {
  lake = await isolatedLake();
  traffic = await isolatedTraffic(lake);
  ctx = createPipelineContext(config, 'test-rollout', {
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
  const records = parseBankCsv((await readBundledDataset()).toString('utf8')).filter((_, i) => i % 3 === 0);
  const producer = new AvroProducer(createKafka(config, 'bankops-test'), createRegistry(config));
  await publishBatch(
    producer,
    toCustomers(records, `b-${randomUUID()}`, 'test', inferCallDates(records)),
    `b-${lake.id}`,
    'test',
    {},
    undefined,
    lake.customers.topic,
    lake.events,
  );
  await producer.close();
  await waitFor(
    () =>
      withLake(config, async (l) =>
        Number(
          (
            await l
              .all<{ n: bigint }>(`SELECT count(*) AS n FROM ${tableRef(ctx.names.customersTable)}`)
              .catch(() => [])
          )[0]?.n ?? 0,
        ),
      ),
    (n) => n >= records.length,
    { what: 'the customers landed' },
  );
  const trained = await runTrainingSession(ctx, {
    trigger: 'test',
    sources: ['customers'],
    options: TRAINING,
  });
  if (trained.status !== 'trained') throw new Error(trained.reason);
  good = trained.best.version;
  shuffled = await registerBroken('shuffled');
  flipped = await registerBroken('flipped');
  await ctx.mlflow.deleteAlias(ctx.names.modelName, ALIASES.challenger).catch(() => undefined);
  await ctx.mlflow.setAlias(ctx.names.modelName, ALIASES.champion, good);
  // every customer twice: a sticky split sends both calls to the same version
  const once = await simulationRecords(config, { count: 800, seed: 4, table: ctx.names.customersTable });
  customers = [...once, ...once];
  serving = await startServing(servingConfig());
  monitor = await startMonitorHere(Date.now());
  promoter = await startPromoter(ctx, {
    metric: 'roc_auc',
    floor: 0.5,
    margin: 0,
    groupId: `g-promoter-${lake.id}`,
  });
  cleanups.push(
    () => promoter.close(),
    () => monitor.close(),
    () => serving.close(),
  );
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await writer?.close();
  await ctx?.close();
});

const clients = (records: readonly SimulatedRecord[], target = serving) =>
  simulate({ url: target.url, records, rate: 250, labelDelayMs: 200, labelCoverage: 1, seed: 3 });

describe('a rollout decided by delayed labels', () => {
  it('promotes a canary that beats the champion on the labels of its own customers; the split is sticky and lives in the registry', async () => {
    const skip = (await events()).length;
    const state = await roll(good, flipped, 'canary');
    expect(state).toMatchObject({ policy: 'canary', share: 0.5, stage: 'collecting' });
    const split = await servingSplit(serving, 'ab');
    expect(split.share).toBe(0.5);
    // a server started now reads the same split from the registry
    const second = await startServing(servingConfig());
    cleanups.push(() => second.close());
    expect((await servingSplit(second, 'ab')).share).toBe(0.5);
    await Promise.all([clients(customers.slice(0, 800)), clients(customers.slice(800), second)]);
    const history = await decisionOf(good, skip);
    const decided = history.find((e) => e.type === 'rollout.decided');
    expect(decided?.payload, String(decided?.payload['reason'])).toMatchObject({
      action: 'promote',
      by: 'labels',
    });
    const comparison = decided?.payload['comparison'] as {
      low: number;
      method: string;
      rows: { candidate: number };
    };
    expect(comparison.low).toBeGreaterThan(0);
    expect(comparison.method).toMatch(/two-sample/);
    expect(comparison.rows.candidate).toBe(MIN_LABELS);
    expect(history.some((e) => e.type === 'model.promoted' && e.payload['version'] === good)).toBe(true);
    expect((await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion))?.version).toBe(good);
    expect(await activeRollout(ctx)).toBeUndefined();
    // sticky: while the canary ran, every customer met one version, whichever server answered
    const promotedAt = Date.parse(
      history.find((e) => e.type === 'model.promoted' && e.payload['version'] === good)?.time ?? '',
    );
    const versions = await waitFor(
      () =>
        withLake(config, (l) =>
          l.all<{ customer_key: string; n: bigint; versions: bigint }>(
            `SELECT customer_key, count(*) AS n, count(DISTINCT model_version) AS versions
               FROM ${tableRef(ctx.names.predictionsTable)} WHERE variant <> 'shadow'
                AND event_time < make_timestamptz(${promotedAt * 1000}) GROUP BY 1`,
          ),
        ),
      (rows) => rows.length > 0,
      { what: 'the canary predictions landed' },
    );
    expect(versions.reduce((n, r) => n + Number(r.n), 0)).toBeGreaterThan(2 * MIN_LABELS);
    for (const row of versions) expect(Number(row.versions), row.customer_key).toBe(1);
  });

  it('rolls back a worse canary by itself; its customers go back to the champion', async () => {
    const skip = (await events()).length;
    await roll(shuffled, good, 'canary');
    await servingSplit(serving, 'ab');
    // the monitor restarts mid-rollout: it replays the rollout's traffic and judges the same way
    await clients(customers.slice(0, 300));
    await monitor.close();
    monitor = await startMonitorHere(Date.now() - 120_000);
    await clients(customers.slice(300, 1600));
    const history = await decisionOf(shuffled, skip);
    const decided = history.filter((e) => e.type === 'rollout.decided');
    expect(decided.every((e) => e.payload['action'] === 'rollback')).toBe(true);
    expect(history.some((e) => e.type === 'rollout.rolled-back' && e.payload['version'] === shuffled)).toBe(
      true,
    );
    expect(await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.challenger)).toBeUndefined();
    await servingSplit(serving, 'champion');
    const after = await clients(customers.slice(0, 20));
    expect(after.errors).toBe(0);
  });

  it('shadows every request beside the champion, which answers all, and decides on the same customers', async () => {
    const skip = (await events()).length;
    await roll(shuffled, good, 'shadow');
    await servingSplit(serving, 'shadow');
    const answered = await clients(customers.slice(0, 800));
    expect(answered.errors).toBe(0);
    const history = await decisionOf(shuffled, skip);
    const decided = history.find((e) => e.type === 'rollout.decided');
    expect(decided?.payload['action']).toBe('rollback');
    expect(String((decided?.payload['comparison'] as { method: string }).method)).toMatch(/paired/);
    const variants = await waitFor(
      () =>
        withLake(config, (l) =>
          l.all<{ variant: string; n: bigint; linked: bigint }>(
            `SELECT variant, count(*) AS n, count(shadow_of) AS linked FROM ${tableRef(ctx.names.predictionsTable)}
              WHERE event_time >= make_timestamptz(${Date.parse(String((decided?.payload['rollout'] as { startedAt: string }).startedAt)) * 1000})
              GROUP BY 1`,
          ),
        ),
      (rows) => rows.some((r) => r.variant === 'shadow' && Number(r.n) >= MIN_LABELS),
      { what: 'the shadow scores landed' },
    );
    const byVariant = Object.fromEntries(variants.map((r) => [r.variant, r]));
    // the champion answered every request; each shadow score names the answer it shadows
    expect(byVariant['challenger']).toBeUndefined();
    expect(Number(byVariant['shadow']?.linked)).toBe(Number(byVariant['shadow']?.n));
  });

  it('rolls back a rollout that no label decided within its time limit', async () => {
    const skip = (await events()).length;
    await roll(shuffled, good, 'canary', 1_500);
    const history = await decisionOf(shuffled, skip);
    const decided = history.find((e) => e.type === 'rollout.decided');
    expect(decided?.payload).toMatchObject({ action: 'rollback', by: 'time-limit' });
    expect(String(decided?.payload['reason'])).toMatch(/^time limit/);
  });
});
