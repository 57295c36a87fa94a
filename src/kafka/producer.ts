import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { BankopsError, errorMessage } from '../errors/index.js';
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
export class AvroProducer {
  private readonly producer: Producer;
  private readonly schemaIds = new Map<string, number>();
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly registry: SchemaRegistry,
    options: { transactionalId?: string } = {},
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      // murmur2 on the key, as the Java client partitions
      createPartitioner: Partitioners.DefaultPartitioner,
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
      // Warm the client's schema cache once: thousands of concurrent encodes on a cold cache would each
      // fetch the schema from the registry.
      await this.registry.getSchema(id);
      this.schemaIds.set(topic, id);
    }
    return id;
  }

  async encode<T>(topic: string, value: T): Promise<Buffer> {
    return this.registry.encode(await this.schemaId(topic), value);
  }

  /** Sends records in chunks; resolves when the broker acknowledged every one (acks=all). */
  async send<T>(topic: string, records: readonly OutgoingRecord<T>[], chunkSize = 5_000): Promise<void> {
    await this.connect();
    const id = await this.schemaId(topic);
    for (let start = 0; start < records.length; start += chunkSize) {
      const chunk = records.slice(start, start + chunkSize);
      const messages = await Promise.all(
        chunk.map(async (r) => ({
          key: r.key,
          value: await this.registry.encode(id, r.value),
          ...(r.headers ? { headers: r.headers } : {}),
        })),
      );
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
