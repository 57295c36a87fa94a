import type { KafkaClient } from '../../src/kafka/client.js';
import { Counter, type Registry } from 'prom-client';
import { consumeEvents, type RunningConsumer } from '../../src/kafka/consumer.js';
import type { PipelineEventType } from '../../src/kafka/events.js';
import type { SchemaRegistry } from '../../src/kafka/registry.js';
import type { Logger } from '../../src/logging/index.js';

/** Every type the pipeline emits, pre-set to 0 so dashboards show "none yet" instead of "no data". */
const TYPES: readonly PipelineEventType[] = [
  'batch.published',
  'batch.ingested',
  'retrain.requested',
  'retrain.deferred',
  'retrain.skipped',
  'retrain.failed',
  'model.trained',
  'model.promoted',
  'model.rejected',
  'rollout.started',
  'rollout.decided',
  'rollout.rolled-back',
  'drift.detected',
  'performance.degraded',
  'alert.fired',
  'alert.resolved',
];

/**
 * bankops_pipeline_events_total{type}: the pipeline dashboard's lifecycle counts. The monitor follows the
 * events topic from its group's committed offset (new events only on a first start), so a restart does
 * not count history twice.
 */
export async function countPipelineEvents(
  kafka: KafkaClient,
  schemaRegistry: SchemaRegistry,
  registry: Registry,
  options: { groupId: string; topic: string; log: Logger },
): Promise<RunningConsumer> {
  const counter = new Counter({
    name: 'bankops_pipeline_events_total',
    help: 'Pipeline events seen on the events topic, by type',
    labelNames: ['type'],
    registers: [registry],
  });
  for (const type of TYPES) counter.inc({ type }, 0);
  return consumeEvents(kafka, schemaRegistry, {
    groupId: options.groupId,
    topic: options.topic,
    fromBeginning: false,
    log: options.log,
    onEvent: (event) => {
      counter.inc({ type: event.type });
      return Promise.resolve();
    },
  });
}
