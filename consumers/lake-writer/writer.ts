import { Counter, Gauge, type Registry } from 'prom-client';
import { isRetriable } from '../../src/errors/index.js';
import { withRetry } from '../../src/errors/retry.js';
import { BatchConsumer, type ConsumedBatch, type Seek } from '../../src/kafka/batch-consumer.js';
import type { KafkaClient } from '../../src/kafka/client.js';
import { pipelineEvent, publishEvent } from '../../src/kafka/events.js';
import { sendDeadLetter } from '../../src/kafka/dead-letter.js';
import type { AvroProducer } from '../../src/kafka/producer.js';
import type { SchemaRegistry } from '../../src/kafka/registry.js';
import type { Logger } from '../../src/logging/index.js';
import { route, uniqueMessages, type RawMessage, type RejectedMessage } from './route.js';
import type { AppendResult, IcebergSink } from '../../src/lake/sink.js';
import type { TableSpec } from '../../src/lake/tables.js';

export interface LakeWriterOptions {
  groupId: string;
  /** The tables to fill, each from its topic. */
  tables: readonly TableSpec[];
  /** Flush when this many messages are buffered. */
  maxBatchRows: number;
  /** Flush when the oldest buffered message waited this long. */
  maxBatchMs: number;
  /** Where `batch.ingested` goes (tests use their own). */
  eventsTopic?: string;
}

export interface FlushResult {
  /** When the oldest message of this micro-batch arrived, and when its Kafka commit finished (epoch ms). */
  firstMessageAt: number;
  committedAt: number;
  messages: number;
  appended: AppendResult[];
  deadLettered: number;
}

