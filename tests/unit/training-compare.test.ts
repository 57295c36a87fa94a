import { describe, expect, it } from 'vitest';
import { BankopsError } from '../../src/errors/index.js';
import {
  drawStratifiedWeights,
  pairedBootstrap,
  twoSampleBootstrap,
  weightedPrAuc,
  weightedRocAuc,
} from '../../src/training/compare.js';
import type { PairedInput } from '../../src/training/compare.js';
import { accuracy, confusionAt, f1, prAuc, profit, rocAuc } from '../../src/training/metrics.js';
import { mulberry32 } from '../../src/training/split.js';

/** Labels with the given positive rate and scores rounded to `levels` values, so there are many ties. */
function tiedData(n: number, seed: number, levels = 10): { labels: number[]; scores: number[] } {
  const random = mulberry32(seed);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const label = random() < 0.3 ? 1 : 0;
    labels.push(label);
    scores.push(Math.round((0.3 * label + 0.7 * random()) * levels) / levels);
  }
  // Make sure both classes are there whatever the seed.
  labels[0] = 1;
  labels[1] = 0;
  return { labels, scores };
}

/** Rows of scores = label + noise ("good") and pure noise ("noise"). */
function separable(n: number, seed: number): { labels: number[]; good: number[]; noise: number[] } {
  const random = mulberry32(seed);
  const labels: number[] = [];
  const good: number[] = [];
  const noise: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const label = i % 5 === 0 ? 1 : 0;
    labels.push(label);
    good.push(label + random());
    noise.push(random());
  }
  return { labels, good, noise };
}

function expectCode(run: () => unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BankopsError);
  expect((caught as BankopsError).code).toBe(code);
  expect((caught as BankopsError).message).toMatch(message);
}

describe('weighted rank metrics', () => {
  it('equal rocAuc / prAuc with unit weights, on data with ties', () => {
    for (const [seed, levels] of [
      [1, 10],
      [2, 3],
      [3, 1000],
      [4, 1],
    ] as const) {
      const { labels, scores } = tiedData(400, seed, levels);
      const ones = new Array<number>(labels.length).fill(1);
      expect(Math.abs(weightedRocAuc(labels, scores, ones) - rocAuc(labels, scores))).toBeLessThanOrEqual(
        1e-12,
      );
      expect(Math.abs(weightedPrAuc(labels, scores, ones) - prAuc(labels, scores))).toBeLessThanOrEqual(
        1e-12,
      );
    }
  });

  it('with integer weights equal the metric on the data with rows duplicated', () => {
    const { labels, scores } = tiedData(300, 7, 8);
    const random = mulberry32(99);
    const weights = labels.map(() => Math.floor(random() * 4)); // 0..3, zeros included
    const expandedLabels: number[] = [];
    const expandedScores: number[] = [];
    weights.forEach((w, i) => {
      for (let k = 0; k < w; k += 1) {
        expandedLabels.push(labels[i] as number);
        expandedScores.push(scores[i] as number);
      }
    });
    expect(
      Math.abs(weightedRocAuc(labels, scores, weights) - rocAuc(expandedLabels, expandedScores)),
    ).toBeLessThanOrEqual(1e-12);
    expect(
      Math.abs(weightedPrAuc(labels, scores, weights) - prAuc(expandedLabels, expandedScores)),
    ).toBeLessThanOrEqual(1e-12);
  });

  it('handle a zero-weight top group and return NaN when a class has no weight', () => {
    const labels = [0, 1, 1, 0];
    const scores = [0.9, 0.8, 0.2, 0.1];
    expect(weightedPrAuc(labels, scores, [0, 1, 1, 1])).toBeCloseTo(prAuc([1, 1, 0], [0.8, 0.2, 0.1]), 12);
    expect(weightedRocAuc(labels, scores, [1, 0, 0, 1])).toBeNaN();
    expect(weightedPrAuc(labels, scores, [1, 0, 0, 1])).toBeNaN();
  });

  it('refuse bad inputs', () => {
    expectCode(() => weightedRocAuc([0, 1], [0.1, 0.2], [1]), 'DATA_INVALID', /weights/);
    expectCode(() => weightedRocAuc([0, 1], [0.1], [1, 1]), 'DATA_INVALID', /scores/);
    expectCode(() => weightedPrAuc([0, 2], [0.1, 0.2], [1, 1]), 'DATA_INVALID', /expected 0 or 1/);
    expectCode(() => weightedPrAuc([0, 1], [0.1, NaN], [1, 1]), 'DATA_INVALID', /NaN/);
    expectCode(() => weightedRocAuc([0, 1], [0.1, 0.2], [1, -1]), 'DATA_INVALID', /weight of row 1/);
  });
});

