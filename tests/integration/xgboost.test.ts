import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig, parseConfig } from '../../src/config/index.js';
import { isBankopsError } from '../../src/errors/index.js';
import {
  Booster,
  DMatrix,
  loadXgboost,
  trainBooster,
  withDMatrix,
  withDMatrixSync,
  xgboostNative,
  xgboostVersion,
} from '../../src/xgboost/index.js';
import type { BoosterHandle, DMatrixHandle, TrainResult } from '../../src/xgboost/index.js';
import { resolveLibraryPath } from '../../src/xgboost/native.js';

/** mulberry32: a small deterministic PRNG so every run sees the same data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Dataset {
  data: Float32Array;
  labels: Float32Array;
  rows: number;
  cols: number;
}

/** Binary labels from a logistic model of the features; `noise` 1 makes labels independent of them. */
function synthetic(rows: number, cols: number, seed: number, noise = 0, missingRate = 0): Dataset {
  const random = prng(seed);
  const weights = Array.from({ length: cols }, (_, j) => (j % 2 === 0 ? 1 : -1) * (1 + j / cols));
  const data = new Float32Array(rows * cols);
  const labels = new Float32Array(rows);
  for (let i = 0; i < rows; i += 1) {
    let z = -0.5;
    for (let j = 0; j < cols; j += 1) {
      const x = random() * 4 - 2;
      data[i * cols + j] = random() < missingRate ? NaN : x;
      z += weights[j]! * x * (j < 4 ? 1 : 0.2);
    }
    const p = 1 / (1 + Math.exp(-z));
    labels[i] = random() < noise ? (random() < 0.5 ? 1 : 0) : random() < p ? 1 : 0;
  }
  return { data, labels, rows, cols };
}

const PARAMS = { objective: 'binary:logistic', max_depth: 4, eta: 0.3, nthread: 1, seed: 7, verbosity: 1 };
const train = synthetic(3000, 8, 1);
const valid = synthetic(800, 8, 2);
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((fn) => fn()));

function matrix(set: Dataset): DMatrix {
  const m = DMatrix.fromDense({ data: set.data, rows: set.rows, cols: set.cols, labels: set.labels });
  cleanups.push(() => m.free());
  return m;
}

