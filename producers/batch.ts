import type { Config } from '../src/config/index.js';
import { createKafka } from '../src/kafka/client.js';
import { AvroProducer } from '../src/kafka/producer.js';
import { createRegistry } from '../src/kafka/registry.js';
import { withLake } from '../src/lake/duckdb.js';
import { readCustomers } from '../src/lake/readers.js';
import { publishBatch, toCustomers, type PublishedBatch } from './customers.js';
import { scenarioName, synthesize, type ScenarioMix } from './synthetic.js';

export interface BatchOptions {
  rows: number;
  seed: number;
  scenario: ScenarioMix;
  /** How many lake rows to bootstrap from (a repeatable sample). */
  sourceSample?: number;
  onProgress?: (sent: number, total: number) => void;
}

/** One synthetic batch: bootstrapped from the lake, published on bank.customers.v1 with its event. */
export async function publishSyntheticBatch(config: Config, options: BatchOptions): Promise<PublishedBatch> {
  const source = await withLake(config, (lake) =>
    readCustomers(lake, { sample: options.sourceSample ?? 20_000, seed: options.seed }),
  );
  const records = synthesize(source, options);
  const now = Date.now();
  const batchId = `syn-${scenarioName(options.scenario)}-${options.seed}-${now}`;
  const customers = toCustomers(
    records,
    batchId,
    'synthetic',
    records.map(() => now),
  );
  const producer = new AvroProducer(createKafka(config, 'bankops-batch'), createRegistry(config));
  try {
    return await publishBatch(
      producer,
      customers,
      batchId,
      'synthetic',
      { scenario: scenarioName(options.scenario), seed: options.seed },
      (sent) => options.onProgress?.(sent, customers.length),
    );
  } finally {
    await producer.close();
  }
}
