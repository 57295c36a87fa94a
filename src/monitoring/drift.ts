import type {
  CategoricalReference,
  FeatureReference,
  NumericReference,
  PredictionReference,
} from '../training/reference.js';
import { histogram, predictionReference } from '../training/reference.js';
import { ksPValue } from './distributions.js';
import type { ReferenceCdf } from './reference-cdf.js';
import { compareWithReference, numericReferenceCdf, predictionReferenceCdf } from './reference-cdf.js';
import type { PsiBand } from './stattests.js';
import { chiSquareTest, jensenShannon, proportionZTest, psi, psiBand } from './stattests.js';

/**
 * Data and prediction drift against the reference statistics in a model bundle, method chosen per
 * column the way Evidently's default data-drift algorithm does (docs: "Data drift algorithm"):
 *
 * - ≤ 1000 observations: numerical → two-sample Kolmogorov–Smirnov; categorical → chi-squared;
 *   binary categorical (≤ 2 values) → two-proportion z-test; drift when p < 0.05 (0.95 confidence).
 * - > 1000 observations: numerical → Wasserstein distance normed by the reference std; categorical →
 *   Jensen–Shannon distance; drift when the distance ≥ 0.1.
 *
 * One deliberate difference: Evidently counts the observations of the REFERENCE dataset; here the
 * default (`sizeBasis: 'current'`) counts the current window's. Our reference is always the training set
 * (tens of thousands of rows), so Evidently's rule would always pick the distances; but the power of a
 * test against a large reference is governed by the smaller, current sample, which is what the rule is
 * about (tests flag negligible shifts on large samples). `sizeBasis: 'reference'` restores Evidently's
 * rule. Evidently also treats numerical columns with ≤ 5 distinct values as categorical; every numeric
 * bank column has more, and the bundle does not record distinct counts, so that branch is not applied.
 * PSI is computed for every column on the reference histogram's bins (categories for categoricals).
 */

export type DriftMethod = 'ks' | 'chisquare' | 'ztest' | 'wasserstein' | 'jensenshannon';

