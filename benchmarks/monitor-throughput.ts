/**
 * The monitoring consumer on the real Kafka: predictions joined with labels per second (replay at start,
 * and live), and the delay from a label being acknowledged by Kafka to the join taking it and to the
 * accuracy gauges moving. Uses topics of its own and the real champion's reference statistics.
 * Prints numbers; asserts nothing.  Run: npx tsx benchmarks/monitor-throughput.ts [N]
 */
import { randomUUID } from 'node:crypto';
import { startMonitor } from '../consumers/monitor/main.js';
import { getConfig } from '../src/config/index.js';
import { createKafka } from '../src/kafka/client.js';
import type { GroundTruth, Prediction } from '../src/kafka/generated/types.js';
import { AvroProducer } from '../src/kafka/producer.js';
import { createRegistry } from '../src/kafka/registry.js';
import { applyTopics } from '../src/kafka/topics.js';
import { MlflowClient } from '../src/registry/index.js';

const N = Number(process.argv[2] ?? 20_000);
const base = getConfig();
const config = { ...base, logLevel: 'warn' as const, monitor: { ...base.monitor, intervalMs: 1_000 } };
const id = randomUUID().slice(0, 8);
const topics = {
  predictions: `bench.${id}.predictions`,
  groundTruth: `bench.${id}.ground-truth`,
  pipelineEvents: `bench.${id}.events`,
};
const kafka = createKafka(config, 'bankops-bench-monitor');
const registry = createRegistry(config);
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
const producer = new AvroProducer(kafka, registry);
await producer.connect();

const features = JSON.stringify({
  age: 41,
  job: 'management',
  marital: 'married',
  education: 'tertiary',
  default: 'no',
  balance: 1500,
  housing: 'yes',
  loan: 'no',
  contact: 'cellular',
  day: 15,
  month: 'may',
  duration: 200,
  campaign: 2,
  pdays: -1,
  previous: 0,
  poutcome: 'unknown',
});
let seq = 0;
function batch(n: number): { predictions: Prediction[]; labels: GroundTruth[] } {
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
      model_version: champion?.version ?? '1',
      variant: 'champion',
      customer_key: null,
      features_json: features,
      probability,
      decision: probability >= 0.5,
      threshold: 0.5,
      latency_ms: 1,
      route: '/v1/predict',
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
const send = async (b: ReturnType<typeof batch>) => {
  await producer.send(
    topics.predictions,
    b.predictions.map((p) => ({ key: p.prediction_id, value: p })),
  );
  await producer.send(
    topics.groundTruth,
    b.labels.map((l) => ({ key: l.prediction_id, value: l })),
  );
};
const opts = {
  topics,
  groupId: `bench-monitor-${id}`,
  metricsPort: 0,
  scrapeTarget: null,
  historyTable: null,
  lagGroups: [],
};

// 1. Replay: N predictions and N labels already on the topics when the monitor starts.
await send(batch(N));
let t0 = performance.now();
let running = await startMonitor(config, opts);
await running.replayed;
const replayMs = performance.now() - t0;
console.log(
  `replay at start: ${N} predictions + ${N} labels joined in ${(replayMs / 1000).toFixed(2)} s = ${Math.round(N / (replayMs / 1000))} joined pairs/s`,
);

// 2. Live: another N pairs produced while the monitor runs (time from the first send to the last join).
const live = batch(N);
t0 = performance.now();
await send(live);
const producedMs = performance.now() - t0;
const target = 2 * N;
while (running.monitor.join.stats().joined < target) await new Promise((r) => setTimeout(r, 10));
const liveMs = performance.now() - t0;
console.log(
  `live: produced ${N} pairs in ${(producedMs / 1000).toFixed(2)} s; all joined after ${(liveMs / 1000).toFixed(2)} s = ${Math.round(N / (liveMs / 1000))} joined pairs/s end to end`,
);

// 3. Delay from a label acknowledged by Kafka to the join, and to the accuracy gauge (tick every 1 s).
const joinDelays: number[] = [];
const gaugeDelays: number[] = [];
const labelsGauge = async () =>
  (await running.registry.getMetricsAsJSON()).find((m) => m.name === 'bankops_model_labels_total')?.values[0]
    ?.value ?? 0;
for (let round = 0; round < 10; round += 1) {
  const b = batch(20);
  await producer.send(
    topics.predictions,
    b.predictions.map((p) => ({ key: p.prediction_id, value: p })),
  );
  while (running.monitor.join.stats().predictions < target + (round + 1) * 20)
    await new Promise((r) => setTimeout(r, 5));
  const joinedBefore = running.monitor.join.stats().joined;
  const gaugeBefore = await labelsGauge();
  await producer.send(
    topics.groundTruth,
    b.labels.map((l) => ({ key: l.prediction_id, value: l })),
  );
  const sent = performance.now();
  while (running.monitor.join.stats().joined < joinedBefore + 20) await new Promise((r) => setTimeout(r, 2));
  joinDelays.push(performance.now() - sent);
  while ((await labelsGauge()) < gaugeBefore + 20) await new Promise((r) => setTimeout(r, 10));
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
const admin = kafka.admin();
await admin.connect();
await admin.deleteTopics({
  topics: [topics.predictions, topics.groundTruth, `${topics.groundTruth}.dlq`, topics.pipelineEvents],
});
await admin.disconnect();
