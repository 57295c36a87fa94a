import { BankopsError, errorMessage } from '../../src/errors/index.js';
import type { KafkaClient } from '../../src/kafka/client.js';
import type { GroundTruth, Prediction } from '../../src/kafka/generated/types.js';
import { BrokerProbe } from '../../src/kafka/probe.js';
import { AvroProducer, type OutgoingRecord } from '../../src/kafka/producer.js';
import type { SchemaRegistry } from '../../src/kafka/registry.js';
import type { Logger } from '../../src/logging/index.js';
import type { ServingMetrics } from '../metrics.js';
import { Batcher, withDeadline } from './batcher.js';

export interface PublisherOptions {
  kafka: KafkaClient;
  registry: SchemaRegistry;
  topics: { predictions: string; groundTruth: string };
  /** Off: prediction events are skipped (benchmark comparison); ground truth is still published. */
  predictionEvents: boolean;
  /** A request fails with 503 when its events are not acknowledged within this time. */
  timeoutMs: number;
  metrics: ServingMetrics;
  log: Logger;
  lingerMs?: number;
  maxBatch?: number;
}

const PROBE_MS = 5_000;

/**
 * Publishes prediction and ground-truth events through one idempotent, acks=all producer. Requests wait
 * for their own events' acknowledgement; concurrent requests share sends (linger ~2 ms, ≤ 500 messages).
 * Readiness follows the last send and, while idle, a cheap broker probe.
 */
export class EventPublisher {
  readonly #producer: AvroProducer;
  readonly #predictions: Batcher<OutgoingRecord<Prediction>>;
  readonly #groundTruth: Batcher<OutgoingRecord<GroundTruth>>;
  readonly #broker: BrokerProbe;
  #problem: string | null = 'the event producer is not connected yet';
  #lastAck = 0;
  #probe: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly options: PublisherOptions) {
    this.#producer = new AvroProducer(options.kafka, options.registry);
    this.#broker = new BrokerProbe(options.kafka);
    const batcher = <T>(topic: string) =>
      new Batcher<OutgoingRecord<T>>({
        send: (items) => this.#send(topic, items),
        lingerMs: options.lingerMs ?? 2,
        maxItems: options.maxBatch ?? 500,
        maxInFlight: 4,
      });
    this.#predictions = batcher<Prediction>(options.topics.predictions);
    this.#groundTruth = batcher<GroundTruth>(options.topics.groundTruth);
  }

  get predictionEvents(): boolean {
    return this.options.predictionEvents;
  }

  /** null when events can be published, else why not. */
  get problem(): string | null {
    return this.#problem;
  }

  /** Connects and looks up the schemas; keeps retrying in the background until it works. */
  async start(): Promise<void> {
    await this.#check();
    this.#probe = setInterval(() => {
      if (Date.now() - this.#lastAck > PROBE_MS || this.#problem !== null) void this.#check();
    }, PROBE_MS);
    this.#probe.unref();
  }

  async #check(): Promise<void> {
    if (this.#closed) return;
    try {
      await withDeadline(
        (async () => {
          await this.#producer.connect();
          await this.#producer.schemaId(this.options.topics.predictions);
          await this.#producer.schemaId(this.options.topics.groundTruth);
          await this.#broker.check();
        })(),
        Math.min(this.options.timeoutMs, 4_000),
        'the Kafka probe',
      );
      if (this.#problem !== null) this.options.log.info('event producer connected');
      this.#problem = null;
    } catch (error) {
      const reason = `Kafka is not reachable: ${errorMessage(error)}`;
      if (this.#problem !== reason) this.options.log.warn({ err: error }, 'event producer not ready');
      this.#problem = reason;
    }
  }

  async #send<T>(topic: string, items: OutgoingRecord<T>[]): Promise<void> {
    const { metrics } = this.options;
    const end = metrics.publishDuration.startTimer({ topic });
    try {
      await this.#producer.send(topic, items);
      end();
      metrics.publishBatchSize.observe({ topic }, items.length);
      this.#lastAck = Date.now();
      this.#problem = null;
    } catch (error) {
      metrics.publishFailures.inc({ topic }, items.length);
      this.#problem = `publishing to ${topic} failed: ${errorMessage(error)}`;
      this.options.log.error({ topic, messages: items.length, err: error }, 'event publish failed');
      throw new BankopsError('SERVICE_UNAVAILABLE', `prediction events could not be published to ${topic}`, {
        cause: error,
        hint: 'Kafka may be down; GET /ready says why. The request can be retried.',
      });
    }
  }

  /** Resolves when Kafka acknowledged every event (acks=all); rejects with 503 otherwise. */
  async publishPredictions(events: readonly Prediction[]): Promise<void> {
    if (!this.options.predictionEvents || events.length === 0) return;
    await this.#publish(
      this.#predictions,
      events.map((value) => ({ key: value.prediction_id, value })),
    );
  }

  async publishGroundTruth(events: readonly GroundTruth[]): Promise<void> {
    await this.#publish(
      this.#groundTruth,
      events.map((value) => ({ key: value.prediction_id, value })),
    );
  }

  async #publish<T>(batcher: Batcher<OutgoingRecord<T>>, records: OutgoingRecord<T>[]): Promise<void> {
    if (this.#closed) throw new BankopsError('SERVICE_UNAVAILABLE', 'the server is shutting down');
    try {
      await withDeadline(batcher.add(records), this.options.timeoutMs, 'the prediction event');
    } catch (error) {
      if (error instanceof BankopsError && error.code === 'SERVICE_UNAVAILABLE' && this.#problem === null) {
        this.#problem = errorMessage(error);
      }
      throw error;
    }
  }

  /** Sends what is queued, waits for the acknowledgements, disconnects. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#probe) clearInterval(this.#probe);
    // Bounded: with Kafka gone, the client would otherwise retry for minutes; those requests already failed.
    await withDeadline(
      Promise.all([this.#predictions.drain(), this.#groundTruth.drain()]),
      this.options.timeoutMs * 2,
      'flushing the event queue',
    ).catch((error: unknown) => this.options.log.warn({ err: error }, 'events left unflushed'));
    await Promise.allSettled([this.#producer.close(), this.#broker.close()]);
  }
}
