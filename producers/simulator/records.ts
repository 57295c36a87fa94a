import { FEATURE_COLUMNS, type BankRecord } from '../../src/bank/columns.js';
import type { Config } from '../../src/config/index.js';
import { BankopsError } from '../../src/errors/index.js';
import { withLake } from '../../src/lake/duckdb.js';
import { bankRecordOf, groupKeyOf, readCustomers, type CustomerRow } from '../../src/lake/readers.js';
import { isReserved, mulberry32, shuffle } from '../../src/training/index.js';
import { synthesizeCopies, type ScenarioMix } from '../synthetic.js';

/** One customer to send: the raw feature columns, its true outcome (y), and its customer key. */
export interface SimulatedRecord {
  features: Record<string, string | number>;
  outcome: boolean;
  /** The real customer the record is (or copies): A/B routing is sticky by it, training groups by it. */
  customerKey: string;
}

export interface RecordSourceOptions {
  /** How many records to produce (the reserve is cycled if it is smaller). */
  count: number;
  /** Fresh synthetic records with this drift scenario, bootstrapped from the reserve. */
  scenario?: ScenarioMix;
  seed?: number;
  table?: string;
}

function toSimulated(row: BankRecord, key: string): SimulatedRecord {
  const features: Record<string, string | number> = {};
  for (const column of FEATURE_COLUMNS) features[column] = row[column];
  return { features, outcome: row.y === 'yes', customerKey: key };
}

/**
 * The customers simulated clients are drawn from: the simulation reserve, a stable share of customers
 * (by a hash of the customer key, BANKOPS_SIMULATION_RESERVE) that training never reads from the
 * customers table, so no model was fitted on them or on a copy of them. With the reserve set to 0, the
 * whole table (models have seen those records).
 */
export async function reservedCustomers(config: Config, table?: string): Promise<CustomerRow[]> {
  const rows: CustomerRow[] = await withLake(config, (lake) =>
    readCustomers(lake, table === undefined ? {} : { table }),
  );
  const name = table ?? 'bank.customers';
  if (rows.length === 0) {
    throw new BankopsError('NOT_FOUND', `no customers in ${name} to simulate with`, {
      hint: 'Load the data first: bin/bankops data load, then bin/bankops lake write.',
    });
  }
  const share = config.training.reserve;
  if (share <= 0) return rows;
  const reserved = rows.filter((r) => isReserved(groupKeyOf(r), share));
  if (reserved.length === 0) {
    throw new BankopsError(
      'NOT_FOUND',
      `none of the ${rows.length} customers of ${name} is in the simulation reserve`,
      {
        hint: 'Raise BANKOPS_SIMULATION_RESERVE (the share of customers set aside), or load more customers.',
      },
    );
  }
  return reserved;
}

/**
 * Real records of the simulation reserve in a seeded random order (cycled), each with its own key; with a scenario, records
 * synthesized from the reserve and shifted on purpose (producers/synthetic.ts), each carrying the key of
 * the reserve record it copies, so a copy and its original always land on the same side of a split.
 */
export async function simulationRecords(
  config: Config,
  options: RecordSourceOptions,
): Promise<SimulatedRecord[]> {
  const reserve = await reservedCustomers(config, options.table);
  const seed = options.seed ?? 42;
  if (options.scenario !== undefined) {
    return synthesizeCopies(reserve.map(bankRecordOf), {
      rows: options.count,
      seed,
      scenario: options.scenario,
    }).map((copy) => toSimulated(copy.record, groupKeyOf(reserve[copy.source] as CustomerRow)));
  }
  // in a seeded random order: the table is in event-time order, and a slice of it is one season of calls
  const order = reserve.map((_, i) => i);
  shuffle(order, mulberry32(seed));
  const out: SimulatedRecord[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const row = reserve[order[i % order.length] as number] as CustomerRow;
    out.push(toSimulated(bankRecordOf(row), groupKeyOf(row)));
  }
  return out;
}
