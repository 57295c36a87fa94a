import type { Consumer, EachBatchPayload } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './kafkajs.js';

/** A consumed message: its coordinates within the batch's partition, and its bytes. */
export interface ConsumedMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** A fetched batch of one partition, with the controls its handler needs. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** Marks the offset handled (committed with the next auto-commit, if on). */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** False once the consumer stops or a rebalance or seek made this batch stale: drop the rest. */
  isActive(): boolean;
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: string;
}

/** Moves a newly assigned partition to `offset` before its first fetch. */
export type Seek = (topic: string, partition: number, offset: string) => void;

export interface BatchConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group without committed offsets starts (true: the oldest offset, false: the end). */
  fromBeginning: boolean;
  /** Off: offsets are committed only by `commit()`. */
  autoCommit: boolean;
  /**
   * Called (not awaited) on every join with the partitions assigned, per topic. A seek made at once lands
   * before their first fetch; one made after an await still moves the partition, later.
   */
  onAssigned?(assignment: Record<string, number[]>, seek: Seek): void;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long an idle fetch waits for data (kafkajs's default: 5 s). */
  maxWaitTimeMs?: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
}

/**
 * A group member that hands over a partition's batch at a time, and commits when told (lake writer) or
 * after each handled batch (monitor). Not started until `start()`.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;

  constructor(
    client: KafkaClient,
    private readonly options: BatchConsumerOptions,
  ) {
    this.consumer = kafkajsOf(client).consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      ...(options.sessionTimeoutMs !== undefined ? { sessionTimeout: options.sessionTimeoutMs } : {}),
      ...(options.heartbeatIntervalMs !== undefined
        ? { heartbeatInterval: options.heartbeatIntervalMs }
        : {}),
      ...(options.maxWaitTimeMs !== undefined ? { maxWaitTimeInMs: options.maxWaitTimeMs } : {}),
      ...(options.maxBytesPerPartition !== undefined
        ? { maxBytesPerPartition: options.maxBytesPerPartition }
        : {}),
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    });
  }

  /** Connects, subscribes and starts fetching; `onBatch` runs for one batch of a partition at a time. */
  async start(onBatch: (batch: ConsumedBatch) => Promise<void>): Promise<void> {
    const { consumer, options } = this;
    await consumer.connect();
    const { onAssigned } = options;
    if (onAssigned) {
      const seek: Seek = (topic, partition, offset) => consumer.seek({ topic, partition, offset });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => onAssigned(payload.memberAssignment, seek));
    }
    for (const topic of options.topics)
      await consumer.subscribe({ topic, fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: options.autoCommit,
      ...(options.autoCommit ? {} : { eachBatchAutoResolve: false }),
      eachBatch: (payload) => onBatch(toBatch(payload)),
    });
  }

  async commit(offsets: readonly OffsetCommit[]): Promise<void> {
    await this.consumer.commitOffsets([...offsets]);
  }

  /** Stops fetching; the member stays in its group until `close()` (commits still work). */
  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function toBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): ConsumedBatch {
  return {
    topic: batch.topic,
    partition: batch.partition,
    messages: batch.messages,
    resolveOffset,
    heartbeat,
    isActive: () => isRunning() && !isStale(),
  };
}
