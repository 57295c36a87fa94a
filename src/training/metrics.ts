import { BankopsError } from '../errors/index.js';

/**
 * Campaign economics for the profit metric. Defaults: a call costs 5 EUR (agent time and telephony) and
 * a subscribed term deposit is worth 100 EUR to the bank (its margin over the deposit's life). They are
 * illustrative round numbers, not figures from the UCI data; pass the bank's own.
 */
export interface Economics {
  costPerCall: number;
  valuePerSubscription: number;
}

export const DEFAULT_ECONOMICS: Economics = { costPerCall: 5, valuePerSubscription: 100 };

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ClassificationMetrics {
  rows: number;
  positives: number;
  /** A row is predicted positive ("call") when its score is ≥ this threshold. */
  threshold: number;
  confusion: Confusion;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  /** value_per_subscription × TP − cost_per_call × (TP + FP), in EUR. */
  profit: number;
  profitPer1000: number;
}

function checkInputs(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new BankopsError('DATA_INVALID', `${labels.length} labels but ${scores.length} scores`);
  }
  if (labels.length === 0) throw new BankopsError('DATA_INVALID', 'no rows to evaluate');
}

export function confusionAt(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
): Confusion {
  checkInputs(labels, scores);
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i += 1) {
    const positive = labels[i] === 1;
    if ((scores[i] as number) >= threshold) {
      if (positive) c.tp += 1;
      else c.fp += 1;
    } else if (positive) c.fn += 1;
    else c.tn += 1;
  }
  return c;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export const accuracy = (c: Confusion): number => ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn);
/** 0 when nothing is predicted positive (scikit-learn's zero_division=0). */
export const precision = (c: Confusion): number => ratio(c.tp, c.tp + c.fp);
export const recall = (c: Confusion): number => ratio(c.tp, c.tp + c.fn);
export const f1 = (c: Confusion): number => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);

export function profit(c: Confusion, economics: Economics = DEFAULT_ECONOMICS): number {
  return economics.valuePerSubscription * c.tp - economics.costPerCall * (c.tp + c.fp);
}

/** Row indices ordered by score, descending (NaN last). */
export function byScoreDescending(scores: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i);
  const key = (i: number): number => (Number.isNaN(scores[i]) ? -Infinity : (scores[i] as number));
  return order.sort((a, b) => key(b) - key(a) || 0);
}

/**
 * ROC-AUC as the Mann–Whitney statistic: the probability that a random positive scores above a random
 * negative, ties counting one half (tied rows share their average rank). NaN if a class is absent.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkInputs(labels, scores);
  const order = byScoreDescending(scores).reverse();
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    const score = scores[order[start] as number];
    while (end < order.length && scores[order[end] as number] === score) end += 1;
    if (end === start) end = start + 1; // NaN never equals itself: one row per group
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k += 1) {
      if (labels[order[k] as number] === 1) {
        positives += 1;
        rankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision, step-wise (no interpolation): Σ over distinct score thresholds, descending, of
 * (recall gained) × precision at that threshold. Tied scores form one threshold. NaN without positives.
 */
export function prAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkInputs(labels, scores);
  const order = byScoreDescending(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i += 1) if (labels[i] === 1) positives += 1;
  if (positives === 0) return NaN;
  let tp = 0;
  let area = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    const score = scores[order[start] as number];
    let gained = 0;
    while (end < order.length && (end === start || scores[order[end] as number] === score)) {
      if (labels[order[end] as number] === 1) gained += 1;
      end += 1;
    }
    tp += gained;
    // `end` rows have a score ≥ this one: precision = tp / end.
    area += (gained / positives) * (tp / end);
    start = end;
  }
  return area;
}

/** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15] so one sure miss stays finite. */
export function logLoss(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkInputs(labels, scores);
  const eps = 1e-15;
  let sum = 0;
  for (let i = 0; i < labels.length; i += 1) {
    const p = Math.min(1 - eps, Math.max(eps, scores[i] as number));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Mean squared difference between probability and outcome. */
export function brier(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkInputs(labels, scores);
  let sum = 0;
  for (let i = 0; i < labels.length; i += 1) sum += ((scores[i] as number) - (labels[i] as number)) ** 2;
  return sum / labels.length;
}

/** Every metric above, the threshold-dependent ones at `threshold`. */
export function evaluate(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold: number,
  economics: Economics = DEFAULT_ECONOMICS,
): ClassificationMetrics {
  const confusion = confusionAt(labels, scores, threshold);
  const gain = profit(confusion, economics);
  return {
    rows: labels.length,
    positives: confusion.tp + confusion.fn,
    threshold,
    confusion,
    accuracy: accuracy(confusion),
    precision: precision(confusion),
    recall: recall(confusion),
    f1: f1(confusion),
    rocAuc: rocAuc(labels, scores),
    prAuc: prAuc(labels, scores),
    logLoss: logLoss(labels, scores),
    brier: brier(labels, scores),
    profit: gain,
    profitPer1000: (gain / labels.length) * 1000,
  };
}

export interface ReliabilityBin {
  /** [from, to) of predicted probability (the last bin includes 1). */
  from: number;
  to: number;
  rows: number;
  /** Mean predicted probability of the bin's rows. */
  predicted: number;
  /** Share of the bin's rows whose outcome was positive. */
  observed: number;
}

/** Rows grouped into `bins` equal-width bins of predicted probability (empty bins left out). */
export function reliability(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  bins = 10,
): ReliabilityBin[] {
  checkInputs(labels, scores);
  const sums = Array.from({ length: bins }, () => ({ rows: 0, predicted: 0, observed: 0 }));
  for (let i = 0; i < labels.length; i += 1) {
    const p = Math.min(1, Math.max(0, scores[i] as number));
    const b = sums[Math.min(bins - 1, Math.floor(p * bins))] as {
      rows: number;
      predicted: number;
      observed: number;
    };
    b.rows += 1;
    b.predicted += p;
    b.observed += labels[i] === 1 ? 1 : 0;
  }
  return sums.flatMap((b, k) =>
    b.rows === 0
      ? []
      : [
          {
            from: k / bins,
            to: (k + 1) / bins,
            rows: b.rows,
            predicted: b.predicted / b.rows,
            observed: b.observed / b.rows,
          },
        ],
  );
}

/**
 * Expected calibration error: the row-weighted mean of |observed rate − mean predicted probability| over
 * equal-width probability bins (10 by default). 0 is perfectly calibrated.
 */
export function expectedCalibrationError(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  bins = 10,
): number {
  const n = labels.length;
  if (n === 0) return NaN;
  return reliability(labels, scores, bins).reduce(
    (e, b) => e + (b.rows / n) * Math.abs(b.observed - b.predicted),
    0,
  );
}

/**
 * What the model itself expects calling costs and earns among these rows, per 1,000 rows: each row it calls
 * is worth its probability × the subscription value, minus the call's cost. Beside the realized profit it
 * says whether the scores promise what the outcomes pay.
 */
export function expectedProfitPer1000(
  scores: ArrayLike<number>,
  called: ArrayLike<number | boolean>,
  economics: Economics = DEFAULT_ECONOMICS,
): number {
  const n = scores.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i += 1) {
    if (called[i]) sum += (scores[i] as number) * economics.valuePerSubscription - economics.costPerCall;
  }
  return (sum / n) * 1000;
}
