import type { Config } from '../src/config/index.js';
import { createKafka } from '../src/kafka/client.js';
import { AvroProducer } from '../src/kafka/producer.js';
import { createRegistry } from '../src/kafka/registry.js';
import { withLake } from '../src/lake/duckdb.js';
import { bankRecordOf, groupKeyOf, readCustomers, type CustomerRow } from '../src/lake/readers.js';
import { isReserved } from '../src/training/index.js';
import { publishBatch, toCustomers, type PublishedBatch } from './customers.js';
import { scenarioName, synthesizeCopies, type ScenarioMix } from './synthetic.js';

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
  // new customers are copies of trainable ones: the simulation reserve stays for simulated clients
  const source = (
    await withLake(config, (lake) =>
      readCustomers(lake, { sample: options.sourceSample ?? 20_000, seed: options.seed }),
    )
  ).filter((row) => !isReserved(groupKeyOf(row), config.training.reserve));
  const copies = synthesizeCopies(source.map(bankRecordOf), options);
  const now = Date.now();
  const batchId = `syn-${scenarioName(options.scenario)}-${options.seed}-${now}`;
  const customers = toCustomers(
    copies.map((c) => c.record),
    batchId,
    'synthetic',
    copies.map(() => now),
    // each copy carries the customer key of the record it copies: they stay on one side of every split
    copies.map((c) => groupKeyOf(source[c.source] as CustomerRow)),
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
