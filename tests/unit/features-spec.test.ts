import { describe, expect, it } from 'vitest';
import type { BankRecord } from '../../src/bank/columns.js';
import { isBankopsError } from '../../src/errors/index.js';
import {
  buildFeatureSpec,
  encodeRow,
  encodeRows,
  featureCount,
  featureNames,
  flaggedColumns,
  inputColumns,
  parseFeatureSpec,
  specHash,
} from '../../src/features/index.js';
import type { RawRecord } from '../../src/features/index.js';

const base: BankRecord = {
  age: 41,
  job: 'technician',
  marital: 'married',
  education: 'secondary',
  default: 'no',
  balance: 1200,
  housing: 'yes',
  loan: 'no',
  contact: 'cellular',
  day: 15,
  month: 'may',
  duration: 180,
  campaign: 2,
  pdays: -1,
  previous: 0,
  poutcome: 'unknown',
  y: 'no',
};
const rows: BankRecord[] = [
  base,
  { ...base, job: 'admin.', marital: 'single', month: 'jan', y: 'yes' },
  { ...base, job: 'retired', contact: 'unknown', month: 'dec', poutcome: 'success' },
];

function vector(spec: ReturnType<typeof buildFeatureSpec>, record: RawRecord): Float32Array {
  const out = new Float32Array(featureCount(spec));
  encodeRow(spec, record, out);
  return out;
}

describe('feature spec', () => {
  const spec = buildFeatureSpec(rows);

  it('freezes sorted category lists from the training rows and leaves duration out by default', () => {
    expect(spec.numeric).toEqual(['age', 'balance', 'day', 'campaign', 'pdays', 'previous']);
    expect(spec.categorical.find((c) => c.column === 'job')?.categories).toEqual([
      'admin.',
      'retired',
      'technician',
    ]);
    expect(spec.categorical.find((c) => c.column === 'month')?.categories).toEqual(['dec', 'jan', 'may']);
    expect(spec.categorical.map((c) => c.column)).not.toContain('y');
    expect(buildFeatureSpec(rows, { includeDuration: true }).numeric).toContain('duration');
    const names = featureNames(spec);
    expect(names).toHaveLength(featureCount(spec));
    expect(names.slice(6, 9)).toEqual(['job=admin.', 'job=retired', 'job=technician']);
  });

  it('encodes one-hot blocks after the numeric columns', () => {
    const names = featureNames(spec);
    const out = vector(spec, rows[1] as BankRecord);
    expect(Array.from(out.subarray(0, 6))).toEqual([41, 1200, 15, 2, -1, 0]);
    expect(out[names.indexOf('job=admin.')]).toBe(1);
    expect(out[names.indexOf('job=technician')]).toBe(0);
    expect(out[names.indexOf('month=jan')]).toBe(1);
    expect(out.reduce((a, b) => a + b, 0)).toBe(41 + 1200 + 15 + 2 - 1 + spec.categorical.length);
  });

  it('gives identical vectors for the same record, a JSON round-tripped record and a round-tripped spec', () => {
    const again = parseFeatureSpec(JSON.stringify(spec));
    const record = rows[2] as BankRecord;
    const first = vector(spec, record);
    expect(vector(spec, record)).toEqual(first);
    expect(vector(spec, JSON.parse(JSON.stringify(record)) as RawRecord)).toEqual(first);
    expect(vector(again, record)).toEqual(first);
    expect(specHash(again)).toBe(specHash(spec));
    // Key order does not change the hash: it is taken over canonical JSON.
    const reordered = Object.fromEntries(Object.entries(spec).reverse());
    expect(specHash(parseFeatureSpec(JSON.stringify(reordered)))).toBe(specHash(spec));
    expect(specHash({ ...spec, includeDuration: true })).not.toBe(specHash(spec));
  });

  it('writes in place at an offset and overwrites stale values', () => {
    const width = featureCount(spec);
    const out = new Float32Array(width * 2).fill(7);
    encodeRow(spec, rows[0] as BankRecord, out, width);
    expect(Array.from(out.subarray(0, width)).every((v) => v === 7)).toBe(true);
    expect(out.subarray(width)).toEqual(vector(spec, rows[0] as BankRecord));
    expect(() => encodeRow(spec, base, out, width + 1)).toThrow(/room/);
  });

  it('encodes an unknown or missing category as an all-zero block and reports the column', () => {
    const names = featureNames(spec);
    const jobBlock = names.map((n, i) => (n.startsWith('job=') ? i : -1)).filter((i) => i >= 0);
    const out = new Float32Array(featureCount(spec));
    const mask = encodeRow(spec, { ...base, job: 'astronaut', marital: null }, out);
    expect(jobBlock.map((i) => out[i])).toEqual([0, 0, 0]);
    expect(flaggedColumns(spec, mask)).toEqual(['job', 'marital']);
    expect(encodeRow(spec, base, out)).toBe(0);
  });

  it('encodes a missing numeric value as NaN (XGBoost missing) and reports it', () => {
    const out = new Float32Array(featureCount(spec));
    const mask = encodeRow(spec, { ...base, balance: null, age: undefined, pdays: Number.NaN }, out);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(Number.isNaN(out[4])).toBe(true);
    expect(out[2]).toBe(15);
    expect(flaggedColumns(spec, mask)).toEqual(['age', 'balance', 'pdays']);
    expect(inputColumns(spec)).toHaveLength(15);
  });

  it('encodes many rows and counts unknown and missing values per column', () => {
    const batch: RawRecord[] = [base, { ...base, job: 'pilot' }, { ...base, job: 'pilot', age: null }];
    const encoded = encodeRows(spec, batch);
    expect(encoded.rows).toBe(3);
    expect(encoded.cols).toBe(featureCount(spec));
    expect(encoded.data.subarray(0, encoded.cols)).toEqual(vector(spec, base));
    expect(encoded.unknown['job']).toBe(2);
    expect(encoded.unknown['month']).toBe(0);
    expect(encoded.missing['age']).toBe(1);
  });

  it('refuses empty training rows and malformed spec JSON', () => {
    expect(() => buildFeatureSpec([])).toThrow(/0 rows/);
    const bad = (text: string): unknown => {
      try {
        parseFeatureSpec(text);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(isBankopsError(bad('{'), 'DATA_INVALID')).toBe(true);
    expect(String(bad(JSON.stringify({ ...spec, version: 2 })))).toMatch(/version/);
    expect(String(bad(JSON.stringify({ ...spec, numeric: 'age' })))).toMatch(/numeric/);
  });
});
