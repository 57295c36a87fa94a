import type { NumericReference, PredictionReference } from '../training/reference.js';

/**
 * A reference distribution rebuilt from the bundle's summary statistics (the training rows themselves
 * are not in the bundle). It is a CDF known exactly at a few knots and linear between them:
 *
 * - Numeric features: the knots are the histogram edges (the distinct training deciles). The histogram
 *   gives the exact share of rows ≤ each edge. Between edges the mass is taken as uniform, which for
 *   integer data with roughly even mass per integer is exact at the integers. The two tails (below the
 *   10th and above the 90th percentile) are NOT reconstructed: both the reference and the current sample
 *   are winsorized at the outer knots, i.e. the tail masses become point masses there. A linear tail up
 *   to the training max (balance: 3,643 → 81,204) would be wildly wrong, whereas the winsorized form is
 *   exact there. Consequences: KS compares CDFs on [10th, 90th percentile] only (a lower bound on the
 *   full-range statistic, so conservative); Wasserstein sees a change of tail mass but not how far into
 *   the tail values moved (winsorizing is 1-Lipschitz, so the distance can only shrink: conservative).
 * - Predicted probabilities: the ten equal bins over [0, 1] are the knots, uniform within each bin;
 *   nothing is clipped.
 */
export interface ReferenceCdf {
  /** Ascending, distinct knots. */
  xs: number[];
  /** F(x) at each knot (right limit: P(X ≤ x)). */
  right: number[];
  /** F(x−) at each knot (left limit: P(X < x)); differs from `right` where a point mass sits. */
  left: number[];
  /** The reference sample size, for the KS p-value. */
  count: number;
  /** Its standard deviation, to normalise the Wasserstein distance. */
  std: number;
}

export function numericReferenceCdf(ref: NumericReference): ReferenceCdf {
  const { edges, fractions } = ref.histogram;
  let cumulative = 0;
  const xs = [...edges];
  // F at each edge is exact: the histogram counts the rows ≤ it.
  const cdf = edges.map((_, i) => {
    cumulative += fractions[i] ?? 0;
    return Math.min(1, cumulative);
  });
  // A (near-)constant column has a single distinct decile. Its upper side is then spread uniformly up to
  // the training max: crude, but there is nothing better in the statistics (no bank column is like this).
  if (xs.length === 1 && ref.max > (xs[0] as number)) {
    xs.push(ref.max);
    cdf.push(1);
  }
  // Left limits: 0 below the first knot (whose right limit is the clipped lower tail, a point mass);
  // interior knots carry no point mass; the last knot's right limit jumps to 1 (the clipped upper tail).
  const left = cdf.map((f, i) => (i === 0 ? 0 : f));
  const right = cdf.map((f, i) => (i === cdf.length - 1 ? 1 : f));
  return { xs, right, left, count: ref.count, std: ref.std };
}

export function predictionReferenceCdf(ref: PredictionReference): ReferenceCdf {
  let cumulative = 0;
  const right = ref.edges.map((_, i) => {
    if (i > 0) cumulative += ref.fractions[i - 1] ?? 0;
    return Math.min(1, cumulative);
  });
  right[right.length - 1] = 1;
  // Piecewise uniform: E[X] and Var[X] from the bin midpoints plus each bin's own width²/12.
  let mean = 0;
  let second = 0;
  for (let i = 0; i < ref.fractions.length; i += 1) {
    const low = ref.edges[i] as number;
    const high = ref.edges[i + 1] as number;
    const f = ref.fractions[i] as number;
    const mid = (low + high) / 2;
    mean += f * mid;
    second += f * (mid * mid + ((high - low) * (high - low)) / 12);
  }
  return {
    xs: [...ref.edges],
    right,
    left: [...right],
    count: ref.rows,
    std: Math.sqrt(Math.max(0, second - mean * mean)),
  };
}

