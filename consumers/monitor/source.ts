import { BatchConsumer } from '../../src/kafka/batch-consumer.js';
import type { KafkaClient } from '../../src/kafka/client.js';
import type { SourceMessage } from '../../src/kafka/dead-letter.js';
import { BatchDecoder } from '../../src/kafka/decoder.js';
import type { GroundTruth, Prediction } from '../../src/kafka/generated/types.js';
import { deleteGroups, replayRanges } from '../../src/kafka/offsets.js';
import type { SchemaRegistry } from '../../src/kafka/registry.js';
import type { Logger } from '../../src/logging/index.js';

/**
 * The monitor's Kafka input, with its restart strategy: on every start it reads both topics again from
 * the offsets at `replayFrom` (now − horizon − orphan grace, found with ListOffsets by timestamp), so the
 * join is rebuilt from the topics themselves (retention 30 days ≫ a 24 h horizon). Each start uses a
 * fresh consumer group `<base>-<start time>`; on every join it seeks each assigned partition to the next
 * offset to hand over (the join is reported before the first fetch, so there is no seek race; setting the
 * group's offsets through the admin API would cost a 5 s idle fetch per topic). The group is deleted on close (a killed
 * process leaves it to Kafka's offset expiry).
 *
 * The replayed part is buffered and handed over sorted by event time, because partitions are consumed
 * at different speeds and the join's watermark must not run ahead of predictions still to come; after
 * that, records are handed over as they arrive.
 */

export type MonitorRecord =
  | { kind: 'prediction'; value: Prediction; message: SourceMessage }
  | { kind: 'label'; value: GroundTruth; message: SourceMessage };

export interface SourceOptions {
  baseGroupId: string;
  predictionsTopic: string;
  groundTruthTopic: string;
  replayFrom: number;
  /** Called with records in order; `replayed` is true for the sorted replay at start. */
  onRecords(records: MonitorRecord[], replayed: boolean): Promise<void>;
  /** A message that cannot be decoded (dead-lettered by the caller). */
  onUndecodable(message: SourceMessage, error: string): Promise<void>;
  log: Logger;
}

export interface RunningSource {
  groupId: string;
  /** Resolves when the replay up to the end offsets at start has been handed over. */
  replayed: Promise<number>;
  close(): Promise<void>;
}

const FETCH_BYTES_PER_PARTITION = 8 * 1024 * 1024;
const FETCH_BYTES = 32 * 1024 * 1024;

const byEventTime = (a: MonitorRecord, b: MonitorRecord): number =>
  a.value.event_time - b.value.event_time || (a.kind === b.kind ? 0 : a.kind === 'prediction' ? -1 : 1);

export async function startSource(
  kafka: KafkaClient,
  registry: SchemaRegistry,
  options: SourceOptions,
): Promise<RunningSource> {
  const groupId = `${options.baseGroupId}-${Date.now()}`;
  const topics = [options.predictionsTopic, options.groundTruthTopic];
  /** Per "topic/partition": next offset to hand over, and the end offset at start (replay target). */
  const next = new Map<string, bigint>();
  const target = new Map<string, bigint>();
  for (const range of await replayRanges(kafka, topics, options.replayFrom)) {
    next.set(`${range.topic}/${range.partition}`, range.from);
    target.set(`${range.topic}/${range.partition}`, range.end);
  }
  const pending = new Set([...target].filter(([key, end]) => (next.get(key) ?? end) < end).map(([k]) => k));
  let buffer: MonitorRecord[] | undefined = [];
  let resolveReplay: (n: number) => void = () => undefined;
  const replayed = new Promise<number>((resolve) => (resolveReplay = resolve));
  const finishReplay = async () => {
    if (buffer === undefined || pending.size > 0) return;
    const records = buffer.sort(byEventTime);
    buffer = undefined;
    await options.onRecords(records, true);
    options.log.info({ records: records.length, groupId }, 'replay done');
    resolveReplay(records.length);
  };

  const decoder = new BatchDecoder(registry);
  const consumer = new BatchConsumer(kafka, {
    groupId,
    topics,
    fromBeginning: true,
    autoCommit: true,
    // An idle fetch returns after 1 s (the default waits 5 s), so that close() is quick.
    maxWaitTimeMs: 1_000,
    // The consumer fetches again only once the previous fetch's batches are handled: bigger fetches mean
    // fewer round trips (a prediction is ~0.6 kB, so 1 MB, the default, is only ~1,700 of them).
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
    maxBytes: FETCH_BYTES,
    onAssigned: (assignment, seek) => {
      for (const [topic, partitions] of Object.entries(assignment)) {
        for (const partition of partitions) {
          const offset = next.get(`${topic}/${partition}`);
          if (offset !== undefined) seek(topic, partition, offset.toString());
        }
      }
    },
  });
  await consumer.start(async (batch) => {
    const key = `${batch.topic}/${batch.partition}`;
    // A rebalance can redeliver: hand each offset over once.
    const from = next.get(key) ?? 0n;
    const start = batch.messages.findIndex((m) => BigInt(m.offset) >= from);
    const fresh = start === 0 ? batch.messages : start < 0 ? [] : batch.messages.slice(start);
    const decoded = await decoder.decodeAll(fresh.map((m) => m.value));
    // A seek (rebalance) or stop makes the batch stale; checked once: nothing below awaits before
    // the records are handed over, except for undecodable messages.
    if (!batch.isActive()) return;
    const isPrediction = batch.topic === options.predictionsTopic;
    const records: MonitorRecord[] = [];
    let last: string | undefined;
    for (let i = 0; i < fresh.length; i += 1) {
      const m = fresh[i];
      const result = decoded[i];
      if (m === undefined || result === undefined) break;
      const message: SourceMessage = {
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key,
        value: m.value,
      };
      if (!result.ok) await options.onUndecodable(message, result.error);
      else if (isPrediction) records.push({ kind: 'prediction', value: result.value as Prediction, message });
      else records.push({ kind: 'label', value: result.value as GroundTruth, message });
      last = m.offset;
    }
    if (last !== undefined) {
      next.set(key, BigInt(last) + 1n);
      batch.resolveOffset(last);
    }
    if (buffer !== undefined) {
      // Not push(...records): a batch can hold more records than a call takes arguments.
      for (const record of records) buffer.push(record);
      if ((next.get(key) ?? 0n) >= (target.get(key) ?? 0n)) pending.delete(key);
      await finishReplay();
    } else if (records.length > 0) {
      await options.onRecords(records, false);
    }
    await batch.heartbeat();
  });
  await finishReplay();
  return {
    groupId,
    replayed,
    async close() {
      await consumer.close();
      await deleteGroups(kafka, [groupId]).catch((error: unknown) =>
        options.log.warn({ groupId, err: error }, 'cannot delete the consumer group'),
      );
    },
  };
}
