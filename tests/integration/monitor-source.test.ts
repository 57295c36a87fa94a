/**
 * The monitor's Kafka input (consumers/monitor/source.ts) on the real Kafka: a start replays both topics
 * from the offsets at `replayFrom` (records before it are not read), sorted by event time; records
 * published afterwards come live; a message that cannot be decoded is handed to `onUndecodable`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSource, type MonitorRecord, type RunningSource } from '../../consumers/monitor/source.js';
import { getConfig } from '../../src/config/index.js';
import { createKafka } from '../../src/kafka/client.js';
import type { SourceMessage } from '../../src/kafka/dead-letter.js';
import type { GroundTruth, Prediction } from '../../src/kafka/generated/types.js';
import { AvroProducer } from '../../src/kafka/producer.js';
import { createRegistry } from '../../src/kafka/registry.js';
import { applyTopics, deleteTopics } from '../../src/kafka/topics.js';
import { logger } from '../../src/logging/index.js';
import { waitFor } from './helpers/wait.js';

const config = getConfig();
const kafka = createKafka(config, 'bankops-test-monitor-source');
const registry = createRegistry(config);
const producer = new AvroProducer(kafka, registry);
const id = randomUUID().slice(0, 8);
const topics = { predictions: `test.${id}.predictions`, groundTruth: `test.${id}.ground-truth` };

const prediction = (eventTime: number): Prediction => ({
  prediction_id: randomUUID(),
  event_time: eventTime,
  model_name: 'bank-marketing',
  model_version: '1',
  variant: 'champion',
  customer_key: null,
  features_json: '{}',
  probability: 0.4,
  decision: false,
  threshold: 0.5,
  latency_ms: 1,
  route: '/v1/predict',
  shadow_of: null,
});
const label = (p: Prediction, delayMs: number): GroundTruth => ({
  prediction_id: p.prediction_id,
  event_time: p.event_time + delayMs,
  outcome: true,
  source: 'test',
});
const publish = async (predictions: Prediction[], labels: GroundTruth[]) => {
  await producer.send(
    topics.predictions,
    predictions.map((p) => ({ key: p.prediction_id, value: p })),
  );
  await producer.send(
    topics.groundTruth,
    labels.map((l) => ({ key: l.prediction_id, value: l })),
  );
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const topic = { partitions: 3, retentionMs: 3_600_000, cleanupPolicy: 'delete' as const, key: 'id' };
  await applyTopics(config, kafka, registry, [
    { ...topic, name: topics.predictions, schema: 'prediction.avsc' },
    { ...topic, name: topics.groundTruth, schema: 'ground-truth.avsc' },
  ]);
  await producer.connect();
});

afterAll(async () => {
  await producer.close();
  await deleteTopics(kafka, [topics.predictions, topics.groundTruth]).catch(() => undefined);
});

describe('monitor source', () => {
  let source: RunningSource | undefined;
  afterAll(async () => source?.close());

  it('replays from replayFrom in event-time order, then hands over live records and undecodables', async () => {
    const now = Date.now();
    const before = Array.from({ length: 30 }, (_, i) => prediction(now - 60_000 + i));
    await publish(
      before,
      before.map((p) => label(p, 5)),
    );
    await sleep(100);
    const replayFrom = Date.now();
    await sleep(100);
    // Labels before their predictions on the topics: the replay must still give predictions first.
    const replay = Array.from({ length: 40 }, (_, i) => prediction(now + 1_000 + i));
    await publish(
      [],
      replay.map((p) => label(p, 10)),
    );
    await publish(replay, []);

    const batches: Array<{ records: MonitorRecord[]; replayed: boolean }> = [];
    const undecodable: Array<{ message: SourceMessage; error: string }> = [];
    source = await startSource(kafka, registry, {
      baseGroupId: `bankops-test-source-${id}`,
      predictionsTopic: topics.predictions,
      groundTruthTopic: topics.groundTruth,
      replayFrom,
      onRecords: async (records, replayed) => {
        batches.push({ records, replayed });
      },
      onUndecodable: async (message, error) => {
        undecodable.push({ message, error });
      },
      log: logger('test'),
    });

    expect(await source.replayed).toBe(80);
    const replayed = batches.filter((b) => b.replayed).flatMap((b) => b.records);
    expect(
      replayed
        .filter((r) => r.kind === 'prediction')
        .map((r) => r.value.prediction_id)
        .sort(),
    ).toEqual(replay.map((p) => p.prediction_id).sort());
    const times = replayed.map((r) => r.value.event_time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const position = new Map<string, number>();
    replayed.forEach((r, i) => {
      if (r.kind === 'prediction') position.set(r.value.prediction_id, i);
    });
    replayed.forEach((r, i) => {
      if (r.kind === 'label') expect(position.get(r.value.prediction_id) ?? Infinity).toBeLessThan(i);
    });

    const live = Array.from({ length: 5 }, (_, i) => prediction(now + 2_000 + i));
    await publish(
      live,
      live.map((p) => label(p, 1)),
    );
    await producer.sendRaw(topics.groundTruth, [{ key: 'broken', value: Buffer.from('not avro') }]);
    await waitFor(
      async () => batches.filter((b) => !b.replayed).flatMap((b) => b.records).length + undecodable.length,
      (n) => n >= 11,
      { what: 'the live records', timeoutMs: 30_000 },
    );
    const liveRecords = batches.filter((b) => !b.replayed).flatMap((b) => b.records);
    expect(liveRecords.map((r) => r.value.prediction_id).sort()).toEqual(
      [...live, ...live].map((p) => p.prediction_id).sort(),
    );
    expect(undecodable).toHaveLength(1);
    expect(undecodable[0]?.message.key?.toString()).toBe('broken');
    expect(undecodable[0]?.error).toMatch(/magic byte/);
  });
});