/** Index of the last knot ≤ x (−1 below the first). */
function knotAtOrBelow(xs: number[], x: number): number {
  let low = 0;
  let high = xs.length - 1;
  if (x < (xs[0] as number)) return -1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((xs[mid] as number) <= x) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** F(x) (right limit) or F(x−) (left limit) of the reconstructed reference. */
export function referenceCdfAt(cdf: ReferenceCdf, x: number, side: 'right' | 'left' = 'right'): number {
  const i = knotAtOrBelow(cdf.xs, x);
  if (i < 0) return 0;
  const xi = cdf.xs[i] as number;
  if (x === xi) return side === 'right' ? (cdf.right[i] as number) : (cdf.left[i] as number);
  if (i === cdf.xs.length - 1) return 1;
  const next = cdf.xs[i + 1] as number;
  const from = cdf.right[i] as number;
  const to = cdf.left[i + 1] as number;
  return from + ((to - from) * (x - xi)) / (next - xi);
}

/** ∫ₐᵇ |c − ℓ(x)| dx for ℓ linear from f0 at a to f1 at b. */
function absLinearArea(width: number, c: number, f0: number, f1: number): number {
  const d0 = c - f0;
  const d1 = c - f1;
  if (d0 * d1 >= 0) return (width * Math.abs(d0 + d1)) / 2;
  return (width * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

export interface ReferenceComparison {
  /** sup |F_current − F_reference| over the compared range (KS statistic). */
  ks: number;
  /** ∫ |F_current − F_reference| dx (first Wasserstein distance, unnormalised). */
  wasserstein: number;
  /** Whether the sample was compared as integer data (step CDFs on both sides). */
  discrete: boolean;
}

/** Integer data spanning more than this many integers is compared as continuous (bounded work). */
const MAX_DISCRETE_SPAN = 200_000;

/**
 * Compares a current sample with a reconstructed reference. The current values are clipped to the
 * knots' range first (see the interface comment).
 *
 * Continuous data: one merge pass over sample values and knots. Between consecutive breakpoints the
 * current CDF is constant and the reference linear, so the supremum (left and right limits) and the
 * integral are exact for the reconstruction.
 *
 * Integer data (every current value an integer, as all bank numeric columns): the reference is read as
 * a step function too, holding its interpolated value F(k) from each integer k to the next — the mass of
 * a bin spread evenly over its integers. Comparing a step CDF with a linear one would otherwise count
 * half of every integer's mass as distance (campaign: 1, 2, 3 calls) and flag drift in identical data.
 */
export function compareWithReference(values: readonly number[], cdf: ReferenceCdf): ReferenceComparison {
  if (values.length === 0) return { ks: NaN, wasserstein: NaN, discrete: true };
  const span = (cdf.xs[cdf.xs.length - 1] as number) - (cdf.xs[0] as number);
  const discrete = span <= MAX_DISCRETE_SPAN && values.every((v) => Number.isInteger(v));
  return discrete ? compareDiscrete(values, integerKnots(cdf)) : compareContinuous(values, cdf);
}

/** Clipped to the knots' range and sorted. */
function clippedSample(values: readonly number[], cdf: ReferenceCdf): Float64Array {
  const low = cdf.xs[0] as number;
  const high = cdf.xs[cdf.xs.length - 1] as number;
  return Float64Array.from(values, (v) => Math.min(high, Math.max(low, v))).sort();
}

/**
 * For integer data a knot at 9.9 (an interpolated decile) says F(9): nothing lies in (9, 9.9]. Moving the
 * knots down to integers makes the interpolation between them exact for evenly spread integers.
 */
function integerKnots(cdf: ReferenceCdf): ReferenceCdf {
  const xs: number[] = [];
  const right: number[] = [];
  const left: number[] = [];
  cdf.xs.forEach((x, i) => {
    const k = Math.floor(x);
    if (xs.length > 0 && xs[xs.length - 1] === k) {
      right[right.length - 1] = cdf.right[i] as number;
      return;
    }
    xs.push(k);
    right.push(cdf.right[i] as number);
    left.push(cdf.left[i] as number);
  });
  return { ...cdf, xs, right, left };
}

function compareDiscrete(values: readonly number[], cdf: ReferenceCdf): ReferenceComparison {
  const sample = clippedSample(values, cdf);
  const low = cdf.xs[0] as number;
  const high = cdf.xs[cdf.xs.length - 1] as number;
  const m = sample.length;
  let ks = 0;
  let wasserstein = 0;
  let i = 0;
  for (let x = low; x <= high; x += 1) {
    while (i < m && (sample[i] as number) <= x) i += 1;
    const gap = Math.abs(i / m - referenceCdfAt(cdf, x));
    ks = Math.max(ks, gap);
    if (x < high) wasserstein += gap; // both CDFs hold their value on [x, x + 1)
  }
  return { ks, wasserstein, discrete: true };
}

function compareContinuous(values: readonly number[], cdf: ReferenceCdf): ReferenceComparison {
  const sample = clippedSample(values, cdf);
  const m = sample.length;
  let ks = 0;
  let wasserstein = 0;
  let i = 0; // next sample index
  let k = 0; // next knot index
  let previous: number | undefined;
  let currentRight = 0;
  while (i < m || k < cdf.xs.length) {
    const nextSample = i < m ? (sample[i] as number) : Infinity;
    const nextKnot = k < cdf.xs.length ? (cdf.xs[k] as number) : Infinity;
    const x = Math.min(nextSample, nextKnot);
    const refLeft = referenceCdfAt(cdf, x, 'left');
    if (previous !== undefined && x > previous) {
      wasserstein += absLinearArea(x - previous, currentRight, referenceCdfAt(cdf, previous), refLeft);
    }
    const currentLeft = i / m;
    while (i < m && sample[i] === x) i += 1;
    if (k < cdf.xs.length && cdf.xs[k] === x) k += 1;
    currentRight = i / m;
    ks = Math.max(
      ks,
      Math.abs(currentRight - referenceCdfAt(cdf, x, 'right')),
      Math.abs(currentLeft - refLeft),
    );
    previous = x;
  }
  return { ks, wasserstein, discrete: false };
}

/** Two-sample KS statistic of two raw samples (both CDFs are steps: exact). */
export function ksStatistic(a: readonly number[], b: readonly number[]): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && x[i] === v) i += 1;
    while (j < y.length && y[j] === v) j += 1;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}
