import { FEATURE_COLUMNS, type BankRecord } from '../../src/bank/columns.js';
import type { Config } from '../../src/config/index.js';
import { BankopsError } from '../../src/errors/index.js';
import { withLake } from '../../src/lake/duckdb.js';
import { readCustomers, type CustomerRow } from '../../src/lake/readers.js';
import { synthesize, type ScenarioMix } from '../synthetic.js';

/** One customer to send: the raw feature columns, its true outcome (y), and a key for A/B routing. */
export interface SimulatedRecord {
  features: Record<string, string | number>;
  outcome: boolean;
  customerKey: string;
}

export interface RecordSourceOptions {
  /** How many records to produce (the test part is cycled if it is smaller). */
  count: number;
  /** Fresh synthetic records with this drift scenario instead of the test part. */
  scenario?: ScenarioMix;
  seed?: number;
  table?: string;
  /** The newest share of rows by event time that forms the test part (training holds out the same). */
  testFraction?: number;
}

function toSimulated(row: BankRecord, key: string): SimulatedRecord {
  const features: Record<string, string | number> = {};
  for (const column of FEATURE_COLUMNS) features[column] = row[column];
  return { features, outcome: row.y === 'yes', customerKey: key };
}

/**
 * Real records no model was fitted on: the newest `testFraction` (30 %) of `bank.customers` by event
 * time at the current snapshot (the time-ordered test part); with a scenario, records synthesized from
 * the table's rows and shifted on purpose (producers/synthetic.ts).
 */
export async function simulationRecords(
  config: Config,
  options: RecordSourceOptions,
): Promise<SimulatedRecord[]> {
  const rows: CustomerRow[] = await withLake(config, (lake) =>
    readCustomers(lake, options.table === undefined ? {} : { table: options.table }),
  );
  if (rows.length === 0) {
    throw new BankopsError(
      'NOT_FOUND',
      `no customers in ${options.table ?? 'bank.customers'} to simulate with`,
      {
        hint: 'Load the data first: bin/bankops data load, then bin/bankops lake write.',
      },
    );
  }
  const seed = options.seed ?? 42;
  if (options.scenario !== undefined) {
    return synthesize(rows, { rows: options.count, seed, scenario: options.scenario }).map((r, i) =>
      toSimulated(r, `synthetic-${seed}-${i}`),
    );
  }
  // readCustomers orders by event time: the test part is the tail.
  const testPart = rows.slice(Math.floor(rows.length * (1 - (options.testFraction ?? 0.3))));
  const out: SimulatedRecord[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const row = testPart[i % testPart.length] as CustomerRow;
    out.push(toSimulated(row, row.record_id));
  }
  return out;
}
