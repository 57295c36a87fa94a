import { readFile } from 'node:fs/promises';
import type { Config } from '../src/config/index.js';
import { parseBankCsv } from '../src/bank/csv.js';
import { readBundledDataset, sha256 } from '../src/data/index.js';
import { BankopsError } from '../src/errors/index.js';
import { createKafka } from '../src/kafka/client.js';
import { AvroProducer } from '../src/kafka/producer.js';
import { createRegistry } from '../src/kafka/registry.js';
import { withLake } from '../src/lake/duckdb.js';
import { CUSTOMERS_TABLE } from '../src/lake/readers.js';
import { tableExists, tableRef } from '../src/lake/snapshots.js';
import { inferCallDates, publishBatch, toCustomers, type PublishedBatch } from './customers.js';

/** The batch id of a file's contents: loading the same file twice names the same batch. */
export function fileBatchId(bytes: Uint8Array): string {
  return `uci-${sha256(bytes).slice(0, 16)}`;
}

export interface LoadOptions {
  /** A `bank-full.csv`-format file; the bundled copy when omitted. */
  file?: string;
  onProgress?: (sent: number, total: number) => void;
  /** Publish even when the lake already holds this file's batch. */
  force?: boolean;
}

/** Rows of a batch the lake holds; 0 when the table or the catalog is not there. */
export async function batchRowsInLake(config: Config, batchId: string): Promise<number> {
  try {
    return await withLake(config, async (lake) => {
      if (!(await tableExists(lake, CUSTOMERS_TABLE))) return 0;
      const [row] = await lake.all<{ n: bigint }>(
        `SELECT count(*) AS n FROM ${tableRef(CUSTOMERS_TABLE)} WHERE batch_id = $1`,
        [batchId],
      );
      return Number(row?.n ?? 0);
    });
  } catch {
    return 0;
  }
}

async function batchInLake(config: Config, batchId: string): Promise<boolean> {
  return (await batchRowsInLake(config, batchId)) > 0;
}

/**
 * Publishes the UCI data as one batch on bank.customers.v1. The whole file is parsed and validated
 * first: a bad file is refused, naming its first bad line and column, before anything is published.
 */
export async function loadDataset(config: Config, options: LoadOptions = {}): Promise<PublishedBatch> {
  let bytes: Buffer;
  if (options.file) {
    try {
      bytes = await readFile(options.file);
    } catch (error) {
      throw new BankopsError('NOT_FOUND', `cannot read ${options.file}`, { cause: error });
    }
  } else {
    bytes = await readBundledDataset();
  }
  let records;
  try {
    records = parseBankCsv(bytes.toString('utf8'));
  } catch (error) {
    if (error instanceof BankopsError) {
      throw new BankopsError(error.code, `${options.file ?? 'bundled bank-full.csv'}: ${error.message}`, {
        cause: error,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
    throw error;
  }
  if (records.length === 0) throw new BankopsError('DATA_INVALID', 'the file holds no data rows');
  const digest = sha256(bytes);
  const batchId = fileBatchId(bytes);
  if (!options.force && (await batchInLake(config, batchId))) {
    throw new BankopsError('DATA_INVALID', `batch ${batchId} (this file) is already in the lake`, {
      hint: 'Pass --force to publish it again as a second copy.',
    });
  }
  const source = options.file ? 'file' : 'uci';
  const customers = toCustomers(records, batchId, source, inferCallDates(records));
  const kafka = createKafka(config, 'bankops-loader');
  const producer = new AvroProducer(kafka, createRegistry(config));
  try {
    return await publishBatch(
      producer,
      customers,
      batchId,
      source,
      { sha256: digest, file: options.file ?? null },
      (sent) => options.onProgress?.(sent, customers.length),
    );
  } finally {
    await producer.close();
  }
}
