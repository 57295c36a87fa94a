/**
 * Kafka → Iceberg: sustained rows per second, freshness (produce → visible in Iceberg) at the default
 * micro-batch settings, and snapshots / data files per million rows. Needs the stack (`make stack-up`).
 * Run: `npx tsx benchmarks/lake-writer.ts [--rows 200000] [--fresh-batches 20]`.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startLakeWriter } from '../consumers/lake-writer/main.js';
import { TABLES } from '../src/lake/tables.js';
import { publishBatch, toCustomers } from '../producers/customers.js';
import { synthesize } from '../producers/synthetic.js';
import { parseBankCsv } from '../src/bank/csv.js';
import { getConfig } from '../src/config/index.js';
import { readBundledDataset } from '../src/data/index.js';
import { createKafka } from '../src/kafka/client.js';
import { AvroProducer } from '../src/kafka/producer.js';
import { createRegistry } from '../src/kafka/registry.js';
import { applyTopics } from '../src/kafka/topics.js';
import { withLake } from '../src/lake/duckdb.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    'fresh-batches': { type: 'string', default: '20' },
  },
});
const ROWS = Number(values.rows);
const FRESH = Number(values['fresh-batches']);
const config = getConfig();
const kafka = createKafka(config, 'bankops-bench');
const registry = createRegistry(config);
const producer = new AvroProducer(kafka, registry);
const uci = parseBankCsv((await readBundledDataset()).toString('utf8'));
const base = TABLES.find((t) => t.table === 'customers');
if (!base) throw new Error('no customers table');

async function isolated(partitions: number) {
  const id = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const topic = `bench.${id}.customers`;
  await applyTopics(config, kafka, registry, [
    {
      name: topic,
      partitions,
      retentionMs: -1,
      cleanupPolicy: 'delete',
      key: 'record_id',
      schema: 'customer.avsc',
      deadLetter: `${topic}.dlq`,
    },
    {
      name: `${topic}.dlq`,
      partitions: 1,
      retentionMs: -1,
      cleanupPolicy: 'delete',
      key: 'k',
      schema: 'dead-letter.avsc',
    },
    {
      name: `bench.${id}.events`,
      partitions: 1,
      retentionMs: -1,
      cleanupPolicy: 'delete',
      key: 'k',
      schema: 'pipeline-event.avsc',
    },
  ]);
  return { id, topic, events: `bench.${id}.events`, spec: { ...base!, topic, namespace: id } };
}

async function count(namespace: string, where = ''): Promise<number> {
  return withLake(config, async (lake) => {
    const t = await lake.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = '${namespace}'`,
    );
    if (Number(t[0]?.n ?? 0) === 0) return 0;
    const [row] = await lake.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM lake.${namespace}.customers ${where}`,
    );
    return Number(row?.n ?? 0);
  });
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

// 1. Throughput: the topic is filled first, then one writer drains it.
{
  const t = await isolated(3);
  const records = synthesize(uci, { rows: ROWS, seed: 1, scenario: 'none' });
  const now = Date.now();
  const produceStart = performance.now();
  await publishBatch(
    producer,
    toCustomers(
      records,
      'bench',
      'bench',
      records.map(() => now),
    ),
    'bench',
    'bench',
    {},
    undefined,
    t.topic,
    t.events,
  );
  const produceS = (performance.now() - produceStart) / 1000;
  const started = performance.now();
  const writer = await startLakeWriter(config, {
    tables: [t.spec],
    groupId: `g-${t.id}`,
    eventsTopic: t.events,
    instance: t.id,
  });
  const written = () =>
    writer.writer.flushes.reduce((n, f) => n + f.appended.reduce((m, a) => m + a.rows, 0), 0);
  while (written() < ROWS) await new Promise((r) => setTimeout(r, 100));
  const drainS = (performance.now() - started) / 1000;
  const flushes = writer.writer.flushes;
  const steadyS = ((flushes.at(-1)?.committedAt ?? 0) - (flushes[0]?.firstMessageAt ?? 0)) / 1000;
  await writer.close();
  const files = await withLake(config, async (lake) => {
    const snaps = await lake.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM iceberg_snapshots(lake.${t.id}.customers)`,
    );
    const data = await lake.all<{ n: bigint }>(
      `SELECT count(DISTINCT file_path) AS n FROM iceberg_metadata(lake.${t.id}.customers)`,
    );
    return { snapshots: Number(snaps[0]?.n), files: Number(data[0]?.n) };
  });
  console.log(`produce ${ROWS} rows: ${produceS.toFixed(1)} s (${Math.round(ROWS / produceS)} rows/s)`);
  console.log(
    `drain into Iceberg (incl. writer start and group join): ${drainS.toFixed(1)} s → ${Math.round(ROWS / drainS)} rows/s`,
  );
  console.log(
    `steady state (first message received → last Kafka commit): ${steadyS.toFixed(1)} s → ${Math.round(ROWS / steadyS)} rows/s`,
  );
  console.log(
    `snapshots ${files.snapshots}, data files ${files.files} → per million rows: ${Math.round((files.snapshots * 1e6) / ROWS)} snapshots, ${Math.round((files.files * 1e6) / ROWS)} files`,
  );
}

// 2. Freshness at the default micro-batch settings: small batches while the writer runs.
{
  const t = await isolated(3);
  const writer = await startLakeWriter(config, {
    tables: [t.spec],
    groupId: `g-${t.id}`,
    eventsTopic: t.events,
    instance: t.id,
  });
  const latencies: number[] = [];
  let total = 0;
  for (let i = 0; i < FRESH; i += 1) {
    const records = synthesize(uci, { rows: 500, seed: 100 + i, scenario: 'none' });
    const batchId = `fresh-${i}`;
    const sent = performance.now();
    await publishBatch(
      producer,
      toCustomers(
        records,
        batchId,
        'bench',
        records.map(() => Date.now()),
      ),
      batchId,
      'bench',
      {},
      undefined,
      t.topic,
      t.events,
    );
    total += records.length;
    while ((await count(t.id, `WHERE batch_id = '${batchId}'`)) < records.length)
      await new Promise((r) => setTimeout(r, 100));
    latencies.push((performance.now() - sent) / 1000);
  }
  await writer.close();
  console.log(
    `freshness over ${FRESH} batches of 500 rows (max batch ${config.lakeWriter.maxBatchRows} rows / ${config.lakeWriter.maxBatchMs} ms): p50 ${percentile(latencies, 50).toFixed(2)} s, p95 ${percentile(latencies, 95).toFixed(2)} s, total ${total} rows`,
  );
}
await producer.close();