describe('xgboost binding', () => {
  let dtrain: DMatrix;
  let dvalid: DMatrix;
  let trained: TrainResult;
  let booster: Booster;
  const timings: Record<string, number> = {};
  const timed = <T>(name: string, fn: () => T): T => {
    const start = performance.now();
    const result = fn();
    timings[name] = Math.round((performance.now() - start) * 100) / 100;
    return result;
  };
  beforeAll(() => {
    dtrain = matrix(train);
    dvalid = matrix(valid);
    trained = timed('train 3000×8, 50 rounds (ms)', () =>
      trainBooster({ params: PARAMS, dtrain, dvalid, rounds: 50, metric: 'logloss' }),
    );
    booster = trained.booster;
    cleanups.push(() => booster.close());
  });
  afterAll(() => console.info('xgboost', xgboostVersion(), resolveLibraryPath(getConfig()), timings));

  it('reports the library version', () => {
    expect(xgboostVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('trains and predicts probabilities that separate the classes', () => {
    expect(trained.roundsRun).toBe(50);
    expect(trained.history[0]?.scores['valid']?.['logloss']).toBeGreaterThan(trained.bestScore ?? Infinity);
    expect(booster.numFeatures).toBe(8);
    const predictions = timed('predict DMatrix 800 rows (ms)', () => booster.predict(dvalid));
    expect(predictions).toHaveLength(valid.rows);
    let correct = 0;
    predictions.forEach((p, i) => {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      if ((p > 0.5 ? 1 : 0) === valid.labels[i]) correct += 1;
    });
    expect(correct / valid.rows).toBeGreaterThan(0.75);
  });

  it('in-place prediction (batch and one row) equals DMatrix prediction', () => {
    const expected = booster.predict(dvalid);
    const batch = timed('in-place predict 800 rows (ms)', () =>
      booster.inplacePredict(valid.data, valid.rows),
    );
    expect(Array.from(batch)).toEqual(Array.from(expected));
    const start = performance.now();
    for (let i = 0; i < valid.rows; i += 1) {
      // subarray: a view into the same buffer, no copy of the row.
      const row = valid.data.subarray(i * valid.cols, (i + 1) * valid.cols);
      expect(booster.predictRow(row)).toBe(expected[i]);
    }
    timings['in-place predict one row, mean (µs)'] = Math.round(
      ((performance.now() - start) * 1000) / valid.rows,
    );
    const margins = booster.predict(dvalid, { outputMargin: true });
    expect(Array.from(booster.inplacePredict(valid.data, valid.rows, { outputMargin: true }))).toEqual(
      Array.from(margins),
    );
  });

  it.each(['json', 'ubj'] as const)('save/load round trip (%s) gives identical predictions', (format) => {
    const model = booster.saveModel(format);
    if (format === 'json') expect(JSON.parse(model.toString('utf8'))).toHaveProperty('learner');
    else expect(model[0]).toBe(0x7b); // UBJ object marker '{'
    const loaded = Booster.load(model, { params: { nthread: 1 } });
    try {
      expect(loaded.numFeatures).toBe(8);
      expect(Array.from(loaded.predict(dvalid))).toEqual(Array.from(booster.predict(dvalid)));
      expect(loaded.getAttr('best_iteration')).toBe(String(trained.bestIteration));
    } finally {
      loaded.close();
    }
  });

  it('SHAP contributions per row sum to the margin', () => {
    const contributions = booster.contributions(dvalid);
    const margins = booster.predict(dvalid, { outputMargin: true });
    expect(contributions.rows).toBe(valid.rows);
    expect(contributions.cols).toBe(valid.cols + 1);
    for (let i = 0; i < valid.rows; i += 1) {
      const row = contributions.values.subarray(i * contributions.cols, (i + 1) * contributions.cols);
      const sum = row.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - margins[i]!)).toBeLessThan(1e-4);
    }
  });

  it('early stopping stops before the round limit on a noisy set', () => {
    const noisyTrain = synthetic(1500, 8, 3, 1);
    const noisyValid = synthetic(500, 8, 4, 1);
    const result = withDMatrixSync({ ...noisyTrain }, (dt) =>
      withDMatrixSync({ ...noisyValid }, (dv) =>
        trainBooster({
          params: { ...PARAMS, eta: 0.5, max_depth: 6 },
          dtrain: dt,
          dvalid: dv,
          rounds: 200,
          earlyStoppingRounds: 5,
          metric: 'logloss',
        }),
      ),
    );
    try {
      expect(result.stoppedEarly).toBe(true);
      expect(result.roundsRun).toBeLessThan(200);
      expect(result.roundsRun).toBe(result.bestIteration + 1 + 5);
      expect(result.booster.boostedRounds()).toBe(result.bestIteration + 1);
      const scores = result.history.map((r) => r.scores['valid']?.['logloss'] ?? NaN);
      expect(Math.min(...scores)).toBe(result.bestScore);
    } finally {
      result.booster.close();
    }
  });

  it('accepts missing values (NaN) in training and prediction', async () => {
    const sparse = synthetic(1000, 6, 5, 0, 0.2);
    const predictions = await withDMatrix({ ...sparse }, (dm) => {
      const { booster: b } = trainBooster({ params: PARAMS, dtrain: dm, rounds: 10 });
      try {
        const fromMatrix = b.predict(dm);
        expect(Array.from(b.inplacePredict(sparse.data, sparse.rows))).toEqual(Array.from(fromMatrix));
        return fromMatrix;
      } finally {
        b.close();
      }
    });
    expect(predictions.every((p) => Number.isFinite(p))).toBe(true);
  });

  it('bad parameters fail with XGBoost own message', () => {
    let caught: unknown;
    try {
      Booster.create({ params: { ...PARAMS, max_depth: 'deep' }, cache: [dtrain] });
    } catch (error) {
      caught = error;
    }
    expect(isBankopsError(caught, 'XGBOOST_FAILED')).toBe(true);
    expect((caught as Error).message).toMatch(/max_depth/);
    expect(() => trainBooster({ params: { objective: 'binary:nope' }, dtrain, rounds: 2 })).toThrow(
      /binary:nope/,
    );
  });

  it('freed handles are never reused', () => {
    const dm = DMatrix.fromDense({ data: train.data.subarray(0, 80), rows: 10, cols: 8 });
    dm.free();
    dm.free(); // idempotent
    expect(() => booster.predict(dm)).toThrow(/DMatrix used after free/);
    const copy = Booster.load(booster.saveModel('ubj'));
    copy.close();
    expect(() => copy.predictRow(valid.data.subarray(0, 8))).toThrow(/Booster used after close/);
  });

  it('rejects data whose shape does not match', () => {
    expect(() => DMatrix.fromDense({ data: new Float32Array(10), rows: 3, cols: 3 })).toThrow(/expected 3×3/);
    expect(() => booster.inplacePredict(new Float32Array(7), 1)).toThrow(
      /trained on 8 features|expected 1×8/,
    );
  });

  it('keeps the two handle types apart at compile time', () => {
    const takesMatrix = (handle: DMatrixHandle): bigint => handle;
    const boosterHandle = booster.handle satisfies BoosterHandle;
    // @ts-expect-error a BoosterHandle is not a DMatrixHandle
    expect(() => takesMatrix(boosterHandle)).not.toThrow();
  });

  it('a wrong library path fails with PREREQUISITE_MISSING', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xgb-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const notALibrary = path.join(dir, 'libxgboost.so');
    writeFileSync(notALibrary, 'not an ELF file');
    for (const lib of [path.join(dir, 'missing.so'), notALibrary]) {
      expect(() => loadXgboost(lib)).toThrow(expect.objectContaining({ code: 'PREREQUISITE_MISSING' }));
      const config = parseConfig({ BANKOPS_XGBOOST_LIB: lib });
      expect(() => xgboostNative(config)).toThrow(
        expect.objectContaining({
          code: 'PREREQUISITE_MISSING',
          hint: expect.stringMatching(/apt-get install libxgboost0/),
        }),
      );
    }
  });
});
