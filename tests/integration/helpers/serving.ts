/**
 * Shared set-up of the serving tests: their own topics, their own registered model (versions created
 * from a model trained for the tests, so the product's `bank-marketing` aliases are never touched), a broken
 * version, and a reader for the events the server published.
 */
import { createHash, randomUUID } from 'node:crypto';
import { getConfig, type Config } from '../../../src/config/index.js';
import { createKafka, type KafkaClient } from '../../../src/kafka/client.js';
import { readToEnd } from '../../../src/kafka/read.js';
import { createRegistry, type SchemaRegistry } from '../../../src/kafka/registry.js';
import { applyTopics } from '../../../src/kafka/topics.js';
import { MlflowClient, type ModelVersion } from '../../../src/registry/index.js';
import { downloadBundle } from '../../../src/pipeline/bundles.js';
import { trainFixtureRun } from './model-fixture.js';
import { FEATURE_COLUMNS } from '../../../src/bank/columns.js';
import { TYPICAL_CUSTOMER } from '../../../src/bank/sample.js';

export const config = getConfig();
export const API_KEY = `test-key-${randomUUID()}`;
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface ServingFixture {
  id: string;
  modelName: string;
  topics: { predictions: string; groundTruth: string; pipelineEvents: string };
  mlflow: MlflowClient;
  kafka: KafkaClient;
  registry: SchemaRegistry;
  /** Two good versions (from the same fixture run) and one whose feature spec was edited. */
  good: [ModelVersion, ModelVersion];
  broken: ModelVersion;
}

export async function servingFixture(): Promise<ServingFixture> {
  const id = `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const topics = {
    predictions: `test.${id}.predictions`,
    groundTruth: `test.${id}.ground-truth`,
    pipelineEvents: `test.${id}.events`,
  };
  const kafka = createKafka(config, 'bankops-test-serving');
  const registry = createRegistry(config);
  const topic = (name: string, schema: string) => ({
    name,
    partitions: name === topics.pipelineEvents ? 1 : 3,
    retentionMs: -1,
    cleanupPolicy: 'delete' as const,
    key: 'id',
    schema,
  });
  await applyTopics(config, kafka, registry, [
    topic(topics.predictions, 'prediction.avsc'),
    topic(topics.groundTruth, 'ground-truth.avsc'),
    topic(topics.pipelineEvents, 'pipeline-event.avsc'),
  ]);
  const mlflow = new MlflowClient(config);
  const trained = await trainFixtureRun(mlflow, `serving-test-${id}`);
  const modelName = `bank-marketing-${id}`;
  await mlflow.getOrCreateRegisteredModel(modelName);
  const register = (source: string, runId: string) =>
    mlflow.createModelVersion({ name: modelName, source, runId });
  const first = await register(trained.source, trained.runId);
  const second = await register(trained.source, trained.runId);
  // A bundle whose feature_spec.json no longer matches the hash recorded at training.
  const files = await downloadBundle(mlflow, first);
  const spec = JSON.parse(Buffer.from(files['feature_spec.json'] as Uint8Array).toString('utf8')) as {
    categorical: Array<{ categories: string[] }>;
  };
  spec.categorical[0]?.categories.reverse();
  files['feature_spec.json'] = Buffer.from(JSON.stringify(spec, null, 2));
  const experiment = await mlflow.getOrCreateExperiment(`serving-test-${id}`);
  const run = await mlflow.createRun({ experimentId: experiment.experiment_id, runName: 'broken-bundle' });
  await mlflow.uploadDirectory(run.info.run_id, 'model', new Map(Object.entries(files)));
  await mlflow.updateRun(run.info.run_id, 'FINISHED');
  const broken = await register(`runs:/${run.info.run_id}/model`, run.info.run_id);
  await mlflow.setAlias(modelName, 'champion', first.version);
  await mlflow.setAlias(modelName, 'challenger', second.version);
  return { id, modelName, topics, mlflow, kafka, registry, good: [first, second], broken };
}

/** The config a test server runs with: its own model and topics, one known API key, no Prometheus file. */
export function servingTestConfig(
  fixture: ServingFixture,
  overrides: Partial<Config['serving']> = {},
): Config {
  return {
    ...config,
    serving: {
      ...config.serving,
      port: 0,
      auth: 'on',
      apiKeyHashes: [sha256(API_KEY)],
      modelName: fixture.modelName,
      mode: 'champion',
      pollMs: 600_000,
      events: true,
      scrapeTarget: false,
      topics: fixture.topics,
      ...overrides,
    },
  };
}

/** Every decoded value on `topic` up to its end offsets at the call. */
export async function readTopic<T>(fixture: ServingFixture, topic: string, timeoutMs = 30_000): Promise<T[]> {
  return (await readToEnd(fixture.kafka, fixture.registry, topic, timeoutMs)).map((r) => r.value as T);
}

/** A customer record as the API takes it (a typical UCI row). */
export function customer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...TYPICAL_CUSTOMER, ...overrides };
}

/** The workshop's payload: `dataframe_split` with the 16 raw columns. */
export function workshopPayload(): Record<string, unknown> {
  const columns = [...FEATURE_COLUMNS];
  return {
    dataframe_split: {
      columns,
      data: [
        [
          58,
          'management',
          'married',
          'tertiary',
          'no',
          2143,
          'yes',
          'no',
          'unknown',
          5,
          'may',
          261,
          1,
          -1,
          0,
          'unknown',
        ],
        [
          33,
          'entrepreneur',
          'married',
          'secondary',
          'no',
          2,
          'yes',
          'yes',
          'unknown',
          5,
          'may',
          76,
          1,
          -1,
          0,
          'unknown',
        ],
      ],
    },
  };
}
