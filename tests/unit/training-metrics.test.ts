import { describe, expect, it } from 'vitest';
import type { BankRecord } from '../../src/bank/columns.js';
import {
  accuracy,
  brier,
  candidateGrid,
  candidateParams,
  carveValidation,
  chooseThreshold,
  confusionAt,
  evaluate,
  expectedCalibrationError,
  expectedProfitPer1000,
  featureReference,
  histogram,
  logLoss,
  mulberry32,
  prAuc,
  predictionReference,
  quantile,
  reliability,
  rocAuc,
  stratifiedSplit,
  timeOrderedSplit,
} from '../../src/training/index.js';

const BASE: BankRecord = {
  age: 41,
  job: 'technician',
  marital: 'married',
  education: 'secondary',
  default: 'no',
  balance: 10,
  housing: 'yes',
  loan: 'no',
  contact: 'cellular',
  day: 15,
  month: 'may',
  duration: 180,
  campaign: 2,
  pdays: -1,
  previous: 0,
  poutcome: 'unknown',
  y: 'no',
};

describe('metrics on a hand-computed example', () => {
  const labels = [1, 0, 1, 0];
  const scores = [0.9, 0.8, 0.4, 0.1];

  it('computes every metric at threshold 0.5', () => {
    const m = evaluate(labels, scores, 0.5);
    expect(m.confusion).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
    expect([m.accuracy, m.precision, m.recall, m.f1]).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(m.rocAuc).toBeCloseTo(3 / 4, 12); // 3 of the 4 positive/negative pairs are ordered right
    expect(m.prAuc).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 12);
    expect(m.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.2) + Math.log(0.4) + Math.log(0.9)) / 4, 12);
    expect(m.brier).toBeCloseTo((0.01 + 0.64 + 0.36 + 0.01) / 4, 12);
    // 100 EUR × 1 subscription − 5 EUR × 2 calls, over 4 customers.
    expect(m.profit).toBe(90);
    expect(m.profitPer1000).toBe(22_500);
    expect(evaluate(labels, scores, 0.5, { costPerCall: 50, valuePerSubscription: 10 }).profit).toBe(-90);
  });

  it('calls a row positive when its score equals the threshold', () => {
    expect(confusionAt(labels, scores, 0.4)).toEqual({ tp: 2, fp: 1, tn: 1, fn: 0 });
    expect(accuracy(confusionAt(labels, scores, 2))).toBe(0.5);
    expect(evaluate(labels, scores, 2).precision).toBe(0); // nothing called: zero_division = 0
  });

  it('ranks perfect, inverted, tied and random scores as expected', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [0.4, 0.3, 0.2, 0.1])).toBe(0);
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(prAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(prAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNaN();
    const random = mulberry32(1);
    const n = 20_000;
    const y = Array.from({ length: n }, () => (random() < 0.12 ? 1 : 0));
    const s = Array.from({ length: n }, () => random());
    expect(Math.abs(rocAuc(y, s) - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(prAuc(y, s) - 0.12)).toBeLessThan(0.02);
  });

  it('keeps log loss finite for sure misses and refuses mismatched inputs', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 6);
    expect(brier([1, 0], [1, 0])).toBe(0);
    expect(() => rocAuc([1, 0], [0.3])).toThrow(/2 labels but 1 scores/);
  });
});

describe('threshold choice', () => {
  const labels = [1, 1, 0, 1, 0, 0];
  const scores = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2];

  it('maximises F1 by default', () => {
    const choice = chooseThreshold(labels, scores);
    expect(choice).toEqual({ objective: 'f1', threshold: 0.6, value: 6 / 7, rows: 6 });
  });

  it('maximises profit under the given economics', () => {
    expect(chooseThreshold(labels, scores, 'profit')).toMatchObject({ threshold: 0.6, value: 280 });
    const dear = { costPerCall: 60, valuePerSubscription: 100 };
    expect(chooseThreshold(labels, scores, 'profit', dear)).toMatchObject({ threshold: 0.8, value: 80 });
  });

  it('treats tied scores as one threshold', () => {
    // Splitting the tie would reach F1 = 1 by calling only the first row.
    expect(chooseThreshold([1, 0, 0], [0.5, 0.5, 0.1])).toMatchObject({ threshold: 0.5, value: 2 / 3 });
  });
});