describe('drawStratifiedWeights', () => {
  it('keeps the class counts in every replicate and only draws within each class', () => {
    const { labels } = tiedData(500, 11);
    const positives = labels.flatMap((l, i) => (l === 1 ? [i] : []));
    const negatives = labels.flatMap((l, i) => (l === 0 ? [i] : []));
    const random = mulberry32(5);
    const weights = new Uint32Array(labels.length);
    for (let r = 0; r < 20; r += 1) {
      drawStratifiedWeights(positives, negatives, random, weights);
      let p = 0;
      let q = 0;
      weights.forEach((w, i) => {
        if (labels[i] === 1) p += w;
        else q += w;
      });
      expect([p, q]).toEqual([positives.length, negatives.length]);
    }
  });
});

describe('pairedBootstrap', () => {
  const { labels, good, noise } = separable(2000, 3);
  const base = (overrides: Partial<PairedInput> = {}): PairedInput => ({
    labels,
    candidate: { scores: good, threshold: 0.9 },
    champion: { scores: noise, threshold: 0.5 },
    metric: 'roc_auc',
    replicates: 200,
    ...overrides,
  });

  it('gives exactly [0, 0] for identical models', () => {
    for (const metric of ['roc_auc', 'pr_auc', 'f1', 'accuracy', 'profit'] as const) {
      const result = pairedBootstrap(
        base({
          metric,
          candidate: { scores: noise, threshold: 0.5 },
          champion: { scores: noise.slice(), threshold: 0.5 },
        }),
      );
      expect(result.difference).toBe(0);
      expect(result.low).toBe(0);
      expect(result.high).toBe(0);
    }
  });

  it('finds a clearly better model better, with point estimates equal to metrics.ts', () => {
    const result = pairedBootstrap(base());
    expect(result.candidate).toBe(rocAuc(labels, good));
    expect(result.champion).toBe(rocAuc(labels, noise));
    expect(result.difference).toBe(result.candidate - result.champion);
    expect(result.low).toBeGreaterThan(0);
    expect(result.low).toBeLessThanOrEqual(result.difference);
    expect(result.high).toBeGreaterThanOrEqual(result.difference);
    expect(result).toMatchObject({
      metric: 'roc_auc',
      confidence: 0.95,
      replicates: 200,
      seed: 42,
      rows: 2000,
      positives: 400,
      method: 'paired stratified bootstrap (percentile)',
    });

    for (const metric of ['pr_auc', 'f1', 'accuracy', 'profit'] as const) {
      expect(pairedBootstrap(base({ metric, replicates: 100 })).low, metric).toBeGreaterThan(0);
    }
  });

  it('matches the threshold metrics of metrics.ts at each model’s own threshold', () => {
    const cGood = confusionAt(labels, good, 0.9);
    const cNoise = confusionAt(labels, noise, 0.5);
    const economics = { costPerCall: 3, valuePerSubscription: 50 };
    expect(pairedBootstrap(base({ metric: 'f1', replicates: 1 })).candidate).toBe(f1(cGood));
    expect(pairedBootstrap(base({ metric: 'accuracy', replicates: 1 })).champion).toBe(accuracy(cNoise));
    const result = pairedBootstrap(base({ metric: 'profit', economics, replicates: 1 }));
    expect(result.candidate).toBe((profit(cGood, economics) / labels.length) * 1000);
    expect(result.champion).toBe((profit(cNoise, economics) / labels.length) * 1000);

    // Scores exactly at the threshold are called (≥), as in confusionAt.
    const tied = tiedData(400, 1, 10);
    const atThreshold = pairedBootstrap({
      labels: tied.labels,
      candidate: { scores: tied.scores, threshold: 0.5 },
      champion: { scores: tied.scores, threshold: 0.6 },
      metric: 'accuracy',
      replicates: 1,
    });
    expect(tied.scores.filter((s) => s === 0.5).length).toBeGreaterThan(0);
    expect(atThreshold.candidate).toBe(accuracy(confusionAt(tied.labels, tied.scores, 0.5)));
    expect(atThreshold.champion).toBe(accuracy(confusionAt(tied.labels, tied.scores, 0.6)));
  });

  it('covers 0 for a model against itself plus tiny noise', () => {
    const random = mulberry32(8);
    const jittered = noise.map((s) => s + (random() - 0.5) * 1e-3);
    const result = pairedBootstrap(base({ candidate: { scores: jittered, threshold: 0.5 } }));
    expect(result.low).toBeLessThanOrEqual(0);
    expect(result.high).toBeGreaterThanOrEqual(0);
    expect(result.high - result.low).toBeLessThan(0.01);
  });

  it('is deterministic for a seed and depends on it', () => {
    const a = pairedBootstrap(base({ seed: 7 }));
    const b = pairedBootstrap(base({ seed: 7 }));
    const c = pairedBootstrap(base({ seed: 8 }));
    expect(b).toEqual(a);
    expect([c.low, c.high]).not.toEqual([a.low, a.high]);
    expect(c.difference).toBe(a.difference);
  });

  it('widens with the confidence level', () => {
    const narrow = pairedBootstrap(base({ confidence: 0.5 }));
    const wide = pairedBootstrap(base({ confidence: 0.99 }));
    expect(wide.low).toBeLessThan(narrow.low);
    expect(wide.high).toBeGreaterThan(narrow.high);
  });

  it('refuses bad inputs and options', () => {
    const short = good.slice(1);
    expectCode(
      () => pairedBootstrap(base({ candidate: { scores: short, threshold: 0.5 } })),
      'DATA_INVALID',
      /candidate scores/,
    );
    expectCode(() => pairedBootstrap(base({ labels: labels.map((l) => l * 2) })), 'DATA_INVALID', /0 or 1/);
    expectCode(
      () => pairedBootstrap(base({ labels: labels.map(() => 0) })),
      'DATA_INVALID',
      /both classes.*0 positive/,
    );
    expectCode(
      () =>
        pairedBootstrap(
          base({
            labels: [],
            candidate: { scores: [], threshold: 0.5 },
            champion: { scores: [], threshold: 0.5 },
          }),
        ),
      'DATA_INVALID',
      /no rows/,
    );
    expectCode(
      () => pairedBootstrap(base({ champion: { scores: noise, threshold: NaN } })),
      'DATA_INVALID',
      /champion threshold/,
    );
    for (const replicates of [0, -5, 2.5, NaN]) {
      expectCode(() => pairedBootstrap(base({ replicates })), 'USAGE', /replicates/);
    }
    for (const confidence of [0, 1, 1.5, NaN]) {
      expectCode(() => pairedBootstrap(base({ confidence })), 'USAGE', /confidence/);
    }
    expectCode(() => pairedBootstrap(base({ seed: 0.5 })), 'USAGE', /seed/);
    expectCode(
      () => pairedBootstrap(base({ metric: 'log_loss' as PairedInput['metric'] })),
      'USAGE',
      /metric/,
    );
  });
});

