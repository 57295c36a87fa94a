import { BankopsError } from '../errors/index.js';
import type { BoosterParams } from '../xgboost/index.js';

export interface Candidate {
  /** 0-based position in the grid. */
  index: number;
  maxDepth: number;
  learningRate: number;
  alpha: number;
}

/** The workshop's grid, in its order (max_depth outermost, alpha innermost): 3 × 2 × 3 = 18. */
export const GRID = {
  maxDepth: [3, 5, 7],
  learningRate: [0.01, 0.1],
  alpha: [0, 0.1, 1],
} as const;

/**
 * The validation metric early stopping watches. logloss: it is smooth and moves every round, and it
 * rewards calibrated probabilities, which the threshold and the profit estimate rely on; aucpr is
 * reported alongside (in `history`) because it suits the 11.7 % positive rate as a ranking measure.
 */
export const EARLY_STOPPING_METRIC = 'logloss';

export interface GridOptions {
  /** Take the first N candidates (the workshop ran the first 12); default all 18. */
  limit?: number;
  /** Take these grid positions (0-based, in the order given) instead; wins over `limit`. */
  indices?: readonly number[];
}

export function candidateGrid(options: GridOptions = {}): Candidate[] {
  const all: Candidate[] = [];
  for (const maxDepth of GRID.maxDepth) {
    for (const learningRate of GRID.learningRate) {
      for (const alpha of GRID.alpha) all.push({ index: all.length, maxDepth, learningRate, alpha });
    }
  }
  if (options.indices !== undefined) {
    if (options.indices.length === 0) throw new BankopsError('USAGE', 'grid indices are empty');
    return options.indices.map((i) => {
      const candidate = all[i];
      if (candidate === undefined) {
        throw new BankopsError('USAGE', `grid index ${i} is outside 0..${all.length - 1}`);
      }
      return candidate;
    });
  }
  const limit = options.limit ?? all.length;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new BankopsError('USAGE', `grid limit must be a positive integer (got ${limit})`);
  }
  return all.slice(0, limit);
}

export interface ParamOptions {
  /** OpenMP threads for XGBoost; default 2 (the machine's cores; more only adds contention). */
  nthread?: number;
  seed?: number;
}

/** XGBoost parameters for one candidate. */
export function candidateParams(candidate: Candidate, options: ParamOptions = {}): BoosterParams {
  return {
    objective: 'binary:logistic',
    // The watched metric goes last: trainBooster watches the last reported one.
    eval_metric: ['aucpr', EARLY_STOPPING_METRIC],
    tree_method: 'hist',
    max_depth: candidate.maxDepth,
    eta: candidate.learningRate,
    alpha: candidate.alpha,
    nthread: options.nthread ?? 2,
    seed: options.seed ?? 42,
    verbosity: 0,
  };
}