describe('splits', () => {
  const random = mulberry32(3);
  const labels = Array.from({ length: 10_000 }, () => (random() < 0.117 ? 1 : 0));
  const positives = (rows: number[]): number => rows.filter((i) => labels[i] === 1).length / rows.length;
  const share = labels.filter((y) => y === 1).length / labels.length;

  it('is stratified, complete, disjoint and deterministic', () => {
    const split = stratifiedSplit(labels, 0.3, 42);
    expect(split.train.length + split.test.length).toBe(labels.length);
    expect(new Set([...split.train, ...split.test]).size).toBe(labels.length);
    expect(split.test.length).toBeCloseTo(3000, -1);
    expect(Math.abs(positives(split.test) - share)).toBeLessThan(0.001);
    expect(Math.abs(positives(split.train) - share)).toBeLessThan(0.001);
    expect(stratifiedSplit(labels, 0.3, 42)).toEqual(split);
    expect(stratifiedSplit(labels, 0.3, 43).test).not.toEqual(split.test);
  });

  it('carves a stratified validation part out of the training part only', () => {
    const split = stratifiedSplit(labels, 0.3, 42);
    const { fit, validation } = carveValidation(split.train, { labels, seed: 42 });
    expect([...fit, ...validation].sort((a, b) => a - b)).toEqual(split.train);
    expect(validation.length).toBe(Math.round(split.train.length * 0.2));
    expect(Math.abs(positives(validation) - share)).toBeLessThan(0.002);
    const test = new Set(split.test);
    expect(validation.some((i) => test.has(i))).toBe(false);
  });

  it('puts the latest event times into the test part for a time split', () => {
    const times = [50, 10, 40, 20, 30, 60, 70, 0, 80, 90];
    const split = timeOrderedSplit(times, 0.3);
    expect(split.test).toEqual([6, 8, 9]);
    const { fit, validation } = carveValidation(split.train, {
      labels: times,
      seed: 1,
      fraction: 0.3,
      eventTimes: times,
    });
    expect(validation).toEqual([0, 2, 5]); // times 50, 40, 60: the latest ceil(7 × 0.3) of the training part
    expect(fit).toEqual([1, 3, 4, 7]);
    expect(() => stratifiedSplit(labels, 1, 42)).toThrow(/testFraction/);
  });
});

describe('reference statistics and grid', () => {
  it('computes deciles, histograms and category frequencies', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(histogram([1, 2, 2, 3, 9], [2, 3])).toEqual({
      edges: [2, 3],
      counts: [3, 1, 1],
      fractions: [0.6, 0.2, 0.2],
    });
    const row: BankRecord = { ...BASE, age: 30, job: 'admin.' };
    const rows = [row, { ...row, age: 50, job: 'retired' }, { ...row, age: 40 }];
    const reference = featureReference(rows);
    expect(reference.features['age']).toMatchObject({
      kind: 'numeric',
      count: 3,
      mean: 40,
      min: 30,
      max: 50,
      median: 40,
    });
    expect(reference.features['job']).toMatchObject({ frequencies: { 'admin.': 2, retired: 1 } });
    expect(reference.referenceRow).toMatchObject({ age: 40, job: 'admin.', pdays: -1 });
    expect(reference.features['pdays']).toMatchObject({
      deciles: Array(9).fill(-1),
      histogram: { edges: [-1], counts: [3, 0] },
    });
    const predictions = predictionReference([0.05, 0.15, 0.95, 1]);
    expect(predictions.counts).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(JSON.parse(JSON.stringify(reference))).toEqual(reference);
  });

  it('lists the workshop grid in its order with the documented parameters', () => {
    const grid = candidateGrid();
    expect(grid).toHaveLength(18);
    expect(grid[0]).toEqual({ index: 0, maxDepth: 3, learningRate: 0.01, alpha: 0 });
    expect(grid[17]).toEqual({ index: 17, maxDepth: 7, learningRate: 0.1, alpha: 1 });
    expect(candidateGrid({ limit: 12 }).every((c) => c.maxDepth <= 5)).toBe(true);
    expect(candidateGrid({ indices: [10] })[0]).toMatchObject({ maxDepth: 5, learningRate: 0.1, alpha: 0.1 });
    expect(() => candidateGrid({ indices: [18] })).toThrow(/outside/);
    expect(candidateParams(grid[4]!, { nthread: 1 })).toMatchObject({
      objective: 'binary:logistic',
      eval_metric: ['aucpr', 'logloss'],
      tree_method: 'hist',
      max_depth: 3,
      eta: 0.1,
      alpha: 0.1,
      nthread: 1,
      seed: 42,
    });
  });
});

describe('calibration and expected profit', () => {
  it('bins predictions and measures the calibration error against a reference computation', () => {
    const labels = [0, 0, 1, 1, 1, 0, 1, 0];
    const scores = [0.05, 0.15, 0.12, 0.85, 0.95, 0.9, 0.55, 0.45];
    const bins = reliability(labels, scores, 2);
    expect(bins).toEqual([
      { from: 0, to: 0.5, rows: 4, predicted: (0.05 + 0.15 + 0.12 + 0.45) / 4, observed: 0.25 },
      { from: 0.5, to: 1, rows: 4, predicted: (0.85 + 0.95 + 0.9 + 0.55) / 4, observed: 0.75 },
    ]);
    const ece = 0.5 * Math.abs(0.25 - 0.1925) + 0.5 * Math.abs(0.75 - 0.8125);
    expect(expectedCalibrationError(labels, scores, 2)).toBeCloseTo(ece, 12);
    expect(expectedCalibrationError([0, 1], [0, 1])).toBe(0);
  });

  it('expects p × value − cost for every call, per 1,000 rows', () => {
    const economics = { costPerCall: 5, valuePerSubscription: 100 };
    expect(expectedProfitPer1000([0.2, 0.5, 0.9, 0.1], [1, 1, 0, 0], economics)).toBeCloseTo(
      ((0.2 * 100 - 5 + (0.5 * 100 - 5)) / 4) * 1000,
      9,
    );
  });
});
