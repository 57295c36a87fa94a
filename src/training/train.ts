import { performance } from 'node:perf_hooks';
import { BankopsError } from '../errors/index.js';
import { buildFeatureSpec, encodeRows, featureNames, specHash } from '../features/index.js';
import type { FeatureSpec, RawRecord } from '../features/index.js';
import { DMatrix, trainBooster, xgboostVersion } from '../xgboost/index.js';
import type { BoosterParams, RoundScores } from '../xgboost/index.js';
import { candidateGrid, candidateParams, EARLY_STOPPING_METRIC } from './grid.js';
import type { Candidate } from './grid.js';
import { importanceFromModelJson } from './importance.js';
import type { FeatureImportance } from './importance.js';
import { evaluate } from './metrics.js';
import type { ClassificationMetrics, Economics } from './metrics.js';
import { resolveTrainingOptions } from './options.js';
import type { SelectionMetric, TrainingOptions } from './options.js';
import { featureReference, predictionReference } from './reference.js';
import type { FeatureReference, PredictionReference } from './reference.js';
import { pick } from './split.js';
import { splitParts, type TrainingParts } from './parts.js';
import { chooseThreshold } from './threshold.js';
import { fitIsotonic, type CalibrationMap } from './calibration.js';
import type { ThresholdChoice } from './threshold.js';

export interface Timings {
  totalMs: number;
  /** Time inside XGBoost calls (DMatrix creation, boosting and evaluation, prediction, saving). */
  xgboostMs: number;
  outsideMs: number;
}

export interface CandidateResult {
  candidate: Candidate;
  params: BoosterParams;
  /** 0-based best round on the validation metric; the saved model holds rounds 0..bestIteration. */
  bestIteration: number;
  bestScore: number | undefined;
  roundsRun: number;
  stoppedEarly: boolean;
  history: RoundScores[];
  /** Chosen on validation predictions only. */
  threshold: ThresholdChoice;
  /** At the chosen threshold: `train` = the rows fitted on (validation excluded). */
  metrics: { train: ClassificationMetrics; validation: ClassificationMetrics; test: ClassificationMetrics };
  importance: FeatureImportance[];
  importanceSource: 'model-json-loss-changes';
  /** Predicted probabilities on validation, for drift monitoring of the model's output. */
  predictions: PredictionReference;
  /** Score → observed rate on validation (isotonic), so that monitoring estimates with calibrated probabilities. */
  calibration: CalibrationMap | undefined;
  model: { ubj: Buffer; json: Buffer };
  timings: Timings;
}

export interface SplitInfo {
  strategy: TrainingOptions['split'];
  seed: number;
  testFraction: number;
  validationFraction: number;
  sizes: { fit: number; validation: number; test: number; leftOut: number };
  positives: { fit: number; validation: number; test: number };
}

export interface TrainingResult {
  options: TrainingOptions;
  spec: FeatureSpec;
  specHash: string;
  split: SplitInfo;
  /** Raw feature statistics of the fitted rows. */
  reference: FeatureReference;
  candidates: CandidateResult[];
  /** Index into `candidates` of the best one by `options.selectionMetric` on validation rows. */
  bestIndex: number;
  xgboostVersion: string;
  timings: Timings;
}

export interface TrainCandidatesInput {
  rows: readonly RawRecord[];
  /** 0/1 per row. */
  labels: ArrayLike<number>;
  /** Event time per row (e.g. epoch ms); required by split 'time'. */
  eventTimes?: ArrayLike<number>;
  /** Weight per row (default 1): recent labelled traffic can count more than the history. */
  weights?: ArrayLike<number>;
  /** Group key per row (the customer): a group never straddles two parts. Default: a group per row. */
  groups?: ArrayLike<string>;
  /** Parts decided by the caller (the pipeline's out-of-time holdout); default: by `options.split`. */
  parts?: TrainingParts;
  options?: Partial<TrainingOptions>;
  onCandidate?: (result: CandidateResult, progress: { done: number; total: number }) => void;
}

function checkInput(input: TrainCandidatesInput, options: TrainingOptions): void {
  const n = input.rows.length;
  if (n === 0) throw new BankopsError('DATA_INVALID', 'no training rows');
  for (const [what, values] of [
    ['labels', input.labels],
    ['weights', input.weights],
    ['groups', input.groups],
  ] as const) {
    if (values !== undefined && values.length !== n) {
      throw new BankopsError('DATA_INVALID', `${n} rows but ${values.length} ${what}`);
    }
  }
  for (let i = 0; i < n; i += 1) {
    if (input.labels[i] !== 0 && input.labels[i] !== 1) {
      throw new BankopsError('DATA_INVALID', `label of row ${i} is ${input.labels[i]}, expected 0 or 1`);
    }
  }
  if (options.split === 'time' && input.eventTimes?.length !== n) {
    throw new BankopsError('USAGE', `split "time" needs one event time per row (${n})`, {
      hint: 'Pass eventTimes, or use split "stratified".',
    });
  }
}

const countOnes = (labels: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < labels.length; i += 1) n += labels[i] === 1 ? 1 : 0;
  return n;
};

/** Larger is better for every selection metric but log loss. */
function better(metric: SelectionMetric, a: ClassificationMetrics, b: ClassificationMetrics): boolean {
  return metric === 'logLoss' ? a.logLoss < b.logLoss : a[metric] > b[metric];
}

interface Part {
  labels: Float32Array;
  matrix: DMatrix;
}

