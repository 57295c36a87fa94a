import { BankopsError } from '../errors/index.js';
import { byScoreDescending, DEFAULT_ECONOMICS, f1, profit } from './metrics.js';
import type { Confusion, Economics } from './metrics.js';

/** What the decision threshold maximises: F1 (default), or the campaign's expected profit. */
export type ThresholdObjective = 'f1' | 'profit';

export interface ThresholdChoice {
  objective: ThresholdObjective;
  /** Call a customer when the predicted probability is ≥ this. */
  threshold: number;
  /** The objective's value at the threshold on the rows it was chosen on (validation). */
  value: number;
  /** How many rows the choice was made on. */
  rows: number;
}

/**
 * Picks the threshold maximising `objective` over the given predictions, which must be VALIDATION
 * predictions: choosing on test rows would make the test estimate optimistic. Every distinct score is a
 * candidate (rows ≥ it are "call"), swept from the highest down in one pass; on equal objective values
 * the higher threshold wins (fewer calls for the same result).
 */
export function chooseThreshold(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  objective: ThresholdObjective = 'f1',
  economics: Economics = DEFAULT_ECONOMICS,
): ThresholdChoice {
  if (labels.length !== scores.length || labels.length === 0) {
    throw new BankopsError(
      'DATA_INVALID',
      `threshold choice needs equal, non-zero numbers of labels and scores`,
    );
  }
  let positives = 0;
  for (let i = 0; i < labels.length; i += 1) if (labels[i] === 1) positives += 1;
  const order = byScoreDescending(scores);
  const c: Confusion = { tp: 0, fp: 0, tn: labels.length - positives, fn: positives };
  let best: ThresholdChoice | undefined;
  for (let start = 0; start < order.length;) {
    const score = scores[order[start] as number] as number;
    let end = start;
    while (end < order.length && (end === start || scores[order[end] as number] === score)) {
      if (labels[order[end] as number] === 1) {
        c.tp += 1;
        c.fn -= 1;
      } else {
        c.fp += 1;
        c.tn -= 1;
      }
      end += 1;
    }
    start = end;
    if (Number.isNaN(score)) continue;
    const value = objective === 'f1' ? f1(c) : profit(c, economics);
    if (best === undefined || value > best.value) {
      best = { objective, threshold: score, value, rows: labels.length };
    }
  }
  if (best === undefined) throw new BankopsError('DATA_INVALID', 'every score is NaN');
  return best;
}
