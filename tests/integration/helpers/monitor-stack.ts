/**
 * Shared set-up of the monitor tests: a serving API in-process on topics of the test's own, a monitor
 * on the same topics, and readers for gauges and joined rows.
 */
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Config, MonitorConfig } from '../../../src/config/index.js';
import type { GroundTruth, Prediction } from '../../../src/kafka/generated/types.js';
import { applyTopics } from '../../../src/kafka/topics.js';
import { startServing, type RunningServing } from '../../../serving/start.js';
import { config, readTopic, servingTestConfig, type ServingFixture } from './serving.js';

export type MonitorTopics = ServingFixture['topics'];

/** Predictions, ground truth (with its dead-letter topic) and pipeline events, named after `id`. */
export async function monitorTopics(fixture: ServingFixture): Promise<MonitorTopics> {
  const id = randomUUID().slice(0, 8);
  const topics = {
    predictions: `test.${fixture.id}.${id}.predictions`,
    groundTruth: `test.${fixture.id}.${id}.ground-truth`,
    pipelineEvents: `test.${fixture.id}.${id}.events`,
  };
  const spec = (name: string, schema: string, partitions = 3) => ({
    name,
    partitions,
    retentionMs: -1,
    cleanupPolicy: 'delete' as const,
    key: 'id',
    schema,
  });
  await applyTopics(config, fixture.kafka, fixture.registry, [
    spec(topics.predictions, 'prediction.avsc'),
    spec(topics.groundTruth, 'ground-truth.avsc'),
    spec(`${topics.groundTruth}.dlq`, 'dead-letter.avsc', 1),
    spec(topics.pipelineEvents, 'pipeline-event.avsc', 1),
  ]);
  return topics;
}

export async function startTestServing(
  fixture: ServingFixture,
  topics: MonitorTopics,
): Promise<RunningServing> {
  return startServing(servingTestConfig(fixture, { topics }), { port: 0 });
}

export function monitorConfig(overrides: Partial<MonitorConfig> = {}): Config {
  return { ...config, monitor: { ...config.monitor, ...overrides } };
}

/** A metric's value for the series whose labels include `labels` (undefined: no such series). */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return match?.value;
}

export interface JoinedRow {
  predictionId: string;
  probability: number;
  decision: boolean;
  threshold: number;
  modelVersion: string;
  variant: string;
  outcome: boolean;
}

/** The first label of each prediction joined to it, read back from the topics (the reference computation). */
export async function joinedFromTopics(fixture: ServingFixture, topics: MonitorTopics): Promise<JoinedRow[]> {
  const predictions = await readTopic<Prediction>(fixture, topics.predictions);
  const labels = await readTopic<GroundTruth>(fixture, topics.groundTruth);
  const first = new Map<string, GroundTruth>();
  for (const label of labels) if (!first.has(label.prediction_id)) first.set(label.prediction_id, label);
  const rows: JoinedRow[] = [];
  for (const p of predictions) {
    const label = first.get(p.prediction_id);
    if (label === undefined) continue;
    rows.push({
      predictionId: p.prediction_id,
      probability: p.probability,
      decision: p.decision,
      threshold: p.threshold,
      modelVersion: p.model_version,
      variant: p.variant,
      outcome: label.outcome,
    });
  }
  return rows;
}
