import { BankopsError } from '../errors/index.js';
import { featureCount, inputColumns } from './spec.js';
import type { FeatureSpec, RawRecord } from './spec.js';

/** Lookup tables derived once per spec object, so that encoding a row allocates nothing. */
interface Encoder {
  width: number;
  numeric: readonly string[];
  categorical: ReadonlyArray<{ column: string; start: number; size: number; index: Map<string, number> }>;
}

const encoders = new WeakMap<FeatureSpec, Encoder>();

function encoderFor(spec: FeatureSpec): Encoder {
  const cached = encoders.get(spec);
  if (cached !== undefined) return cached;
  if (inputColumns(spec).length > 31) {
    // The per-row report is a 31-bit mask; the bank data has 15 input columns.
    throw new BankopsError('DATA_INVALID', 'feature spec has more than 31 input columns');
  }
  let start = spec.numeric.length;
  const categorical = spec.categorical.map(({ column, categories }) => {
    const block = {
      column,
      start,
      size: categories.length,
      index: new Map(categories.map((c, i) => [c, i])),
    };
    start += categories.length;
    return block;
  });
  const encoder = { width: featureCount(spec), numeric: spec.numeric, categorical };
  encoders.set(spec, encoder);
  return encoder;
}

/**
 * Writes `record`'s feature vector into `out[offset .. offset + width)` (see spec.ts for the rules).
 * Returns a bit mask over `inputColumns(spec)`: bit i is set when column i was missing (numeric → NaN)
 * or held a category unknown to the spec (→ all-zero block). 0 means the row was fully known.
 */
export function encodeRow(spec: FeatureSpec, record: RawRecord, out: Float32Array, offset = 0): number {
  const encoder = encoderFor(spec);
  if (offset < 0 || offset + encoder.width > out.length) {
    throw new BankopsError(
      'DATA_INVALID',
      `output has room for ${out.length - offset} values at offset ${offset}, need ${encoder.width}`,
    );
  }
  let mask = 0;
  const { numeric, categorical } = encoder;
  for (let i = 0; i < numeric.length; i += 1) {
    const value = record[numeric[i] as string];
    if (typeof value === 'number' && Number.isFinite(value)) {
      out[offset + i] = value;
    } else {
      out[offset + i] = NaN;
      mask |= 1 << i;
    }
  }
  for (let c = 0; c < categorical.length; c += 1) {
    const block = categorical[c] as Encoder['categorical'][number];
    out.fill(0, offset + block.start, offset + block.start + block.size);
    const value = record[block.column];
    const position = typeof value === 'string' ? block.index.get(value) : undefined;
    if (position === undefined) mask |= 1 << (numeric.length + c);
    else out[offset + block.start + position] = 1;
  }
  return mask;
}

/** The input column names whose bits are set in a mask returned by `encodeRow`. */
export function flaggedColumns(spec: FeatureSpec, mask: number): string[] {
  return inputColumns(spec).filter((_, i) => (mask & (1 << i)) !== 0);
}

export interface EncodedRows {
  /** Row-major rows × cols, ready for a DMatrix or in-place prediction. */
  data: Float32Array;
  rows: number;
  cols: number;
  /** Per categorical column: rows whose value was unknown to the spec (or missing). */
  unknown: Record<string, number>;
  /** Per numeric column: rows whose value was missing (encoded as NaN). */
  missing: Record<string, number>;
}

export function encodeRows(spec: FeatureSpec, records: readonly RawRecord[]): EncodedRows {
  const { width, numeric, categorical } = encoderFor(spec);
  const data = new Float32Array(records.length * width);
  const counts = new Uint32Array(numeric.length + categorical.length);
  for (let r = 0; r < records.length; r += 1) {
    let mask = encodeRow(spec, records[r] as RawRecord, data, r * width);
    for (let bit = 0; mask !== 0; bit += 1, mask >>>= 1) {
      if ((mask & 1) !== 0) counts[bit] = (counts[bit] ?? 0) + 1;
    }
  }
  const missing = Object.fromEntries(numeric.map((column, i) => [column, counts[i] ?? 0]));
  const unknown = Object.fromEntries(
    categorical.map(({ column }, c) => [column, counts[numeric.length + c] ?? 0]),
  );
  return { data, rows: records.length, cols: width, unknown, missing };
}
