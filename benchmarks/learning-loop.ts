/**
 * The learning loop, measured on the real stack in namespaces of its own (the demo's tables are not
 * touched). Needs the stack (`make stack-up`). Run: `npx tsx benchmarks/learning-loop.ts [--traffic 100000]`.
 *
 * 1. Training-set build from the lake: customers (the UCI rows) and N labelled predictions (predictions ⋈
 *    outcomes at two snapshots), rows as the trainer reads them.
 * 2. The concept drift end to end with the demo's sizes (45,211 UCI rows + a 2,000-row batch, the configured
 *    grid): a champion; drifted clients served over HTTP with their outcomes; drift evidence; the time from
 *    the labelled-row threshold (the trigger's request) to the new champion answering; the lift in ROC-AUC on
 *    the drifted clients' held-out traffic.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startLakeWriter } from '../consumers/lake-writer/main.js';
import { IcebergSink } from '../src/lake/sink.js';
import { TABLES, type TableSpec } from '../src/lake/tables.js';
import { inferCallDates, publishBatch, toCustomers } from '../producers/customers.js';
import { simulationRecords } from '../producers/simulator/records.js';
import { simulate } from '../producers/simulator/run.js';
import { synthesize } from '../producers/synthetic.js';
import { startServing } from '../serving/start.js';
import { parseBankCsv } from '../src/bank/csv.js';
import { TYPICAL_CUSTOMER } from '../src/bank/sample.js';
import { startPipeline } from '../src/cli/commands/pipeline.js';
import { trainingOptions } from '../src/cli/commands/train.js';
import { getConfig } from '../src/config/index.js';
import { readBundledDataset } from '../src/data/index.js';
import { createKafka } from '../src/kafka/client.js';
import { AvroProducer } from '../src/kafka/producer.js';
import { createRegistry } from '../src/kafka/registry.js';
import { applyTopics, type TopicSpec } from '../src/kafka/topics.js';
import { openLake, withLake } from '../src/lake/duckdb.js';
import { createPipelineContext } from '../src/pipeline/context.js';
import { readPipelineEvents } from '../src/pipeline/history.js';
import { promote } from '../src/pipeline/promote.js';
import { runTrainingSession } from '../src/pipeline/train-session.js';
import { buildTrainingSet } from '../src/pipeline/training-set.js';

const { values } = parseArgs({ options: { traffic: { type: 'string', default: '100000' } } });
const TRAFFIC = Number(values.traffic);
const config = getConfig();
const kafka = createKafka(config, 'bankops-bench');
const registry = createRegistry(config);
const uci = parseBankCsv((await readBundledDataset()).toString('utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const spec = (table: string, namespace: string, topic: string): TableSpec => {
  const base = TABLES.find((t) => t.table === table);
  if (!base) throw new Error(`no ${table} spec`);
  return { ...base, namespace, topic };
};
const lineage = (topic: string, partition: number, offset: number) => ({
  batch_id: null,
  _topic: topic,
  _partition: partition,
  _offset: BigInt(offset),
  _ingested_at: Date.now(),
});

/** 1. N labelled predictions written straight into Iceberg (the sink the lake writer uses), then read back. */
async function trainingSetBuild(): Promise<void> {
  const id = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const predictions = spec('predictions', id, `bench.${id}.predictions`);
  const labels = spec('ground_truth', id, `bench.${id}.ground-truth`);
  const customers = spec('customers', id, `bench.${id}.customers`);
  const sink = new IcebergSink(() => openLake(config));
  const start = Date.now() - 3_600_000;
  const customerRows = toCustomers(uci, id, 'uci', inferCallDates(uci)).map((c, i) => ({
    ...c,
    ...lineage(customers.topic, 0, i),
    batch_id: id,
  }));
  await sink.append(customers, customerRows);
  for (let from = 0; from < TRAFFIC; from += 50_000) {
    const n = Math.min(50_000, TRAFFIC - from);
    const p = Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return {
        prediction_id: `p-${i}`,
        event_time: start + i,
        model_name: 'bench',
        model_version: '1',
        variant: 'champion',
        customer_key: `c-${i % 20_000}`,
        features_json: JSON.stringify({ ...TYPICAL_CUSTOMER, age: 20 + (i % 60) }),
        probability: (i % 100) / 100,
        decision: i % 7 === 0,
        threshold: 0.3,
        latency_ms: 1,
        route: '/v1/predict',
        ...lineage(predictions.topic, 0, i),
      };
    });
    const g = p.map((row, k) => ({
      prediction_id: row.prediction_id,
      event_time: row.event_time + 1_000,
      outcome: (from + k) % 9 === 0,
      source: 'bench',
      ...lineage(labels.topic, 0, from + k),
    }));
    await sink.append(predictions, p);
    await sink.append(labels, g);
  }
  sink.close();
  const tables = {
    customers: `${id}.customers`,
    predictions: `${id}.predictions`,
    groundTruth: `${id}.ground_truth`,
  };
  for (const sources of [['traffic'], ['customers', 'traffic']] as const) {
    const times: number[] = [];
    let rows = 0;
    for (let run = 0; run < 3; run += 1) {
      const t0 = performance.now();
      const set = await withLake(config, (lake) =>
        buildTrainingSet(lake, tables, 'bench', {
          sources: [...sources],
          trafficWindowMs: 30 * 86_400_000,
          trafficWeight: 10,
          reserve: 0.1,
        }),
      );
      times.push(performance.now() - t0);
      rows = set.rows.length;
    }
    times.sort((a, b) => a - b);
    console.log(
      `training set from ${sources.join(' + ')}: ${rows} rows in ${(times[1] as number).toFixed(0)} ms (median of 3; min ${(times[0] as number).toFixed(0)} ms)`,
    );
  }
}

