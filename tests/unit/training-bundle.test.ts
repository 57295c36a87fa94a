import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BankRecord } from '../../src/bank/columns.js';
import { isBankopsError } from '../../src/errors/index.js';
import { encodeRows, featureCount, featureNames, specHash } from '../../src/features/index.js';
import type { FeatureSpec } from '../../src/features/index.js';
import {
  BUNDLE_FILES,
  buildBundle,
  evaluate,
  loadBundle,
  loadBundledBank,
  pick,
  stratifiedSplit,
  trainCandidates,
  validateBundle,
  withSource,
} from '../../src/training/index.js';
import type { BundleFiles, BundleMeta, CandidateResult, TrainingResult } from '../../src/training/index.js';
import { Booster } from '../../src/xgboost/index.js';

const TIMEOUT = 600_000;
let records: BankRecord[] = [];
let labels: Uint8Array = new Uint8Array(0);
let result: TrainingResult;
let files: BundleFiles;

beforeAll(async () => {
  ({ records, labels } = await loadBundledBank());
  // One small candidate is enough to exercise the bundle: max_depth 3, learning_rate 0.1, 30 rounds.
  result = trainCandidates({ rows: records, labels, options: { gridIndices: [4], rounds: 30, nthread: 1 } });
  files = buildBundle(result, { createdAt: new Date('2026-01-02T03:04:05.678Z') });
}, TIMEOUT);

const json = <T>(bytes: Uint8Array | undefined): T =>
  JSON.parse(Buffer.from(bytes ?? []).toString('utf8')) as T;
const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

function refusal(bundle: BundleFiles): Error {
  try {
    loadBundle(bundle).booster.close();
  } catch (error) {
    expect(isBankopsError(error, 'DATA_INVALID')).toBe(true);
    return error as Error;
  }
  throw new Error('the bundle was accepted');
}

describe('model bundle', () => {
  it('holds the model, spec, metadata and an MLflow xgboost model definition', () => {
    expect(Object.keys(files).sort()).toEqual([...BUNDLE_FILES].sort());
    const mlmodel = parse(Buffer.from(files['MLmodel'] ?? []).toString('utf8')) as {
      flavors: Record<string, Record<string, unknown>>;
      mlflow_version: string;
      utc_time_created: string;
      model_uuid: string;
      signature: { inputs: string };
    };
    expect(mlmodel.flavors['xgboost']).toMatchObject({
      data: 'model.ubj',
      model_class: 'xgboost.core.Booster',
      model_format: 'ubj',
      xgb_version: result.xgboostVersion,
      code: null,
    });
    expect(mlmodel.flavors['python_function']).toMatchObject({
      loader_module: 'mlflow.xgboost',
      data: 'model.ubj',
      env: { virtualenv: 'python_env.yaml' },
      python_version: '3.11.7',
    });
    expect(mlmodel.mlflow_version).toBe('3.17.2');
    expect(mlmodel.utc_time_created).toBe('2026-01-02 03:04:05.678000');
    expect(mlmodel.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    const inputs = JSON.parse(mlmodel.signature.inputs) as Array<{ name: string; type: string }>;
    expect(inputs.map((i) => i.name)).toEqual(featureNames(result.spec));
    expect(new Set(inputs.map((i) => i.type))).toEqual(new Set(['double']));
    expect(Buffer.from(files['requirements.txt'] ?? []).toString()).toBe('mlflow==3.17.2\nxgboost==3.2.0\n');

    const meta = json<BundleMeta>(files['bankops.json']);
    const best = result.candidates[result.bestIndex] as CandidateResult;
    expect(meta.featureSpecHash).toBe(specHash(result.spec));
    expect(meta.threshold).toEqual(best.threshold);
    expect(meta.metrics.test.rocAuc).toBe(best.metrics.test.rocAuc);
    expect(meta.source).toEqual({ table: null, snapshotId: null, rowCount: null });
    expect(meta.reference.features.referenceRow).toHaveProperty('job');
    const sourced = json<BundleMeta>(
      withSource(files, { table: 'bank.customers', rowCount: 45211 })['bankops.json'],
    );
    expect(sourced.source).toEqual({ table: 'bank.customers', snapshotId: null, rowCount: 45211 });
  });

  it('loads back into a booster that predicts exactly as the trained one', () => {
    const best = result.candidates[result.bestIndex] as CandidateResult;
    const { test } = stratifiedSplit(labels, 0.3, 42);
    const { booster, spec, meta } = loadBundle(files);
    const trained = Booster.load(best.model.json, { params: { nthread: 1 } });
    try {
      const encoded = encodeRows(spec, pick(records, test));
      const scores = booster.inplacePredict(encoded.data, encoded.rows);
      // The metrics were computed from the trained booster's predictions: identical scores give identical metrics.
      expect(evaluate(pick(labels, test), scores, meta.threshold.threshold)).toEqual(best.metrics.test);
      expect(trained.inplacePredict(encoded.data, encoded.rows)).toEqual(scores);
    } finally {
      booster.close();
      trained.close();
    }
    expect(validateBundle(files)).toMatchObject({
      features: featureCount(result.spec),
      threshold: best.threshold.threshold,
    });
  });

  it('refuses a bundle with a missing file', () => {
    const without = (...names: string[]): BundleFiles =>
      Object.fromEntries(Object.entries(files).filter(([name]) => !names.includes(name)));
    expect(refusal(without('model.ubj')).message).toMatch(/missing model\.ubj/);
    expect(refusal(without('feature_spec.json', 'MLmodel')).message).toMatch(
      /missing MLmodel, feature_spec\.json/,
    );
  });

  it('refuses a feature spec that differs from the one trained with', () => {
    const spec = json<FeatureSpec>(files['feature_spec.json']);
    const job = spec.categorical.find((c) => c.column === 'job');
    job?.categories.reverse();
    const tampered = { ...files, 'feature_spec.json': utf8(JSON.stringify(spec)) };
    expect(refusal(tampered).message).toMatch(
      /feature_spec\.json has hash [0-9a-f]{64}, but bankops\.json records/,
    );
  });

  it('refuses a spec whose width does not match the model, even with a matching hash', () => {
    const spec = json<FeatureSpec>(files['feature_spec.json']);
    spec.categorical.find((c) => c.column === 'job')?.categories.pop();
    const meta = json<BundleMeta>(files['bankops.json']);
    meta.featureSpecHash = specHash(spec);
    const tampered = {
      ...files,
      'feature_spec.json': utf8(JSON.stringify(spec)),
      'bankops.json': utf8(JSON.stringify(meta)),
    };
    const width = featureCount(result.spec);
    expect(refusal(tampered).message).toMatch(
      new RegExp(`expects ${width} features, feature_spec.json encodes ${width - 1}`),
    );
  });

  it('refuses damaged model bytes and metadata', () => {
    expect(refusal({ ...files, 'model.ubj': utf8('not a model') }).message).toMatch(
      /model\.ubj does not load/,
    );
    expect(refusal({ ...files, 'bankops.json': utf8('{}') }).message).toMatch(
      /bankops\.json is invalid at kind/,
    );
    expect(refusal({ ...files, MLmodel: utf8('flavors: {}\n') }).message).toMatch(/flavors\.xgboost\.data/);
  });
});
