import type { Confusion } from '../training/metrics.js';
import { accuracy, f1, precision, recall } from '../training/metrics.js';

/**
 * Confidence-based performance estimation (CBPE, as NannyML describes it) for predictions whose ground
 * truth has not arrived yet. If the probabilities are calibrated, a prediction p that was called
 * positive (p ≥ threshold) is a true positive with probability p and a false positive with 1 − p, and
 * one called negative is a false negative with probability p and a true negative with 1 − p. Summing
 * gives the EXPECTED confusion matrix, and from it expected accuracy, precision, recall and F1 (ratios
 * of expectations, a close approximation of the expected ratios for windows of ≥ 100 predictions).
 *
 * Assumptions, both essential: (1) the model is calibrated on current traffic (the bundle's
 * probabilities come from XGBoost's logistic output, reasonably but not perfectly calibrated), and
 * (2) no concept drift: P(y | x) is unchanged since training. Covariate shift is fine — that is what CBPE
 * handles — but if the relation between features and outcome changes, the estimate stays optimistic while
 * realized performance drops; only labelled metrics reveal that.
 */

/** Running sums of the expected confusion matrix; add and remove predictions in O(1). */
export interface ExpectedConfusion {
  count: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function emptyExpectedConfusion(): ExpectedConfusion {
  return { count: 0, tp: 0, fp: 0, tn: 0, fn: 0 };
}

/** Adds (sign 1) or removes (sign −1) one prediction; `called` is the served decision (p ≥ threshold). */
export function accumulate(
  sums: ExpectedConfusion,
  probability: number,
  called: boolean,
  sign: 1 | -1 = 1,
): void {
  sums.count += sign;
  if (called) {
    sums.tp += sign * probability;
    sums.fp += sign * (1 - probability);
  } else {
    sums.fn += sign * probability;
    sums.tn += sign * (1 - probability);
  }
}

export function expectedConfusion(probabilities: ArrayLike<number>, threshold: number): ExpectedConfusion {
  const sums = emptyExpectedConfusion();
  for (let i = 0; i < probabilities.length; i += 1) {
    const p = probabilities[i] as number;
    accumulate(sums, p, p >= threshold);
  }
  return sums;
}

export interface EstimatedMetrics {
  /** Predictions the estimate is based on. */
  count: number;
  confusion: Confusion;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Expected ROC-AUC; only when the probabilities themselves were given (not from running sums). */
  rocAuc?: number;
}

/** Expected metrics from expected confusion sums (reusing the realized-metric formulas). */
export function estimateFromConfusion(sums: ExpectedConfusion): EstimatedMetrics {
  // Removing predictions from running sums leaves tiny negative rounding residues: clamp them.
  const confusion: Confusion = {
    tp: Math.max(0, sums.tp),
    fp: Math.max(0, sums.fp),
    tn: Math.max(0, sums.tn),
    fn: Math.max(0, sums.fn),
  };
  return {
    count: sums.count,
    confusion,
    accuracy: accuracy(confusion),
    precision: precision(confusion),
    recall: recall(confusion),
    f1: f1(confusion),
  };
}

/**
 * Expected ROC-AUC: each pair (i, j) is a (positive, negative) pair with probability p_i · (1 − p_j);
 * the estimate is E[correctly ordered pairs] / E[positive–negative pairs], ties counting one half.
 * O(n log n) by sorting and a running sum of (1 − p) below each score.
 */
export function expectedRocAuc(probabilities: ArrayLike<number>): number {
  const sorted = Float64Array.from(probabilities as ArrayLike<number>).sort();
  let below = 0; // Σ (1 − p) over strictly lower scores
  let ordered = 0;
  let sumP = 0;
  let sumQ = 0;
  let sumPQ = 0;
  for (let start = 0; start < sorted.length;) {
    let end = start;
    let groupP = 0;
    let groupQ = 0;
    let groupPQ = 0;
    while (end < sorted.length && sorted[end] === sorted[start]) {
      const p = sorted[end] as number;
      groupP += p;
      groupQ += 1 - p;
      groupPQ += p * (1 - p);
      end += 1;
    }
    // Pairs inside a tie group (excluding i = j) count one half.
    ordered += groupP * below + 0.5 * (groupP * groupQ - groupPQ);
    below += groupQ;
    sumP += groupP;
    sumQ += groupQ;
    sumPQ += groupPQ;
    start = end;
  }
  const pairs = sumP * sumQ - sumPQ;
  return pairs > 0 ? ordered / pairs : NaN;
}

/** CBPE over the given probabilities at `threshold`, expected ROC-AUC included. */
export function estimatePerformance(probabilities: ArrayLike<number>, threshold: number): EstimatedMetrics {
  return {
    ...estimateFromConfusion(expectedConfusion(probabilities, threshold)),
    rocAuc: expectedRocAuc(probabilities),
  };
}
