/**
 * Per-test topics and Iceberg namespace, so that tests never see each other's (or the demo's) data.
 */
import { randomUUID } from 'node:crypto';
import { TABLES, type TableSpec } from '../../../src/lake/tables.js';
import { getConfig } from '../../../src/config/index.js';
import { createKafka } from '../../../src/kafka/client.js';
import { createRegistry } from '../../../src/kafka/registry.js';
import { applyTopics, type TopicSpec } from '../../../src/kafka/topics.js';

export const config = getConfig();

export interface IsolatedLake {
  id: string;
  customers: TableSpec;
  dlq: string;
  /** This test's own pipeline events topic. */
  events: string;
}

export function customersSpec(topic: string, namespace: string): TableSpec {
  const base = TABLES.find((t) => t.table === 'customers');
  if (!base) throw new Error('no customers table spec');
  return { ...base, topic, namespace };
}

/** Creates `<id>.customers` and its dead-letter topic, registers their schemas, names a fresh namespace. */
export async function isolatedLake(partitions = 3): Promise<IsolatedLake> {
  const id = `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const topic = `test.${id}.customers`;
  const dlq = `${topic}.dlq`;
  const events = `test.${id}.events`;
  const specs: TopicSpec[] = [
    {
      name: topic,
      partitions,
      retentionMs: -1,
      cleanupPolicy: 'delete',
      key: 'record_id',
      schema: 'customer.avsc',
      deadLetter: dlq,
    },
    {
      name: dlq,
      partitions: 1,
      retentionMs: -1,
      cleanupPolicy: 'delete',
      key: 'original',
      schema: 'dead-letter.avsc',
    },
    {
      name: events,
      partitions: 1,
      retentionMs: -1,
      cleanupPolicy: 'delete',
      key: 'correlation id',
      schema: 'pipeline-event.avsc',
    },
  ];
  await applyTopics(config, createKafka(config, 'bankops-test'), createRegistry(config), specs);
  return { id, customers: customersSpec(topic, id), dlq, events };
}

/** The predictions and ground-truth tables of an isolated lake, with their topics. */
export interface IsolatedTraffic {
  predictions: TableSpec;
  groundTruth: TableSpec;
}

/** Adds `<id>.predictions` and `<id>.ground_truth` (and their topics) to an isolated lake. */
export async function isolatedTraffic(lake: IsolatedLake): Promise<IsolatedTraffic> {
  const spec = (table: string, topic: string): TableSpec => {
    const base = TABLES.find((t) => t.table === table);
    if (!base) throw new Error(`no ${table} table spec`);
    return { ...base, topic, namespace: lake.id };
  };
  const predictions = spec('predictions', `test.${lake.id}.predictions`);
  const groundTruth = spec('ground_truth', `test.${lake.id}.ground-truth`);
  const topic = (name: string, schema: string): TopicSpec => ({
    name,
    partitions: 3,
    retentionMs: -1,
    cleanupPolicy: 'delete',
    key: 'prediction_id',
    schema,
  });
  await applyTopics(config, createKafka(config, 'bankops-test'), createRegistry(config), [
    topic(predictions.topic, 'prediction.avsc'),
    topic(groundTruth.topic, 'ground-truth.avsc'),
  ]);
  return { predictions, groundTruth };
}
