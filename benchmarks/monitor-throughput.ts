/**
 * The monitoring consumer on the real Kafka: predictions joined with labels per second (replay at start,
 * and live), and the delay from a label being acknowledged by Kafka to the join taking it and to the
 * accuracy gauges moving. Uses topics of its own and the real champion's reference statistics.
 * The live traffic is produced by a child process, as serving and the label feed are other processes
 * than the monitor (in this one, encoding and producing would take the monitor's event loop: the
 * `--in-process` flag does so, for comparison with earlier figures).
 * Prints numbers; asserts nothing.  Run: npx tsx benchmarks/monitor-throughput.ts [N] [--in-process]
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startMonitor } from '../consumers/monitor/main.js';
import { getConfig } from '../src/config/index.js';
import { createKafka } from '../src/kafka/client.js';
import type { GroundTruth, Prediction } from '../src/kafka/generated/types.js';
import { AvroProducer } from '../src/kafka/producer.js';
import { createRegistry } from '../src/kafka/registry.js';
import { TYPICAL_CUSTOMER } from '../src/bank/sample.js';
import { applyTopics, deleteTopics } from '../src/kafka/topics.js';
import { MlflowClient } from '../src/registry/index.js';

const CHILD = '--live-producer';
const base = getConfig();
const config = { ...base, logLevel: 'warn' as const, monitor: { ...base.monitor, intervalMs: 1_000 } };
const kafka = createKafka(config, 'bankops-bench-monitor');
const registry = createRegistry(config);

const features = JSON.stringify({ ...TYPICAL_CUSTOMER, duration: 200 });

interface Traffic {
  predictions: Prediction[];
  labels: GroundTruth[];
}

interface LiveJob {
  topics: { predictions: string; groundTruth: string };
  n: number;
  seq: number;
  version: string;
}

let seq = 0;
function batch(n: number, version: string): Traffic {
  const predictions: Prediction[] = [];
  const labels: GroundTruth[] = [];
  for (let i = 0; i < n; i += 1) {
    const now = Date.now();
    const probability = ((seq * 7919) % 1000) / 1000;
    const predictionId = randomUUID();
    seq += 1;
    predictions.push({
      prediction_id: predictionId,
      event_time: now,
      model_name: 'bank-marketing',
      model_version: version,
      variant: 'champion',
      customer_key: null,
      features_json: features,
      probability,
      decision: probability >= 0.5,
      threshold: 0.5,
      latency_ms: 1,
      route: '/v1/predict',
      shadow_of: null,
    });
    labels.push({
      prediction_id: predictionId,
      event_time: now + 1,
      outcome: seq % 3 === 0,
      source: 'bench',
    });
  }
  return { predictions, labels };
}

async function send(producer: AvroProducer, to: LiveJob['topics'], b: Traffic): Promise<void> {
  await producer.send(
    to.predictions,
    b.predictions.map((p) => ({ key: p.prediction_id, value: p })),
  );
  await producer.send(
    to.groundTruth,
    b.labels.map((l) => ({ key: l.prediction_id, value: l })),
  );
}

/** Child process: builds the live traffic, says `ready`, sends it on `go`, replies with the send time. */
async function produceLive(job: LiveJob): Promise<void> {
  seq = job.seq;
  const producer = new AvroProducer(createKafka(config, 'bankops-bench-monitor-live'), registry);
  await producer.connect();
  await producer.schemaId(job.topics.predictions);
  await producer.schemaId(job.topics.groundTruth);
  const traffic = batch(job.n, job.version);
  const go = once(process, 'message');
  process.send?.('ready');
  await go;
  const t0 = performance.now();
  await send(producer, job.topics, traffic);
  process.send?.(performance.now() - t0);
  await producer.close();
  process.disconnect();
}

