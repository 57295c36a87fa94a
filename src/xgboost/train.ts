import { BankopsError } from '../errors/index.js';
import { Booster } from './booster.js';
import type { BoosterParams, EvalScores } from './booster.js';
import type { DMatrix } from './dmatrix.js';

export interface TrainOptions {
  params: BoosterParams;
  dtrain: DMatrix;
  /** Validation matrix: evaluated every round under the name "valid"; needed for early stopping. */
  dvalid?: DMatrix;
  /** Upper limit of boosting rounds. */
  rounds: number;
  /** Stop when the validation metric has not improved for this many rounds. */
  earlyStoppingRounds?: number;
  /** The metric to watch (also added as `eval_metric`); default: the last one XGBoost reports. */
  metric?: string;
  /** Whether a larger metric is better; default: true for auc, aucpr, map, ndcg and pre, else false. */
  maximize?: boolean;
  /** Return a booster cut to the best round (default true), so saved models and predictions use it. */
  keepBestOnly?: boolean;
  /** Called after each round, e.g. to log or report progress. */
  onRound?: (round: RoundScores) => void;
}

export interface RoundScores {
  iteration: number;
  scores: EvalScores;
}

export interface TrainResult {
  booster: Booster;
  /** 0-based round with the best validation score (the last round without a validation set). */
  bestIteration: number;
  bestScore: number | undefined;
  metric: string | undefined;
  /** Rounds actually boosted (≤ `rounds`). */
  roundsRun: number;
  stoppedEarly: boolean;
  history: RoundScores[];
}

const MAXIMIZED = /^(auc|aucpr|map|ndcg|pre)(@|$)/;

export function isMaximizedMetric(metric: string): boolean {
  return MAXIMIZED.test(metric);
}

function validate(options: TrainOptions): void {
  if (!Number.isInteger(options.rounds) || options.rounds < 1) {
    throw new BankopsError('USAGE', `rounds must be a positive integer (got ${options.rounds})`);
  }
  const patience = options.earlyStoppingRounds;
  if (patience !== undefined && (!Number.isInteger(patience) || patience < 1)) {
    throw new BankopsError('USAGE', `earlyStoppingRounds must be a positive integer (got ${patience})`);
  }
  if (patience !== undefined && options.dvalid === undefined) {
    throw new BankopsError('USAGE', 'early stopping needs a validation matrix (dvalid)');
  }
}

function withMetric(params: BoosterParams, metric: string | undefined): BoosterParams {
  if (metric === undefined) return params;
  const current = params['eval_metric'];
  const list = current === undefined ? [] : Array.isArray(current) ? [...current] : [String(current)];
  // XGBoost reports metrics in the order set; keep ours last, where the default watch looks.
  return { ...params, eval_metric: [...list.filter((m) => m !== metric), metric] };
}

/**
 * Boosts up to `rounds` rounds on `dtrain`, evaluating train and validation each round, and stops early
 * when the validation metric has not improved for `earlyStoppingRounds` rounds.
 */
export function trainBooster(options: TrainOptions): TrainResult {
  validate(options);
  const { dtrain, dvalid } = options;
  const sets: Array<[DMatrix, string]> = [[dtrain, 'train']];
  if (dvalid !== undefined) sets.push([dvalid, 'valid']);
  let booster = Booster.create({
    params: withMetric(options.params, options.metric),
    cache: sets.map(([m]) => m),
  });
  try {
    const history: RoundScores[] = [];
    let metric = options.metric;
    let maximize = options.maximize;
    let bestIteration = -1;
    let bestScore: number | undefined;
    let stoppedEarly = false;
    for (let iteration = 0; iteration < options.rounds; iteration += 1) {
      booster.updateOneIter(iteration, dtrain);
      const round: RoundScores = { iteration, scores: booster.evalOneIter(iteration, sets) };
      history.push(round);
      options.onRound?.(round);
      const watched = round.scores[dvalid === undefined ? 'train' : 'valid'] ?? {};
      metric ??= Object.keys(watched).at(-1);
      maximize ??= metric === undefined ? false : isMaximizedMetric(metric);
      const score = metric === undefined ? undefined : watched[metric];
      if (score === undefined) {
        throw new BankopsError('XGBOOST_FAILED', `metric ${metric ?? '(none)'} was not reported by XGBoost`, {
          hint: `Reported: ${Object.keys(watched).join(', ') || 'nothing'}. Check eval_metric.`,
        });
      }
      const improved = bestScore === undefined || (maximize ? score > bestScore : score < bestScore);
      if (improved || dvalid === undefined) {
        bestScore = score;
        bestIteration = iteration;
      } else if (
        options.earlyStoppingRounds !== undefined &&
        iteration - bestIteration >= options.earlyStoppingRounds
      ) {
        stoppedEarly = true;
        break;
      }
    }
    const roundsRun = history.length;
    if ((options.keepBestOnly ?? true) && bestIteration + 1 < roundsRun) {
      const best = booster.slice(0, bestIteration + 1);
      booster.close();
      booster = best;
    }
    booster.setAttr('best_iteration', String(bestIteration));
    if (bestScore !== undefined) booster.setAttr('best_score', String(bestScore));
    return { booster, bestIteration, bestScore, metric, roundsRun, stoppedEarly, history };
  } catch (error) {
    booster.close();
    throw error;
  }
}
