import { beforeAll, describe, expect, it } from 'vitest';
import type { BankRecord } from '../../src/bank/columns.js';
import { isBankopsError } from '../../src/errors/index.js';
import { encodeRows, featureNames } from '../../src/features/index.js';
import {
  carveValidation,
  chooseThreshold,
  evaluate,
  loadBundledBank,
  mulberry32,
  pick,
  stratifiedSplit,
  trainCandidates,
} from '../../src/training/index.js';
import type { CandidateResult, TrainingResult } from '../../src/training/index.js';
import { Booster } from '../../src/xgboost/index.js';

// Real XGBoost on the bundled 45,211 rows. Grid positions 4 and 10: max_depth 3 and 5 with
// learning_rate 0.1 and alpha 0.1 (the grid's first candidates use learning_rate 0.01, which 100
// rounds leave undertrained). One thread: vitest runs test files in parallel on the two cores.
const CANDIDATES = [4, 10];
const TIMEOUT = 600_000;

let records: BankRecord[] = [];
let labels: Uint8Array = new Uint8Array(0);

beforeAll(async () => {
  ({ records, labels } = await loadBundledBank());
}, TIMEOUT);

const bestTest = (result: TrainingResult, metric: 'rocAuc' | 'prAuc'): number =>
  Math.max(...result.candidates.map((c) => c.metrics.test[metric]));

describe('training without duration (the default)', () => {
  let result: TrainingResult;
  beforeAll(() => {
    result = trainCandidates({ rows: records, labels, options: { gridIndices: CANDIDATES, nthread: 1 } });
  }, TIMEOUT);

  it('reaches test ROC-AUC ≥ 0.78 and leaves duration out of the features', () => {
    expect(result.candidates).toHaveLength(2);
    expect(bestTest(result, 'rocAuc')).toBeGreaterThanOrEqual(0.78);
    expect(bestTest(result, 'prAuc')).toBeGreaterThan(0.3);
    expect(featureNames(result.spec)).not.toContain('duration');
    expect(result.spec.includeDuration).toBe(false);
    expect(result.xgboostVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('splits 70/30 stratified, then 80/20 inside the training part', () => {
    const { sizes, positives } = result.split;
    expect(sizes.fit + sizes.validation + sizes.test).toBe(records.length);
    expect(sizes.test).toBe(
      Math.round(labels.filter((y) => y === 1).length * 0.3) +
        Math.round(labels.filter((y) => y === 0).length * 0.3),
    );
    expect(sizes.validation).toBe(Math.round((sizes.fit + sizes.validation) * 0.2));
    const share = labels.filter((y) => y === 1).length / labels.length;
    for (const part of ['fit', 'validation', 'test'] as const) {
      expect(Math.abs(positives[part] / sizes[part] - share)).toBeLessThan(0.001);
    }
    expect(result.reference.rows).toBe(sizes.fit);
  });

  it('chooses the threshold on validation predictions only', () => {
    // Recompute the validation part and its predictions independently of trainCandidates.
    const outer = stratifiedSplit(labels, 0.3, 42);
    const { validation } = carveValidation(outer.train, { labels, seed: 42 });
    const encoded = encodeRows(result.spec, pick(records, validation));
    const validationLabels = pick(labels, validation);
    for (const candidate of result.candidates) {
      const booster = Booster.load(candidate.model.ubj, { params: { nthread: 1 } });
      try {
        const scores = booster.inplacePredict(encoded.data, encoded.rows);
        expect(candidate.threshold).toEqual(chooseThreshold(validationLabels, scores, 'f1'));
        expect(candidate.metrics.validation).toEqual(
          evaluate(validationLabels, scores, candidate.threshold.threshold),
        );
      } finally {
        booster.close();
      }
      expect(candidate.metrics.test.threshold).toBe(candidate.threshold.threshold);
    }
  });

  it('reports history, early stopping state, importance and timings per candidate', () => {
    const best = result.candidates[result.bestIndex] as CandidateResult;
    const validationPrAucs = result.candidates.map((c) => c.metrics.validation.prAuc);
    expect(best.metrics.validation.prAuc).toBe(Math.max(...validationPrAucs));
    for (const c of result.candidates) {
      expect(c.history).toHaveLength(c.roundsRun);
      expect(c.history[0]?.scores['valid']).toHaveProperty('logloss');
      expect(c.bestIteration).toBeLessThan(c.roundsRun);
      expect(c.importance.length).toBeGreaterThan(0);
      expect(featureNames(result.spec)).toEqual(expect.arrayContaining(c.importance.map((i) => i.feature)));
      expect(c.importance[0]?.gain).toBeGreaterThan(0);
      expect(c.timings.xgboostMs).toBeLessThanOrEqual(c.timings.totalMs);
      expect(c.model.ubj.length).toBeGreaterThan(0);
      expect(JSON.parse(c.model.json.toString('utf8'))).toHaveProperty('learner');
      expect(c.predictions.counts.reduce((a, b) => a + b, 0)).toBe(result.split.sizes.validation);
    }
  });
});

describe('training with duration', () => {
  it(
    'reaches test ROC-AUC ≥ 0.90',
    () => {
      const options = { gridIndices: CANDIDATES, nthread: 1, includeDuration: true };
      const result = trainCandidates({ rows: records, labels, options });
      expect(featureNames(result.spec)).toContain('duration');
      expect(bestTest(result, 'rocAuc')).toBeGreaterThanOrEqual(0.9);
    },
    TIMEOUT,
  );
});

describe('training on shuffled labels', () => {
  it(
    'finds nothing to learn: test ROC-AUC near 0.5',
    () => {
      const shuffled = Uint8Array.from(labels);
      const random = mulberry32(7);
      for (let i = shuffled.length - 1; i > 0; i -= 1) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
      }
      const result = trainCandidates({
        rows: records,
        labels: shuffled,
        options: { gridIndices: [10], nthread: 1 },
      });
      const auc = result.candidates[0]?.metrics.test.rocAuc ?? NaN;
      expect(auc).toBeLessThan(0.6);
      expect(auc).toBeGreaterThan(0.4);
    },
    TIMEOUT,
  );
});

describe('time-ordered split', () => {
  it(
    'uses event times and refuses to run without them',
    () => {
      const times = Float64Array.from(records, (_, i) => i); // the UCI rows are in call order
      const options = { split: 'time' as const, gridIndices: [4], rounds: 20, nthread: 1 };
      const result = trainCandidates({ rows: records, labels, eventTimes: times, options });
      expect(result.split.strategy).toBe('time');
      expect(result.split.sizes.test).toBe(Math.ceil(records.length * 0.3));
      expect(result.candidates[0]?.metrics.test.rocAuc).toBeGreaterThan(0.6);
      let error: unknown;
      try {
        trainCandidates({ rows: records, labels, options });
      } catch (caught) {
        error = caught;
      }
      expect(isBankopsError(error, 'USAGE')).toBe(true);
      expect(String(error)).toMatch(/event time/);
    },
    TIMEOUT,
  );
});