/** Polls until `done()`; a stuck run fails with what it was waiting for instead of hanging. */
async function waitUntil(done: () => boolean | Promise<boolean>, what: () => string, everyMs = 10) {
  const deadline = performance.now() + 300_000;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function main(N: number, inProcess: boolean): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const topics = {
    predictions: `bench.${id}.predictions`,
    groundTruth: `bench.${id}.ground-truth`,
    pipelineEvents: `bench.${id}.events`,
  };
  const spec = (name: string, schema: string, partitions = 3) => ({
    name,
    partitions,
    retentionMs: 3_600_000,
    cleanupPolicy: 'delete' as const,
    key: 'id',
    schema,
  });
  await applyTopics(config, kafka, registry, [
    spec(topics.predictions, 'prediction.avsc'),
    spec(topics.groundTruth, 'ground-truth.avsc'),
    spec(`${topics.groundTruth}.dlq`, 'dead-letter.avsc', 1),
    spec(topics.pipelineEvents, 'pipeline-event.avsc', 1),
  ]);
  const champion = await new MlflowClient(config).getVersionByAlias('bank-marketing', 'champion');
  const version = champion?.version ?? '1';
  const producer = new AvroProducer(kafka, registry);
  await producer.connect();
  const opts = {
    topics,
    groupId: `bench-monitor-${id}`,
    metricsPort: 0,
    scrapeTarget: null,
    historyTable: null,
    lagGroups: [],
  };

  // 1. Replay: N predictions and N labels already on the topics when the monitor starts.
  await send(producer, topics, batch(N, version));
  let t0 = performance.now();
  let running = await startMonitor(config, opts);
  await running.replayed;
  const replayMs = performance.now() - t0;
  console.log(
    `replay at start: ${N} predictions + ${N} labels joined in ${(replayMs / 1000).toFixed(2)} s = ${Math.round(N / (replayMs / 1000))} joined pairs/s`,
  );

  // 2. Live: another N pairs produced while the monitor runs (time from the first send to the last join).
  const target = 2 * N;
  let producedMs: number;
  if (inProcess) {
    const live = batch(N, version);
    t0 = performance.now();
    await send(producer, topics, live);
    producedMs = performance.now() - t0;
  } else {
    const job: LiveJob = { topics, n: N, seq, version };
    seq += N;
    const child = fork(fileURLToPath(import.meta.url), [CHILD, JSON.stringify(job)]);
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const failed = exited.then(([code]) => {
      throw new Error(`the live producer exited (code ${code}) before reporting`);
    });
    const next = () => Promise.race([once(child, 'message') as Promise<[unknown]>, failed]);
    const [ready] = await next();
    if (ready !== 'ready') throw new Error(`live producer said ${String(ready)}`);
    const produced = next();
    t0 = performance.now();
    child.send('go');
    producedMs = Number((await produced)[0]);
    await exited;
  }
  await waitUntil(
    () => running.monitor.join.stats().joined >= target,
    () => `${target} joined (${JSON.stringify(running.monitor.join.stats())})`,
  );
  const liveMs = performance.now() - t0;
  console.log(
    `live (${inProcess ? 'producer in this process' : 'producer in a child process'}): produced ${N} pairs in ${(producedMs / 1000).toFixed(2)} s; all joined after ${(liveMs / 1000).toFixed(2)} s = ${Math.round(N / (liveMs / 1000))} joined pairs/s end to end`,
  );

  // 3. Delay from a label acknowledged by Kafka to the join, and to the accuracy gauge (tick every 1 s).
  const joinDelays: number[] = [];
  const gaugeDelays: number[] = [];
  const labelsGauge = async () =>
    (await running.registry.getMetricsAsJSON()).find((m) => m.name === 'bankops_model_labels_total')
      ?.values[0]?.value ?? 0;
  for (let round = 0; round < 10; round += 1) {
    const b = batch(20, version);
    await producer.send(
      topics.predictions,
      b.predictions.map((p) => ({ key: p.prediction_id, value: p })),
    );
    const predictions = target + (round + 1) * 20;
    await waitUntil(
      () => running.monitor.join.stats().predictions >= predictions,
      () => `${predictions} predictions`,
      5,
    );
    const joinedBefore = running.monitor.join.stats().joined;
    const gaugeBefore = await labelsGauge();
    await producer.send(
      topics.groundTruth,
      b.labels.map((l) => ({ key: l.prediction_id, value: l })),
    );
    const sent = performance.now();
    await waitUntil(
      () => running.monitor.join.stats().joined >= joinedBefore + 20,
      () => `${joinedBefore + 20} joined`,
      2,
    );
    joinDelays.push(performance.now() - sent);
    await waitUntil(
      async () => (await labelsGauge()) >= gaugeBefore + 20,
      () => `the labels gauge to reach ${gaugeBefore + 20}`,
    );
    gaugeDelays.push(performance.now() - sent);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
  console.log(
    `label acked → joined: median ${median(joinDelays).toFixed(0)} ms, max ${Math.max(...joinDelays).toFixed(0)} ms`,
  );
  console.log(
    `label acked → gauge moved (interval 1 s): median ${median(gaugeDelays).toFixed(0)} ms, max ${Math.max(...gaugeDelays).toFixed(0)} ms (the default 10 s interval adds up to 10 s)`,
  );
  const rss = process.memoryUsage().rss;
  console.log(
    `process RSS with ${running.monitor.join.size.predictions} predictions in the join: ${(rss / 1048576).toFixed(0)} MiB`,
  );

  // 4. Restart: the whole horizon replayed again.
  await running.close();
  t0 = performance.now();
  running = await startMonitor(config, opts);
  const replayed = await running.replayed;
  console.log(`restart: ${replayed} records replayed in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  await running.close();
  await producer.close();
  await deleteTopics(kafka, [
    topics.predictions,
    topics.groundTruth,
    `${topics.groundTruth}.dlq`,
    topics.pipelineEvents,
  ]);
}

if (process.argv[2] === CHILD) await produceLive(JSON.parse(process.argv[3] ?? '{}') as LiveJob);
else {
  const args = process.argv.slice(2);
  await main(Number(args.find((a) => !a.startsWith('--')) ?? 20_000), args.includes('--in-process'));
}
