import { BankopsError } from '../errors/index.js';
import { DEFAULT_ECONOMICS } from './metrics.js';
import type { ThresholdObjective } from './threshold.js';

/** Validation metrics a candidate can be selected on; accuracy is deliberately absent (11.7 % positives). */
export type SelectionMetric = 'prAuc' | 'rocAuc' | 'logLoss' | 'f1' | 'profit';

export interface TrainingOptions {
  /** 'stratified' (random, the workshop's) or 'time' (latest rows as test; needs eventTimes). */
  split: 'stratified' | 'time';
  seed: number;
  testFraction: number;
  /** Share of the training part held out for early stopping, threshold choice and selection. */
  validationFraction: number;
  includeDuration: boolean;
  /** First N candidates of the 18-candidate grid; undefined = all. */
  gridLimit: number | undefined;
  /** Grid positions (0-based) to train instead of the first `gridLimit`; undefined = by gridLimit. */
  gridIndices: number[] | undefined;
  rounds: number;
  earlyStopping: number;
  thresholdObjective: ThresholdObjective;
  costPerCall: number;
  valuePerSubscription: number;
  nthread: number;
  /** Picks the best candidate on VALIDATION rows; never on test rows. */
  selectionMetric: SelectionMetric;
}

/** The workshop's setup: 70/30 stratified split with seed 42, 100 rounds, early stopping after 10. */
export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = {
  split: 'stratified',
  seed: 42,
  testFraction: 0.3,
  validationFraction: 0.2,
  includeDuration: false,
  gridLimit: undefined,
  gridIndices: undefined,
  rounds: 100,
  earlyStopping: 10,
  thresholdObjective: 'f1',
  costPerCall: DEFAULT_ECONOMICS.costPerCall,
  valuePerSubscription: DEFAULT_ECONOMICS.valuePerSubscription,
  nthread: 2,
  selectionMetric: 'prAuc',
};

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new BankopsError('USAGE', `${name} must be a positive integer (got ${value})`);
  }
}

export function resolveTrainingOptions(partial: Partial<TrainingOptions> = {}): TrainingOptions {
  const options: TrainingOptions = { ...DEFAULT_TRAINING_OPTIONS, ...partial };
  positiveInteger('rounds', options.rounds);
  positiveInteger('earlyStopping', options.earlyStopping);
  positiveInteger('nthread', options.nthread);
  if (options.gridLimit !== undefined) positiveInteger('gridLimit', options.gridLimit);
  for (const [name, value] of [
    ['testFraction', options.testFraction],
    ['validationFraction', options.validationFraction],
  ] as const) {
    if (!(value > 0 && value < 1)) throw new BankopsError('USAGE', `${name} must be in (0, 1), got ${value}`);
  }
  if (!Number.isInteger(options.seed)) throw new BankopsError('USAGE', `seed must be an integer`);
  if (!(options.costPerCall >= 0) || !(options.valuePerSubscription >= 0)) {
    throw new BankopsError('USAGE', 'costPerCall and valuePerSubscription must be non-negative numbers');
  }
  return options;
}