export interface DriftOptions {
  sizeBasis: 'current' | 'reference';
  /** Up to this many observations the statistical tests are used, above it the distances. */
  smallSampleLimit: number;
  pValueThreshold: number;
  distanceThreshold: number;
  /** Fewer current observations than this: no verdict (`insufficient`). */
  minSamples: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = {
  sizeBasis: 'current',
  smallSampleLimit: 1000,
  pValueThreshold: 0.05,
  distanceThreshold: 0.1,
  minSamples: 30,
};

export interface DriftStatistics {
  ksStatistic?: number;
  ksPValue?: number;
  wassersteinNormed?: number;
  chiSquare?: number;
  chiSquarePValue?: number;
  jensenShannon?: number;
  zPValue?: number;
}

export interface DriftResult {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** Current observations used (missing values excluded). */
  n: number;
  missing: number;
  insufficient: boolean;
  method: DriftMethod;
  /** A p-value (ks, chisquare, ztest: drift when < threshold) or a distance (drift when ≥ threshold). */
  score: number;
  threshold: number;
  detected: boolean;
  psi: number;
  psiBand: PsiBand;
  statistics: DriftStatistics;
}

const P_VALUE_METHODS: ReadonlySet<DriftMethod> = new Set(['ks', 'chisquare', 'ztest']);

export function isPValueMethod(method: DriftMethod): boolean {
  return P_VALUE_METHODS.has(method);
}

function verdict(
  method: DriftMethod,
  score: number,
  options: DriftOptions,
): Pick<DriftResult, 'method' | 'score' | 'threshold' | 'detected'> {
  const pValue = isPValueMethod(method);
  const threshold = pValue ? options.pValueThreshold : options.distanceThreshold;
  const detected = Number.isFinite(score) && (pValue ? score < threshold : score >= threshold);
  return { method, score, threshold, detected };
}

function isSmall(current: number, reference: number, options: DriftOptions): boolean {
  return (options.sizeBasis === 'reference' ? reference : current) <= options.smallSampleLimit;
}

function continuousDrift(
  feature: string,
  cdf: ReferenceCdf,
  values: readonly number[],
  missing: number,
  psiValue: number,
  options: DriftOptions,
): DriftResult {
  const n = values.length;
  const comparison = compareWithReference(values, cdf);
  const ksP = ksPValue(comparison.ks, cdf.count, n);
  // Evidently floors the std at 0.001 so a constant reference column does not divide by zero.
  const wassersteinNormed = comparison.wasserstein / Math.max(cdf.std, 0.001);
  const small = isSmall(n, cdf.count, options);
  return {
    feature,
    kind: 'numeric',
    n,
    missing,
    insufficient: n < options.minSamples,
    ...verdict(small ? 'ks' : 'wasserstein', small ? ksP : wassersteinNormed, options),
    ...(n < options.minSamples ? { detected: false } : {}),
    psi: psiValue,
    psiBand: psiBand(psiValue),
    statistics: { ksStatistic: comparison.ks, ksPValue: ksP, wassersteinNormed },
  };
}

export function numericDrift(
  feature: string,
  reference: NumericReference,
  values: readonly number[],
  missing = 0,
  options: DriftOptions = DEFAULT_DRIFT_OPTIONS,
): DriftResult {
  const current = histogram(values, reference.histogram.edges).fractions;
  const psiValue = values.length === 0 ? NaN : psi(reference.histogram.fractions, current);
  return continuousDrift(feature, numericReferenceCdf(reference), values, missing, psiValue, options);
}

export function categoricalDrift(
  feature: string,
  reference: CategoricalReference,
  values: readonly string[],
  missing = 0,
  options: DriftOptions = DEFAULT_DRIFT_OPTIONS,
): DriftResult {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const categories = [...new Set([...Object.keys(reference.frequencies), ...counts.keys()])].sort();
  const refCounts = categories.map((c) => reference.frequencies[c] ?? 0);
  const curCounts = categories.map((c) => counts.get(c) ?? 0);
  const n = values.length;
  const refShares = refCounts.map((c) => (reference.count === 0 ? 0 : c / reference.count));
  const curShares = curCounts.map((c) => (n === 0 ? 0 : c / n));
  // A category the training rows never had would get an expected count of 0 and an infinite statistic;
  // adding ½ to every reference count (Jeffreys) keeps the test finite yet very significant.
  const chi = chiSquareTest(
    curCounts,
    refCounts.map((c) => c + 0.5),
  );
  const js = jensenShannon(refShares, curShares);
  const binary = categories.length <= 2;
  // Binary: compare the share of the first category (alphabetical; the other is its complement).
  const zP = binary ? proportionZTest(refCounts[0] ?? 0, reference.count, curCounts[0] ?? 0, n) : undefined;
  const small = isSmall(n, reference.count, options);
  const method: DriftMethod = small ? (binary ? 'ztest' : 'chisquare') : 'jensenshannon';
  const score = method === 'ztest' ? (zP as number) : method === 'chisquare' ? chi.pValue : js;
  const psiValue = n === 0 ? NaN : psi(refShares, curShares);
  const insufficient = n < options.minSamples;
  return {
    feature,
    kind: 'categorical',
    n,
    missing,
    insufficient,
    ...verdict(method, score, options),
    ...(insufficient ? { detected: false } : {}),
    psi: psiValue,
    psiBand: psiBand(psiValue),
    statistics: {
      chiSquare: chi.statistic,
      chiSquarePValue: chi.pValue,
      jensenShannon: js,
      ...(zP === undefined ? {} : { zPValue: zP }),
    },
  };
}

/** Drift of the predicted probabilities against the validation predictions' 10-bin histogram. */
export function predictionDrift(
  reference: PredictionReference,
  probabilities: readonly number[],
  options: DriftOptions = DEFAULT_DRIFT_OPTIONS,
): DriftResult {
  const current = predictionReference(probabilities).fractions;
  const psiValue = probabilities.length === 0 ? NaN : psi(reference.fractions, current);
  return continuousDrift(
    'prediction',
    predictionReferenceCdf(reference),
    probabilities,
    0,
    psiValue,
    options,
  );
}

function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/**
 * Drift of every reference column (or only `features`) over raw records as serving received them.
 * Values of the wrong type count as missing.
 */
export function dataDrift(
  reference: FeatureReference,
  records: ReadonlyArray<Readonly<Record<string, unknown>>>,
  options: DriftOptions = DEFAULT_DRIFT_OPTIONS,
  features: readonly string[] = Object.keys(reference.features),
): DriftResult[] {
  const results: DriftResult[] = [];
  for (const feature of features) {
    const ref = reference.features[feature];
    if (ref === undefined) continue;
    if (ref.kind === 'numeric') {
      const values: number[] = [];
      for (const record of records) {
        const value = numericValue(record[feature]);
        if (value !== undefined) values.push(value);
      }
      results.push(numericDrift(feature, ref, values, records.length - values.length, options));
    } else {
      const values: string[] = [];
      for (const record of records) {
        const value = record[feature];
        if (typeof value === 'string') values.push(value);
        else if (typeof value === 'number' || typeof value === 'boolean') values.push(String(value));
      }
      results.push(categoricalDrift(feature, ref, values, records.length - values.length, options));
    }
  }
  return results;
}