function metrics(registry: Registry) {
  return {
    rows: new Counter({
      name: 'bankops_lake_rows_written_total',
      help: 'Rows appended to Iceberg tables',
      labelNames: ['table'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'bankops_lake_rows_skipped_total',
      help: 'Redelivered rows the table already held',
      labelNames: ['table'],
      registers: [registry],
    }),
    dead: new Counter({
      name: 'bankops_lake_dead_letters_total',
      help: 'Messages sent to a dead-letter topic',
      labelNames: ['topic', 'code'],
      registers: [registry],
    }),
    commits: new Counter({
      name: 'bankops_lake_commits_total',
      help: 'Iceberg commits',
      labelNames: ['table'],
      registers: [registry],
    }),
    buffered: new Gauge({
      name: 'bankops_lake_buffered_messages',
      help: 'Messages waiting for the next flush',
      registers: [registry],
    }),
  };
}

/**
 * Consumes the data topics and lands them in Iceberg. Kafka offsets are committed only after the
 * Iceberg commit; the sink skips rows the table already holds; so a crash at any point yields neither
 * gaps nor duplicates.
 */
export class LakeWriter {
  private readonly consumer: BatchConsumer;
  private buffer: RawMessage[] = [];
  private oldest = 0;
  private flushing: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly metrics: ReturnType<typeof metrics>;
  private stopped = false;
  readonly flushes: FlushResult[] = [];

  constructor(
    kafka: KafkaClient,
    private readonly registry: SchemaRegistry,
    private readonly producer: AvroProducer,
    private readonly sink: IcebergSink,
    private readonly options: LakeWriterOptions,
    private readonly log: Logger,
    metricsRegistry: Registry,
  ) {
    this.consumer = new BatchConsumer(kafka, {
      groupId: options.groupId,
      topics: options.tables.map((spec) => spec.topic),
      fromBeginning: true,
      autoCommit: false,
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 3_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      onAssigned: (assignment, seek) => {
        void this.resumeFromLake(assignment, seek).catch((error: unknown) =>
          this.log.error({ err: error }, 'cannot read the lake watermarks'),
        );
      },
    });
    this.metrics = metrics(metricsRegistry);
  }

  async start(): Promise<void> {
    for (const spec of this.options.tables) await this.sink.ensureTable(spec);
    await this.producer.connect();
    await this.consumer.start((batch) => this.onBatch(batch));
    this.timer = setInterval(
      () => {
        if (this.buffer.length > 0 && Date.now() - this.oldest >= this.options.maxBatchMs) void this.flush();
      },
      Math.max(50, Math.floor(this.options.maxBatchMs / 4)),
    );
  }

  /** Seeks each newly assigned partition past the highest offset its table holds. */
  private async resumeFromLake(assignment: Record<string, number[]>, seek: Seek): Promise<void> {
    for (const [topic, partitions] of Object.entries(assignment)) {
      const spec = this.options.tables.find((t) => t.topic === topic);
      if (!spec) continue;
      const marks = await this.sink.watermarks(spec);
      for (const partition of partitions) {
        const mark = marks.get(partition);
        if (mark !== undefined) seek(topic, partition, String(mark + 1n));
      }
    }
  }

  private async onBatch(batch: ConsumedBatch): Promise<void> {
    for (const m of batch.messages) {
      if (!batch.isActive()) return;
      if (this.buffer.length === 0) this.oldest = Date.now();
      this.buffer.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        timestamp: m.timestamp,
      });
      batch.resolveOffset(m.offset);
    }
    this.metrics.buffered.set(this.buffer.length);
    await batch.heartbeat();
    if (this.buffer.length >= this.options.maxBatchRows) await this.flush().catch(() => undefined);
  }

  /** Writes what is buffered (one Iceberg commit per table), dead-letters the rest, then commits offsets. */
  flush(): Promise<FlushResult | undefined> {
    const next = this.flushing.then(() => this.flushNow());
    this.flushing = next.catch(() => undefined);
    return next;
  }

  private async flushNow(): Promise<FlushResult | undefined> {
    if (this.buffer.length === 0) return undefined;
    const messages = uniqueMessages(this.buffer);
    const firstMessageAt = this.oldest;
    this.buffer = [];
    this.metrics.buffered.set(0);
    try {
      return await this.write(messages, firstMessageAt);
    } catch (error) {
      // Never drop a micro-batch: its messages go back in front of the buffer and the next flush tries
      // again (rows already written are skipped by their offsets).
      this.buffer = [...messages, ...this.buffer];
      this.oldest = firstMessageAt;
      this.metrics.buffered.set(this.buffer.length);
      this.log.error({ err: error, messages: messages.length }, 'micro-batch failed; will retry');
      throw error;
    }
  }

  private async write(messages: RawMessage[], firstMessageAt: number): Promise<FlushResult> {
    const routed = await route(messages, this.registry, this.options.tables);
    await this.deadLetter(routed.rejected);
    const appended: AppendResult[] = [];
    for (const [spec, rows] of routed.rows) {
      const result = await withRetry(() => this.sink.append(spec, rows), {
        retries: 1_000,
        retriable: (error) => !this.stopped && isRetriable(error),
        onRetry: (error, attempt, delay) =>
          this.log.warn({ err: error, attempt, delay }, 'Iceberg append failed; retrying'),
      });
      appended.push(result);
      this.metrics.rows.inc({ table: result.table }, result.rows);
      this.metrics.skipped.inc({ table: result.table }, result.skipped);
      if (result.rows > 0) {
        this.metrics.commits.inc({ table: result.table });
        const batchIds = [...new Set(rows.map((r) => r.batch_id).filter((b): b is string => b !== null))];
        await publishEvent(
          this.producer,
          pipelineEvent(
            'batch.ingested',
            'lake-writer',
            { table: result.table, rows: result.rows, snapshotId: result.snapshotId, batchIds },
            result.snapshotId,
          ),
          this.options.eventsTopic,
        );
      }
    }
    await this.commit(messages);
    const flushed = {
      firstMessageAt,
      committedAt: Date.now(),
      messages: messages.length,
      appended,
      deadLettered: routed.rejected.length,
    };
    this.flushes.push(flushed);
    this.log.info(flushed, 'micro-batch committed');
    return flushed;
  }

  private async deadLetter(rejected: RejectedMessage[]): Promise<void> {
    for (const { message, code, reason } of rejected) {
      await sendDeadLetter(this.producer, message, code, reason, 'lake-writer');
      this.metrics.dead.inc({ topic: message.topic, code });
      this.log.warn(
        { topic: message.topic, partition: message.partition, offset: message.offset, code, reason },
        'dead-lettered',
      );
    }
  }

  private async commit(messages: RawMessage[]): Promise<void> {
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const m of messages) {
      const key = `${m.topic}/${m.partition}`;
      const offset = BigInt(m.offset) + 1n;
      const seen = next.get(key);
      if (!seen || seen.offset < offset) next.set(key, { topic: m.topic, partition: m.partition, offset });
    }
    try {
      await this.consumer.commit(
        [...next.values()].map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      );
    } catch (error) {
      // The rows are in the lake; whoever owns the partition next skips them by their offsets.
      this.log.warn({ err: error }, 'offset commit failed after the Iceberg commit');
    }
  }

  /** Stops consuming, flushes what is buffered, commits, disconnects. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.consumer.stop();
    await this.flush().catch((error: unknown) =>
      this.log.error({ err: error }, 'final flush failed; the messages will be redelivered'),
    );
    this.stopped = true;
    await this.consumer.close();
  }
}
