import { FEATURE_COLUMNS, isIntegerColumn } from '../bank/columns.js';
import type { RawRecord } from '../features/index.js';

/**
 * Reference statistics of the training rows, stored in the model bundle so that drift monitoring can
 * compare serving traffic with what the model learnt from (e.g. PSI over the same bins).
 */
export interface Histogram {
  /**
   * Upper bin edges, ascending: bin i holds edges[i-1] < x ≤ edges[i]; one more bin past the last edge
   * holds x > edges.at(-1). So `counts` has edges.length + 1 entries.
   */
  edges: number[];
  counts: number[];
  fractions: number[];
}

export interface NumericReference {
  kind: 'numeric';
  count: number;
  missing: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  median: number;
  /** The 10th … 90th percentiles (linear interpolation between order statistics). */
  deciles: number[];
  /** Histogram on the distinct deciles as edges (data with heavy ties, e.g. pdays = −1, has fewer). */
  histogram: Histogram;
}

export interface CategoricalReference {
  kind: 'categorical';
  count: number;
  missing: number;
  frequencies: Record<string, number>;
  fractions: Record<string, number>;
}

export interface FeatureReference {
  rows: number;
  features: Record<string, NumericReference | CategoricalReference>;
  /** A typical row (numeric medians, most frequent categories): the bundle's smoke-test input. */
  referenceRow: Record<string, string | number>;
}

/** Predicted probabilities on validation rows in 10 equal bins over [0, 1]. */
export interface PredictionReference {
  rows: number;
  edges: number[];
  counts: number[];
  fractions: number[];
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const lower = sorted[low] as number;
  const upper = sorted[Math.min(low + 1, sorted.length - 1)] as number;
  return lower + (upper - lower) * (position - low);
}

export function histogram(values: ArrayLike<number>, edges: number[]): Histogram {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i] as number;
    let bin = 0;
    while (bin < edges.length && value > (edges[bin] as number)) bin += 1;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const total = values.length;
  return { edges, counts, fractions: counts.map((n) => (total === 0 ? 0 : n / total)) };
}

function numericReference(rows: readonly RawRecord[], column: string): NumericReference {
  const values: number[] = [];
  for (const row of rows) {
    const value = row[column];
    if (typeof value === 'number' && Number.isFinite(value)) values.push(value);
  }
  const sorted = Float64Array.from(values).sort();
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  const deciles = Array.from({ length: 9 }, (_, i) => quantile(sorted, (i + 1) / 10));
  return {
    kind: 'numeric',
    count: values.length,
    missing: rows.length - values.length,
    mean,
    std: Math.sqrt(variance),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    median: quantile(sorted, 0.5),
    deciles,
    histogram: histogram(sorted, [...new Set(deciles)]),
  };
}

function categoricalReference(rows: readonly RawRecord[], column: string): CategoricalReference {
  const frequencies: Record<string, number> = {};
  let count = 0;
  for (const row of rows) {
    const value = row[column];
    if (typeof value !== 'string') continue;
    frequencies[value] = (frequencies[value] ?? 0) + 1;
    count += 1;
  }
  const sorted = Object.fromEntries(Object.entries(frequencies).sort(([a], [b]) => (a < b ? -1 : 1)));
  const fractions = Object.fromEntries(Object.entries(sorted).map(([k, n]) => [k, n / count]));
  return { kind: 'categorical', count, missing: rows.length - count, frequencies: sorted, fractions };
}

/** Statistics of every raw feature column (duration included, whether or not the model uses it). */
export function featureReference(rows: readonly RawRecord[]): FeatureReference {
  const features: FeatureReference['features'] = {};
  const referenceRow: Record<string, string | number> = {};
  for (const column of FEATURE_COLUMNS) {
    if (isIntegerColumn(column)) {
      const stats = numericReference(rows, column);
      features[column] = stats;
      if (Number.isFinite(stats.median)) referenceRow[column] = stats.median;
    } else {
      const stats = categoricalReference(rows, column);
      features[column] = stats;
      const mode = Object.entries(stats.frequencies).reduce<[string, number] | undefined>(
        (best, entry) => (best === undefined || entry[1] > best[1] ? entry : best),
        undefined,
      );
      if (mode !== undefined) referenceRow[column] = mode[0];
    }
  }
  return { rows: rows.length, features, referenceRow };
}

export function predictionReference(scores: ArrayLike<number>): PredictionReference {
  const edges = Array.from({ length: 11 }, (_, i) => i / 10);
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < scores.length; i += 1) {
    const bin = Math.min(9, Math.max(0, Math.floor((scores[i] as number) * 10)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const rows = scores.length;
  return { rows, edges, counts, fractions: counts.map((n) => (rows === 0 ? 0 : n / rows)) };
}
