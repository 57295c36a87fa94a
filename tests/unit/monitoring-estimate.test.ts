import { describe, expect, it } from 'vitest';
import {
  accumulate,
  emptyExpectedConfusion,
  estimateFromConfusion,
  estimatePerformance,
  expectedConfusion,
  expectedRocAuc,
} from '../../src/monitoring/estimate.js';
import { evaluate } from '../../src/training/metrics.js';
import { mulberry32 } from '../../src/training/split.js';

describe('CBPE', () => {
  it('builds the expected confusion matrix from calibrated probabilities', () => {
    const sums = expectedConfusion([0.9, 0.8, 0.3, 0.1], 0.5);
    expect(sums.count).toBe(4);
    expect(sums.tp).toBeCloseTo(1.7, 12);
    expect(sums.fp).toBeCloseTo(0.3, 12);
    expect(sums.fn).toBeCloseTo(0.4, 12);
    expect(sums.tn).toBeCloseTo(1.6, 12);
    const estimate = estimateFromConfusion(sums);
    expect(estimate.accuracy).toBeCloseTo(3.3 / 4, 12);
    expect(estimate.precision).toBeCloseTo(1.7 / 2, 12);
    expect(estimate.recall).toBeCloseTo(1.7 / 2.1, 12);
    expect(estimate.f1).toBeCloseTo(3.4 / 4.1, 12);
  });

  it('running sums add and remove predictions', () => {
    const sums = emptyExpectedConfusion();
    accumulate(sums, 0.7, true);
    accumulate(sums, 0.2, false);
    accumulate(sums, 0.7, true, -1);
    expect(sums.count).toBe(1);
    expect(sums.tp).toBeCloseTo(0, 12);
    expect(sums.fn).toBeCloseTo(0.2, 12);
    expect(estimateFromConfusion({ count: 0, tp: -1e-17, fp: 0, tn: 0, fn: 0 }).confusion.tp).toBe(0);
  });

  it('expected ROC-AUC equals the brute-force pair sum, ties counting one half', () => {
    const p = [0.9, 0.6, 0.6, 0.4, 0.2, 0.2, 0.05];
    let ordered = 0;
    let pairs = 0;
    for (let i = 0; i < p.length; i += 1) {
      for (let j = 0; j < p.length; j += 1) {
        if (i === j) continue;
        const w = (p[i] as number) * (1 - (p[j] as number));
        pairs += w;
        if ((p[i] as number) > (p[j] as number)) ordered += w;
        else if (p[i] === p[j]) ordered += w / 2;
      }
    }
    expect(expectedRocAuc(p)).toBeCloseTo(ordered / pairs, 12);
  });

  it('matches realized performance on calibrated data, and misses concept drift (its stated assumption)', () => {
    const random = mulberry32(3);
    const n = 50_000;
    const scores = Float64Array.from({ length: n }, () => random() ** 2);
    const calibrated = Uint8Array.from(scores, (p) => (random() < p ? 1 : 0));
    const estimate = estimatePerformance(scores, 0.4);
    const realized = evaluate(calibrated, scores, 0.4);
    expect(estimate.accuracy).toBeCloseTo(realized.accuracy, 2);
    expect(estimate.f1).toBeCloseTo(realized.f1, 2);
    expect(estimate.rocAuc as number).toBeCloseTo(realized.rocAuc, 2);
    // Concept drift: same scores, outcomes no longer related to them. The estimate cannot know.
    const drifted = Uint8Array.from(scores, () => (random() < 0.33 ? 1 : 0));
    expect(evaluate(drifted, scores, 0.4).f1).toBeLessThan(estimate.f1 - 0.2);
  });
});
