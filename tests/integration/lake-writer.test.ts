/**
 * The lake writer against the real Kafka, schema registry and Iceberg REST catalog: exactly-once landing,
 * a kill -9 mid-batch, two writers in one group, dead letters, snapshots and an independent reader.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLakeWriter, type RunningLakeWriter } from '../../consumers/lake-writer/main.js';
import { target } from '../../src/lake/sink.js';
import { inferCallDates, publishBatch, toCustomers } from '../../producers/customers.js';
import { parseBankCsv } from '../../src/bank/csv.js';
import type { BankRecord } from '../../src/bank/columns.js';
import { readBundledDataset } from '../../src/data/index.js';
import { createKafka } from '../../src/kafka/client.js';
import { groupLag } from '../../src/kafka/lag.js';
import { logger } from '../../src/logging/index.js';
import { stackDown, stackUp } from '../../src/stack/stack.js';
import { AvroProducer } from '../../src/kafka/producer.js';
import { readToEnd } from '../../src/kafka/read.js';
import { createRegistry, readSchema, subjectFor } from '../../src/kafka/registry.js';
import { openDuckdb, quoteLiteral, withLake } from '../../src/lake/duckdb.js';
import { atSnapshot, rowsAddedSql, snapshots } from '../../src/lake/snapshots.js';
import { config, isolatedLake, type IsolatedLake } from './helpers/isolated-lake.js';
import { waitFor } from './helpers/wait.js';

const kafka = createKafka(config, 'bankops-test');
const registry = createRegistry(config);
const producer = new AvroProducer(kafka, registry);
let uci: BankRecord[] = [];
const writers: RunningLakeWriter[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  uci = parseBankCsv((await readBundledDataset()).toString('utf8'));
  await producer.connect();
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(writers.map((w) => w.close().catch(() => undefined)));
  await producer.close();
});

async function publish(lake: IsolatedLake, records: readonly BankRecord[], batchId = `b-${randomUUID()}`) {
  const customers = toCustomers(records, batchId, 'test', inferCallDates(records));
  await publishBatch(producer, customers, batchId, 'test', {}, undefined, lake.customers.topic, lake.events);
  return batchId;
}

interface Counts {
  rows: number;
  coordinates: number;
  ids: number;
}

async function counts(lake: IsolatedLake): Promise<Counts> {
  return withLake(config, async (l) => {
    const exists = await l.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = ${quoteLiteral(lake.id)}`,
    );
    if (Number(exists[0]?.n ?? 0) === 0) return { rows: 0, coordinates: 0, ids: 0 };
    const [row] = await l.all<{ rows: bigint; coordinates: bigint; ids: bigint }>(
      `SELECT count(*) AS rows, count(DISTINCT (_partition, _offset)) AS coordinates, count(DISTINCT record_id) AS ids
       FROM ${target(lake.customers)}`,
    );
    return { rows: Number(row?.rows), coordinates: Number(row?.coordinates), ids: Number(row?.ids) };
  });
}

async function writer(
  lake: IsolatedLake,
  groupId: string,
  maxBatchRows = 50_000,
): Promise<RunningLakeWriter> {
  const running = await startLakeWriter(config, {
    tables: [lake.customers],
    groupId,
    maxBatchRows,
    maxBatchMs: 500,
    eventsTopic: lake.events,
    instance: `test-${lake.id}`,
  });
  writers.push(running);
  return running;
}

function writerProcess(lake: IsolatedLake, groupId: string, maxBatchRows: number): Promise<ChildProcess> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'lake-writer-process.ts');
  const args = JSON.stringify({
    topic: lake.customers.topic,
    namespace: lake.id,
    groupId,
    maxBatchRows,
    maxBatchMs: 200,
    // the test's own events topic: the default one has no schema until something applies the topics
    eventsTopic: lake.events,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', script, args], {
    cwd: config.repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`lake writer process exited early (${code})`)));
  });
}

const exact = (n: number) => (c: Counts) => c.rows >= n;

describe('lake writer', () => {
  it('lands the 45,211 UCI rows exactly once', async () => {
    const lake = await isolatedLake();
    await publish(lake, uci);
    await writer(lake, `g-${lake.id}`);
    const result = await waitFor(() => counts(lake), exact(45_211), { what: '45,211 rows' });
    expect(result).toEqual({ rows: 45_211, coordinates: 45_211, ids: 45_211 });
  });

  it('is still exact after a kill -9 in the middle of a micro-batch and a restart', async () => {
    const lake = await isolatedLake();
    const records = uci.slice(0, 12_000);
    await publish(lake, records);
    const group = `g-${lake.id}`;
    const first = await writerProcess(lake, group, 2_000);
    // killed as soon as the first micro-batch is committed, while the next ones are on their way
    await new Promise<void>((resolve) => {
      first.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('flushed 1')) resolve();
      });
    });
    first.kill('SIGKILL');
    const before = await counts(lake);
    expect(before.rows).toBeLessThan(12_000);
    await writerProcess(lake, group, 2_000);
    const after = await waitFor(() => counts(lake), exact(12_000), { what: '12,000 rows' });
    expect(after).toEqual({ rows: 12_000, coordinates: 12_000, ids: 12_000 });
  });

  it('splits the partitions between two writers of one group and writes each record once', async () => {
    const lake = await isolatedLake(4);
    const group = `g-${lake.id}`;
    const a = await writer(lake, group, 500);
    const b = await writer(lake, group, 500);
    await publish(lake, uci.slice(0, 6_000));
    const result = await waitFor(() => counts(lake), exact(6_000), { what: '6,000 rows' });
    expect(result).toEqual({ rows: 6_000, coordinates: 6_000, ids: 6_000 });
    const busy = [a, b].filter((w) => w.writer.flushes.some((f) => f.appended.some((r) => r.rows > 0)));
    expect(busy).toHaveLength(2);
  });

  it('dead-letters bad messages with their reason and keeps the partition moving', async () => {
    const lake = await isolatedLake(1);
    const topic = lake.customers.topic;
    const valid = toCustomers(uci.slice(0, 3), 'dlq-batch', 'test', [1, 2, 3]);
    const customerId = await producer.schemaId(topic);
    const groundTruthSchema = await readSchema(config.repoRoot, 'ground-truth.avsc');
    const { id: otherId } = await registry.register(
      { type: SchemaType.AVRO, schema: groundTruthSchema },
      { subject: subjectFor(`test.${lake.id}.other`) },
    );
    const partial = JSON.parse(await readSchema(config.repoRoot, 'customer.avsc')) as {
      fields: Array<{ name: string }>;
    };
    partial.fields = partial.fields.filter((f) => f.name !== 'y');
    const { id: partialId } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(partial) },
      { subject: subjectFor(`test.${lake.id}.partial`) },
    );
    const withoutY: Partial<(typeof valid)[number]> = { ...valid[0]! };
    delete withoutY.y;
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0x01, 2, 4, 6]);
    await producer.sendRaw(topic, [
      { key: 'ok-1', value: await registry.encode(customerId, valid[0]) },
      { key: 'garbage', value: Buffer.from('definitely not avro') },
      { key: 'unknown-schema', value: unknownId },
      {
        key: 'other-schema',
        value: await registry.encode(otherId, {
          prediction_id: 'p',
          event_time: 1,
          outcome: true,
          source: 's',
        }),
      },
      { key: 'out-of-domain', value: await registry.encode(customerId, { ...valid[1], age: 200 }) },
      { key: 'missing-field', value: await registry.encode(partialId, withoutY) },
      { key: 'ok-2', value: await registry.encode(customerId, valid[2]) },
    ]);
    await writer(lake, `g-${lake.id}`);
    await waitFor(() => counts(lake), exact(2), { what: 'the two valid rows' });

    type Letter = { reason: string; error_code: string; source_offset: string };
    const letters = await waitFor(
      async () =>
        new Map(
          (await readToEnd(kafka, registry, lake.dlq)).map((r) => [
            r.key?.toString() ?? '',
            r.value as Letter,
          ]),
        ),
      (read) => read.size >= 5,
      { what: 'five dead letters' },
    );

    expect((await counts(lake)).rows).toBe(2);
    expect(letters.get('garbage')).toMatchObject({ error_code: 'UNDECODABLE', source_offset: '1' });
    expect(letters.get('garbage')?.reason).toMatch(
      /^magic byte 0x[0-9a-f]{2}, expected 0x00: not the Confluent wire format/,
    );
    expect(letters.get('unknown-schema')?.error_code).toBe('UNDECODABLE');
    expect(letters.get('unknown-schema')?.reason).toMatch(/schema id \d+/);
    expect(letters.get('other-schema')).toMatchObject({ error_code: 'INVALID_RECORD' });
    // the foreign schema by id and by the subjects it is registered under
    expect(letters.get('other-schema')?.reason).toMatch(
      /record_id.*\(written with schema id \d+, subjects? [^)]*-value.*\)/,
    );
    expect(letters.get('out-of-domain')?.reason).toMatch(/field "age": 200 is outside 18..95/);
    expect(letters.get('missing-field')?.reason).toMatch(/field "y": missing/);
  });

  it('waits while the Iceberg catalog is down, commits nothing, and lands everything once it is back', async () => {
    const lake = await isolatedLake(1);
    await writer(lake, `g-${lake.id}`, 50_000);
    await publish(lake, uci.slice(0, 200));
    await waitFor(() => counts(lake), exact(200), { what: 'the first 200 rows' });
    // the Kafka commit follows the Iceberg commit: wait for it, so the lag below counts only new messages
    await waitFor(
      async () => (await groupLag(kafka, `g-${lake.id}`, [lake.customers.topic]))[0]?.lag,
      (lag) => lag === 0,
      { what: 'the first offsets committed' },
    );
    const log = logger('test');
    await stackDown({ config, log, only: ['icebergCatalog'] });
    try {
      await publish(lake, uci.slice(200, 500));
      // The writer tries, fails and backs off; nothing may be committed to Kafka meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const lag = await groupLag(kafka, `g-${lake.id}`, [lake.customers.topic]);
      expect(lag[0]?.lag).toBe(300);
    } finally {
      await stackUp({ config, log, only: ['icebergCatalog'] });
    }
    const result = await waitFor(() => counts(lake), exact(500), {
      what: '500 rows after the catalog returned',
    });
    expect(result).toEqual({ rows: 500, coordinates: 500, ids: 500 });
  });

  it('keeps one snapshot per commit: time travel and the increment between snapshots are exact', async () => {
    const lake = await isolatedLake(1);
    const running = await writer(lake, `g-${lake.id}`);
    const firstBatch = await publish(lake, uci.slice(0, 100));
    await waitFor(() => counts(lake), exact(100), { what: 'the first batch' });
    const secondBatch = await publish(lake, uci.slice(100, 150));
    await waitFor(() => counts(lake), exact(150), { what: 'the second batch' });
    await running.close();
    writers.splice(writers.indexOf(running), 1);

    const table = `${lake.id}.customers`;
    await withLake(config, async (l) => {
      const list = await snapshots(l, config, table);
      expect(list).toHaveLength(2);
      const [s1, s2] = [list[0]!, list[1]!];
      expect(s2.summary['added-records']).toBe('50');
      const [then] = await l.all<{ n: bigint }>(
        `SELECT count(*) AS n FROM ${atSnapshot(table, s1.snapshotId)}`,
      );
      expect(Number(then?.n)).toBe(100);
      const added = await l.all<{ batch_id: string; n: bigint }>(
        `SELECT batch_id, count(*) AS n FROM (${rowsAddedSql(table, s1.snapshotId, s2.snapshotId)}) GROUP BY 1`,
      );
      expect(added.map((r) => [r.batch_id, Number(r.n)])).toEqual([[secondBatch, 50]]);
      const initial = await l.all<{ batch_id: string }>(
        `SELECT DISTINCT batch_id FROM (${rowsAddedSql(table, null, s1.snapshotId)})`,
      );
      expect(initial.map((r) => r.batch_id)).toEqual([firstBatch]);
    });

    // An independent reader: DuckDB's iceberg_scan on the metadata file the catalog points at.
    const response = await fetch(`${config.urls.catalog}/v1/namespaces/${lake.id}/tables/customers`);
    const location = ((await response.json()) as { 'metadata-location': string })['metadata-location'];
    const duck = await openDuckdb(config);
    try {
      const [direct] = await duck.all<{ n: bigint; balance: bigint }>(
        `SELECT count(*) AS n, sum(balance) AS balance FROM iceberg_scan(${quoteLiteral(fileURLToPath(location))})`,
      );
      const expected = uci.slice(0, 150).reduce((sum, r) => sum + r.balance, 0);
      expect(Number(direct?.n)).toBe(150);
      expect(Number(direct?.balance)).toBe(expected);
    } finally {
      duck.close();
    }
  });
});