/**
 * Trains every grid candidate on the same split and encoding and evaluates each. The test part only
 * ever receives predictions for the final report: early stopping, the threshold and the selection
 * of the best candidate all use the validation part carved from the training part.
 */
export function trainCandidates(input: TrainCandidatesInput): TrainingResult {
  const started = performance.now();
  let xgboostMs = 0;
  const timed = <T>(fn: () => T): T => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      xgboostMs += performance.now() - t0;
    }
  };
  const options = resolveTrainingOptions(input.options);
  checkInput(input, options);
  const { labels, rows } = input;
  const { fit, validation, test, leftOut } =
    input.parts ??
    splitParts({
      labels,
      groups: input.groups ?? rows.map((_, i) => String(i)),
      ...(input.eventTimes ? { eventTimes: input.eventTimes } : {}),
      options,
    });
  const outer = { train: [...fit, ...validation].sort((a, b) => a - b), test };
  const spec = buildFeatureSpec(pick(rows, outer.train), { includeDuration: options.includeDuration });
  const names = featureNames(spec);
  const economics: Economics = {
    costPerCall: options.costPerCall,
    valuePerSubscription: options.valuePerSubscription,
  };
  const fitRows = pick(rows, fit);
  const parts: Part[] = [];
  try {
    for (const [p, indices] of [fit, validation, outer.test].entries()) {
      const encoded = encodeRows(spec, pick(rows, indices));
      const weights =
        input.weights !== undefined && p < 2 ? Float32Array.from(pick(input.weights, indices)) : undefined;
      const partLabels = Float32Array.from(pick(labels, indices));
      if (countOnes(partLabels) === 0 || countOnes(partLabels) === partLabels.length) {
        throw new BankopsError('DATA_INVALID', 'every split part needs both labels (0 and 1)', {
          hint: 'Too few rows, or a time split where one period has no subscriptions.',
        });
      }
      const matrix = timed(() =>
        DMatrix.fromDense({
          data: encoded.data,
          rows: encoded.rows,
          cols: encoded.cols,
          labels: partLabels,
          ...(weights ? { weights } : {}),
        }),
      );
      parts.push({ labels: partLabels, matrix });
    }
    const [dfit, dvalid, dtest] = parts as [Part, Part, Part];
    const candidates: CandidateResult[] = [];
    const grid = candidateGrid({ limit: options.gridLimit, indices: options.gridIndices });
    for (const candidate of grid) {
      const t0 = performance.now();
      const xgb0 = xgboostMs;
      const params = candidateParams(candidate, { nthread: options.nthread, seed: options.seed });
      const trained = timed(() =>
        trainBooster({
          params,
          dtrain: dfit.matrix,
          dvalid: dvalid.matrix,
          rounds: options.rounds,
          earlyStoppingRounds: options.earlyStopping,
          metric: EARLY_STOPPING_METRIC,
        }),
      );
      const { booster } = trained;
      try {
        // The threshold is fixed on validation predictions before the test part is ever scored.
        const [pFit, pValid] = timed(() => [booster.predict(dfit.matrix), booster.predict(dvalid.matrix)]);
        const threshold = chooseThreshold(dvalid.labels, pValid, options.thresholdObjective, economics);
        const pTest = timed(() => booster.predict(dtest.matrix));
        const model = timed(() => ({ ubj: booster.saveModel('ubj'), json: booster.saveModel('json') }));
        const at = (part: Part, scores: Float32Array): ClassificationMetrics =>
          evaluate(part.labels, scores, threshold.threshold, economics);
        const metrics = { train: at(dfit, pFit), validation: at(dvalid, pValid), test: at(dtest, pTest) };
        const importance = importanceFromModelJson(model.json, names);
        const totalMs = performance.now() - t0;
        const inXgboost = xgboostMs - xgb0;
        const result: CandidateResult = {
          candidate,
          params,
          bestIteration: trained.bestIteration,
          bestScore: trained.bestScore,
          roundsRun: trained.roundsRun,
          stoppedEarly: trained.stoppedEarly,
          history: trained.history,
          threshold,
          metrics,
          importance,
          importanceSource: 'model-json-loss-changes',
          predictions: predictionReference(pValid),
          calibration: fitIsotonic(pValid, dvalid.labels),
          model,
          timings: { totalMs, xgboostMs: inXgboost, outsideMs: totalMs - inXgboost },
        };
        candidates.push(result);
        input.onCandidate?.(result, { done: candidates.length, total: grid.length });
      } finally {
        booster.close();
      }
    }
    const bestIndex = candidates.reduce(
      (best, c, i) =>
        better(
          options.selectionMetric,
          c.metrics.validation,
          (candidates[best] as CandidateResult).metrics.validation,
        )
          ? i
          : best,
      0,
    );
    const reference = featureReference(fitRows);
    const version = xgboostVersion();
    const totalMs = performance.now() - started;
    return {
      options,
      spec,
      specHash: specHash(spec),
      split: {
        strategy: options.split,
        seed: options.seed,
        testFraction: options.testFraction,
        validationFraction: options.validationFraction,
        sizes: {
          fit: fit.length,
          validation: validation.length,
          test: outer.test.length,
          leftOut: leftOut.length,
        },
        positives: {
          fit: countOnes(dfit.labels),
          validation: countOnes(dvalid.labels),
          test: countOnes(dtest.labels),
        },
      },
      reference,
      candidates,
      bestIndex,
      xgboostVersion: version,
      timings: { totalMs, xgboostMs, outsideMs: totalMs - xgboostMs },
    };
  } finally {
    for (const part of parts) part.matrix.free();
  }
}
