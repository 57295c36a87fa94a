import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { BankopsError, errorMessage } from '../errors/index.js';
import { kafkajsOf, type KafkaClient } from './kafkajs.js';
import { partitionOf } from './partition.js';
import { subjectFor, type SchemaRegistry } from './registry.js';

export interface OutgoingRecord<T> {
  key: string | null;
  value: T;
  headers?: Record<string, string>;
}

/**
 * An idempotent, acks=all producer that encodes values with the topic's latest registered Avro schema
 * (Confluent wire format: magic byte, schema id, Avro body).
 */
type Schema = Awaited<ReturnType<SchemaRegistry['getSchema']>>;

/** Confluent's wire format: magic byte 0, the schema id (4 bytes, big endian), then the Avro body. */
function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = 0;
  out.writeInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}

/** How long a topic's partition count is trusted before it is looked up again (in the background). */
const PARTITIONS_TTL_MS = 5 * 60_000;

export class AvroProducer {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly schemaIds = new Map<string, number>();
  private readonly schemas = new Map<number, Schema>();
  private readonly partitions = new Map<string, { count: number; at: number }>();
  private readonly lookups = new Map<string, Promise<void>>();
  private connected = false;

  constructor(
    client: KafkaClient,
    private readonly registry: SchemaRegistry,
    options: { transactionalId?: string } = {},
  ) {
    this.kafka = kafkajsOf(client);
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      // murmur2 on the key, as the Java client partitions; send() sets the partition itself when it knows
      // the topic's partition count, and this returns it before kafkajs's partitioner looks at the metadata
      createPartitioner: () => {
        const byKey = Partitioners.DefaultPartitioner();
        return (args) => args.message.partition ?? byKey(args);
      },
      ...(options.transactionalId ? { transactionalId: options.transactionalId } : {}),
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async schemaId(topic: string): Promise<number> {
    let id = this.schemaIds.get(topic);
    if (id === undefined) {
      try {
        id = await this.registry.getLatestSchemaId(subjectFor(topic));
      } catch (error) {
        throw new BankopsError(
          'REGISTRY_FAILED',
          `no schema registered for ${topic}: ${errorMessage(error)}`,
          {
            cause: error,
            hint: 'Run `bin/bankops topics apply` first.',
          },
        );
      }
      // Kept here: encoding is then synchronous (the client awaits a cached lookup for every value, which
      // costs more than the Avro encoding itself for a batch of a thousand).
      this.schemas.set(id, await this.registry.getSchema(id));
      this.schemaIds.set(topic, id);
      await this.lookUpPartitions(topic);
    }
    return id;
  }

  /**
   * Caches the topic's partition count, so that keyed messages go out with their partition set (see
   * partition.ts). Best effort: without a count, kafkajs partitions the messages itself, the same way.
   */
  private lookUpPartitions(topic: string): Promise<void> {
    let running = this.lookups.get(topic);
    if (running === undefined) {
      running = (async () => {
        const admin = this.kafka.admin();
        try {
          await admin.connect();
          const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
          const count = metadata.topics[0]?.partitions.length ?? 0;
          if (count > 0) this.partitions.set(topic, { count, at: Date.now() });
        } catch {
          // kafkajs partitions by itself meanwhile
        } finally {
          await admin.disconnect().catch(() => undefined);
          this.lookups.delete(topic);
        }
      })();
      this.lookups.set(topic, running);
    }
    return running;
  }

  private partitionCount(topic: string): number | undefined {
    const cached = this.partitions.get(topic);
    if (cached === undefined || Date.now() - cached.at > PARTITIONS_TTL_MS) void this.lookUpPartitions(topic);
    return cached?.count;
  }

  async encode<T>(topic: string, value: T): Promise<Buffer> {
    const id = await this.schemaId(topic);
    return this.encodeSync(id, value) ?? this.registry.encode(id, value);
  }

  /** Undefined when the value does not fit the schema: the registry client then names the invalid fields. */
  private encodeSync(id: number, value: unknown): Buffer | undefined {
    const schema = this.schemas.get(id);
    if (schema === undefined || typeof value !== 'object' || value === null) return undefined;
    try {
      return frame(id, schema.toBuffer(value));
    } catch {
      return undefined;
    }
  }

  /** Sends records in chunks; resolves when the broker acknowledged every one (acks=all). */
  async send<T>(topic: string, records: readonly OutgoingRecord<T>[], chunkSize = 5_000): Promise<void> {
    await this.connect();
    const id = await this.schemaId(topic);
    const partitions = this.partitionCount(topic);
    for (let start = 0; start < records.length; start += chunkSize) {
      const chunk = records.slice(start, start + chunkSize);
      const messages = [];
      for (const r of chunk) {
        const key = r.key === null ? null : Buffer.from(r.key);
        messages.push({
          key,
          value: this.encodeSync(id, r.value) ?? (await this.registry.encode(id, r.value)),
          ...(key !== null && partitions !== undefined ? { partition: partitionOf(key, partitions) } : {}),
          ...(r.headers ? { headers: r.headers } : {}),
        });
      }
      try {
        await this.producer.send({ topic, acks: -1, messages });
      } catch (error) {
        throw new BankopsError('KAFKA_FAILED', `publishing to ${topic} failed: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    }
  }

  /** Sends already-encoded messages (dead letters keep the original bytes). */
  async sendRaw(
    topic: string,
    messages: Array<{ key: Buffer | string | null; value: Buffer; headers?: Record<string, string> }>,
  ): Promise<void> {
    await this.connect();
    await this.producer.send({ topic, acks: -1, messages });
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }
}
