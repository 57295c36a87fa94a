import type { Config } from '../config/index.js';
import { createKafka, type KafkaClient } from '../kafka/client.js';
import {
  PIPELINE_EVENTS_TOPIC,
  pipelineEvent,
  publishEvent,
  type PipelineEventType,
} from '../kafka/events.js';
import { AvroProducer } from '../kafka/producer.js';
import { createRegistry, type SchemaRegistry } from '../kafka/registry.js';
import { logger, type Logger } from '../logging/index.js';
import { MlflowClient } from '../registry/index.js';

/** The names a pipeline works on; tests give each run its own. */
export interface PipelineNames {
  customersTable: string;
  predictionsTable: string;
  groundTruthTable: string;
  eventsTopic: string;
  modelName: string;
  experiment: string;
}

export const DEFAULT_NAMES: PipelineNames = {
  customersTable: 'bank.customers',
  predictionsTable: 'bank.predictions',
  groundTruthTable: 'bank.ground_truth',
  eventsTopic: PIPELINE_EVENTS_TOPIC,
  modelName: 'bank-marketing',
  experiment: 'bank-marketing',
};

/** What the training, promotion and trigger steps share: clients, names, a logger. `close()` at the end. */
export interface PipelineContext {
  config: Config;
  names: PipelineNames;
  kafka: KafkaClient;
  registry: SchemaRegistry;
  producer: AvroProducer;
  mlflow: MlflowClient;
  log: Logger;
  emit(
    type: PipelineEventType,
    payload: Record<string, unknown>,
    correlationId?: string | null,
  ): Promise<void>;
  close(): Promise<void>;
}

export function createPipelineContext(
  config: Config,
  component: string,
  names: Partial<PipelineNames> = {},
): PipelineContext {
  const kafka = createKafka(config, `bankops-${component}`);
  const registry = createRegistry(config);
  const producer = new AvroProducer(kafka, registry);
  const resolved = { ...DEFAULT_NAMES, ...names };
  const log = logger(component);
  return {
    config,
    names: resolved,
    kafka,
    registry,
    producer,
    mlflow: new MlflowClient(config, { log }),
    log,
    async emit(type, payload, correlationId = null) {
      await publishEvent(
        producer,
        pipelineEvent(type, component, payload, correlationId),
        resolved.eventsTopic,
      );
    },
    close: () => producer.close(),
  };
}