describe('twoSampleBootstrap (a canary: each model on its own customers)', () => {
  const arm = (n: number, seed: number, signal: number) => {
    const random = mulberry32(seed);
    const labels = Array.from({ length: n }, () => (random() < 0.2 ? 1 : 0));
    const scores = labels.map((l) => Math.min(1, Math.max(0, signal * l + (1 - signal) * random())));
    return { labels, scores, threshold: 0.5 };
  };

  it('finds a clearly better candidate, and an interval around 0 for two equal models', () => {
    const better = twoSampleBootstrap({
      candidate: arm(800, 1, 0.6),
      champion: arm(800, 2, 0.1),
      metric: 'roc_auc',
    });
    expect(better.low).toBeGreaterThan(0);
    expect(better.rows).toEqual({ candidate: 800, champion: 800 });
    const same = twoSampleBootstrap({
      candidate: arm(800, 3, 0.3),
      champion: arm(800, 4, 0.3),
      metric: 'roc_auc',
    });
    expect(same.low).toBeLessThan(0);
    expect(same.high).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and refuses an arm without both outcomes', () => {
    const input = { candidate: arm(300, 5, 0.4), champion: arm(200, 6, 0.2), metric: 'f1' as const, seed: 9 };
    expect(twoSampleBootstrap(input)).toEqual(twoSampleBootstrap(input));
    expect(() =>
      twoSampleBootstrap({ ...input, champion: { labels: [0, 0], scores: [0.1, 0.2], threshold: 0.5 } }),
    ).toThrow(/champion needs both outcomes/);
  });
});