/** 2. The concept drift, threshold → new champion serving, and the lift on held-out drifted traffic. */
async function conceptLoop(): Promise<void> {
  const id = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const topic = (name: string, schema: string, partitions = 3): TopicSpec => ({
    name,
    partitions,
    retentionMs: -1,
    cleanupPolicy: 'delete',
    key: 'k',
    schema,
  });
  const events = `bench.${id}.events`;
  const tables = [
    spec('customers', id, `bench.${id}.customers`),
    spec('predictions', id, `bench.${id}.predictions`),
    spec('ground_truth', id, `bench.${id}.ground-truth`),
  ] as const;
  await applyTopics(config, kafka, registry, [
    topic(tables[0].topic, 'customer.avsc'),
    topic(tables[1].topic, 'prediction.avsc'),
    topic(tables[2].topic, 'ground-truth.avsc'),
    topic(events, 'pipeline-event.avsc', 1),
  ]);
  const names = {
    customersTable: `${id}.customers`,
    predictionsTable: `${id}.predictions`,
    groundTruthTable: `${id}.ground_truth`,
    eventsTopic: events,
    modelName: `bank-marketing-${id}`,
    experiment: `bank-marketing-${id}`,
  };
  const ctx = createPipelineContext(config, 'bench', names);
  const writer = await startLakeWriter(config, {
    tables: [...tables],
    groupId: `g-${id}`,
    eventsTopic: events,
    instance: `bench-${id}`,
    metricsPort: 0,
  });
  const producer = new AvroProducer(kafka, registry);
  await publishBatch(
    producer,
    toCustomers(uci, `uci-${id}`, 'uci', inferCallDates(uci)),
    `uci-${id}`,
    'uci',
    {},
    undefined,
    tables[0].topic,
    events,
  );
  const older = synthesize(uci, { rows: 2_000, seed: 3, scenario: 'older' });
  await publishBatch(
    producer,
    toCustomers(
      older,
      `older-${id}`,
      'synthetic',
      older.map(() => Date.now()),
    ),
    `older-${id}`,
    'synthetic',
    {},
    undefined,
    tables[0].topic,
    events,
  );
  await producer.close();
  const landed = async () =>
    withLake(config, async (l) =>
      Number((await l.all<{ n: bigint }>(`SELECT count(*) AS n FROM lake."${id}".customers`))[0]?.n ?? 0),
    ).catch(() => 0);
  while ((await landed()) < uci.length + 2_000) await sleep(1_000);
  const training = trainingOptions(config, { split: 'stratified' });
  const first = await runTrainingSession(ctx, { trigger: 'bench', options: training });
  if (first.status !== 'trained') throw new Error(first.reason);
  await promote(ctx, { ...config.promotion });
  const pipeline = await startPipeline(config, {
    names,
    training,
    threshold: 1_000_000_000,
    groupSuffix: id,
  });
  const serving = await startServing({
    ...config,
    serving: {
      ...config.serving,
      port: 0,
      auth: 'off',
      modelName: names.modelName,
      mode: 'champion',
      events: true,
      scrapeTarget: false,
      topics: { predictions: tables[1].topic, groundTruth: tables[2].topic, pipelineEvents: events },
    },
  });
  await ctx.emit(
    'drift.detected',
    { modelVersion: first.best.version, variant: 'champion' },
    first.best.version,
  );
  const records = await simulationRecords(config, {
    count: 4_000,
    scenario: ['telephone', 'concept'],
    seed: 21,
    table: names.customersTable,
  });
  const controller = new AbortController();
  // the demo's clients: 40 a second, outcomes 2 s later
  const clients = simulate({
    url: serving.url,
    records,
    rate: 40,
    labelDelayMs: 2_000,
    labelCoverage: 1,
    signal: controller.signal,
  });
  let requestedAt: number | undefined;
  let decided: Record<string, unknown> | undefined;
  let decidedType = '';
  for (const deadline = Date.now() + 400_000; Date.now() < deadline && decided === undefined;) {
    await sleep(1_000);
    const history = await readPipelineEvents(ctx.kafka, ctx.registry, events);
    const request = history.find((e) => e.type === 'retrain.requested');
    if (request) requestedAt = Date.parse(request.time);
    const decision =
      history.find((e) => e.type === 'model.promoted' && e.payload['version'] !== first.best.version) ??
      history.find((e) => e.type === 'model.rejected');
    if (decision) {
      decided = decision.payload;
      decidedType = decision.type;
    }
  }
  let servingAt: number | undefined;
  if (decidedType === 'model.promoted') {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const model = (await (await fetch(`${serving.url}/v1/model`)).json()) as {
        champion?: { version?: string };
      };
      if (model.champion?.version === String(decided?.['version'])) {
        servingAt = Date.now();
        break;
      }
      await sleep(100);
    }
  }
  controller.abort();
  await clients;
  const traffic = decided?.['traffic'] as { rows: number; candidate: number; champion: number } | undefined;
  const comparison = decided?.['comparison'] as
    { difference: number; low: number; high: number; rows: number } | undefined;
  console.log(`concept drift, demo sizes (grid of ${training.gridLimit ?? 18}):`);
  console.log(`  decision: ${decidedType} — ${String(decided?.['reason'])}`);
  if (traffic)
    console.log(
      `  held-out drifted traffic: ${traffic.rows} clients, ROC-AUC ${traffic.champion.toFixed(3)} → ${traffic.candidate.toFixed(3)} (lift ${(traffic.candidate - traffic.champion).toFixed(3)})`,
    );
  if (comparison)
    console.log(
      `  gate: ${comparison.difference.toFixed(3)} [${comparison.low.toFixed(3)}, ${comparison.high.toFixed(3)}] on ${comparison.rows} rows`,
    );
  if (requestedAt && servingAt)
    console.log(
      `  labelled-row threshold (retrain.requested) → new champion answering: ${((servingAt - requestedAt) / 1000).toFixed(1)} s`,
    );
  await serving.close();
  await pipeline.close();
  await writer.close();
  await ctx.close();
}

await trainingSetBuild();
await conceptLoop();
process.exit(0);
