import type { BankRecord } from '../bank/columns.js';
import { parseBankCsv } from '../bank/csv.js';
import { readBundledDataset } from '../data/index.js';

/** 1 for a subscription (`y` = "yes"), else 0. */
export function bankLabels(records: readonly BankRecord[]): Uint8Array {
  return Uint8Array.from(records, (record) => (record.y === 'yes' ? 1 : 0));
}

/** The bundled UCI table (45,211 rows) with its labels: the offline training source. */
export async function loadBundledBank(): Promise<{ records: BankRecord[]; labels: Uint8Array }> {
  const records = parseBankCsv((await readBundledDataset()).toString('utf8'));
  return { records, labels: bankLabels(records) };
}
