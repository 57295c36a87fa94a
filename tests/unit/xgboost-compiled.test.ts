/**
 * The compiled trees (serving's fast path for single records) against XGBoost's own library: the same
 * probabilities for rows with missing values and values exactly on split thresholds, and a refusal of
 * models they do not support.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/training/split.js';
import {
  CompiledTrees,
  compileVerified,
  DMatrix,
  PARITY_TOLERANCE,
  trainBooster,
  type Booster,
} from '../../src/xgboost/index.js';

const COLS = 6;

function dataset(rows: number, seed: number): { data: Float32Array; labels: Float32Array } {
  const random = mulberry32(seed);
  const data = new Float32Array(rows * COLS);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r += 1) {
    let z = -0.5;
    for (let c = 0; c < COLS; c += 1) {
      // a tenth of the values missing, so the default directions matter
      const value = random() < 0.1 ? NaN : Math.round(random() * 20) / 4;
      data[r * COLS + c] = value;
      if (!Number.isNaN(value)) z += (c % 2 === 0 ? 0.3 : -0.2) * value;
    }
    labels[r] = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { data, labels };
}

const boosters: Booster[] = [];
afterAll(() => boosters.forEach((b) => b.close()));

function train(objective: string): Booster {
  const { data, labels } = dataset(2_000, 1);
  const dtrain = DMatrix.fromDense({ data, rows: 2_000, cols: COLS, labels });
  try {
    const { booster } = trainBooster({
      params: { objective, max_depth: 6, eta: 0.3, nthread: 1, seed: 1, verbosity: 0 },
      dtrain,
      rounds: 40,
    });
    boosters.push(booster);
    return booster;
  } finally {
    dtrain.free();
  }
}

describe('compiled trees', () => {
  it('reproduce the library on unseen rows, missing values included', () => {
    const booster = train('binary:logistic');
    const { data } = dataset(3_000, 2);
    const { compiled, reason } = compileVerified(booster, data, 3_000);
    expect(reason).toBeUndefined();
    const library = booster.inplacePredict(data, 3_000);
    const ours = (compiled as CompiledTrees).predict(data, 3_000);
    let worst = 0;
    for (let i = 0; i < 3_000; i += 1)
      worst = Math.max(worst, Math.abs((library[i] as number) - (ours[i] as number)));
    expect(worst).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });

  it('send a value equal to a split condition right, as XGBoost does', () => {
    const booster = train('binary:logistic');
    const model = JSON.parse(booster.saveModel('json').toString('utf8')) as {
      learner: {
        gradient_booster: {
          model: { trees: Array<{ split_conditions: number[]; split_indices: number[] }> };
        };
      };
    };
    const root = model.learner.gradient_booster.model.trees[0];
    const row = new Float32Array(COLS).fill(1);
    row[root?.split_indices[0] ?? 0] = root?.split_conditions[0] ?? 0;
    const compiled = CompiledTrees.fromModelJson(model);
    expect(compiled.predict(row, 1)[0]).toBeCloseTo(booster.inplacePredict(row, 1)[0] as number, 6);
  });

  it('are refused for objectives other than binary:logistic, with the reason', () => {
    const booster = train('reg:squarederror');
    const { data } = dataset(10, 3);
    const { compiled, reason } = compileVerified(booster, data, 10);
    expect(compiled).toBeUndefined();
    expect(reason).toMatch(/objective reg:squarederror/);
  });
});
