import type { TopicSpec } from '../src/kafka/topics.js';

export type { TopicSpec };

const DAY = 24 * 60 * 60 * 1000;

const input = (name: string, schema: string, key: string, partitions = 3): TopicSpec[] => [
  {
    name,
    partitions,
    retentionMs: 30 * DAY,
    cleanupPolicy: 'delete',
    key,
    schema,
    deadLetter: `${name}.dlq`,
  },
  {
    name: `${name}.dlq`,
    partitions: 1,
    retentionMs: 90 * DAY,
    cleanupPolicy: 'delete',
    key: 'the original key',
    schema: 'dead-letter.avsc',
  },
];

/**
 * The topics bankops owns, declared once. `bankops topics apply` creates them (idempotently) and
 * registers their value schemas under the `<topic>-value` subjects with BACKWARD compatibility.
 */
export const TOPICS: readonly TopicSpec[] = [
  ...input('bank.customers.v1', 'customer.avsc', 'record_id'),
  ...input('bank.predictions.v1', 'prediction.avsc', 'prediction_id'),
  ...input('bank.ground-truth.v1', 'ground-truth.avsc', 'prediction_id'),
  // One partition: lifecycle events are read in the order they happened.
  {
    name: 'bank.pipeline-events.v1',
    partitions: 1,
    retentionMs: -1,
    cleanupPolicy: 'delete',
    key: 'correlation id (batch id, run id or model version)',
    schema: 'pipeline-event.avsc',
  },
];

export const TOPIC = {
  customers: 'bank.customers.v1',
  predictions: 'bank.predictions.v1',
  groundTruth: 'bank.ground-truth.v1',
  pipelineEvents: 'bank.pipeline-events.v1',
} as const;

/**
 * The consumer groups of bankops' long-lived consumers, named once: each consumer takes its default from
 * here and the monitor reports their lag. (The monitor's own group is `BANKOPS_MONITOR_GROUP`, plus its
 * start time; serving and one-off reads use a fresh group each.)
 */
export const GROUP = {
  lakeWriter: 'bankops-lake-writer',
  retrainTrigger: 'bankops-retrain-trigger',
  trainer: 'bankops-trainer',
  promoter: 'bankops-promoter',
} as const;
