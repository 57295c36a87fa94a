/**
 * A customers table of a test's own, landed the way production lands it (Kafka → lake writer → Iceberg),
 * for tests that read customers (the simulator, the EDA) without depending on the demo's bank.customers.
 */
import { startLakeWriter, type RunningLakeWriter } from '../../../consumers/lake-writer/main.js';
import { inferCallDates, publishBatch, toCustomers } from '../../../producers/customers.js';
import { parseBankCsv } from '../../../src/bank/csv.js';
import { readBundledDataset } from '../../../src/data/index.js';
import { createKafka } from '../../../src/kafka/client.js';
import { AvroProducer } from '../../../src/kafka/producer.js';
import { createRegistry } from '../../../src/kafka/registry.js';
import { config, isolatedLake } from './isolated-lake.js';
import { waitFor } from './wait.js';

export interface LandedCustomers {
  /** namespace.table */
  table: string;
  rows: number;
  /** Still running when `keepWriter` was asked for (with /metrics scraped by Prometheus). */
  writer: RunningLakeWriter | undefined;
}

/** Every `every`-th UCI row (in time order), landed in a fresh namespace. */
export async function landCustomers(
  options: { every?: number; keepWriter?: boolean } = {},
): Promise<LandedCustomers> {
  const every = options.every ?? 3;
  const lake = await isolatedLake(1);
  const records = parseBankCsv((await readBundledDataset()).toString('utf8')).filter(
    (_, i) => i % every === 0,
  );
  const producer = new AvroProducer(createKafka(config, 'bankops-test'), createRegistry(config));
  try {
    await publishBatch(
      producer,
      toCustomers(records, `test-${lake.id}`, 'test', inferCallDates(records)),
      `test-${lake.id}`,
      'test',
      {},
      undefined,
      lake.customers.topic,
      lake.events,
    );
  } finally {
    await producer.close();
  }
  const writer = await startLakeWriter(config, {
    tables: [lake.customers],
    groupId: `g-${lake.id}`,
    maxBatchMs: 300,
    eventsTopic: lake.events,
    instance: `test-${lake.id}`,
    ...(options.keepWriter ? { metricsPort: 0 } : {}),
  });
  const landed = () =>
    writer.writer.flushes.reduce((n, f) => n + f.appended.reduce((m, a) => m + a.rows, 0), 0);
  await waitFor(
    async () => landed(),
    (n) => n >= records.length,
    { what: 'the customers landed' },
  );
  if (!options.keepWriter) await writer.close();
  return {
    table: `${lake.id}.customers`,
    rows: records.length,
    writer: options.keepWriter ? writer : undefined,
  };
}
