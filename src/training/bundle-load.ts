import { parse } from 'yaml';
import { z } from 'zod';
import { BankopsError } from '../errors/index.js';
import { encodeRow, featureCount, parseFeatureSpec, specHash } from '../features/index.js';
import type { FeatureSpec } from '../features/index.js';
import { Booster, type CompiledTrees } from '../xgboost/index.js';
import { BUNDLE_FILES, BUNDLE_FORMAT_VERSION } from './bundle.js';
import type { BundleFiles, BundleMeta } from './bundle.js';
import { MODEL_FILE } from './mlmodel.js';

export interface LoadedBundle {
  /** The caller owns it: close() when done. */
  booster: Booster;
  spec: FeatureSpec;
  meta: BundleMeta;
  /** Serving's fast path for small requests, set when it matched the library (serving/model/compile.ts). */
  compiled?: CompiledTrees;
}

export interface LoadBundleOptions {
  /** XGBoost threads for prediction; default 1 (serving scores small batches). */
  nthread?: number;
}

const invalid = (message: string, hint?: string): BankopsError =>
  new BankopsError('DATA_INVALID', `model bundle: ${message}`, { hint });

/** The parts of bankops.json that loading relies on; the rest is carried as written. */
const metaSchema = z.looseObject({
  kind: z.literal('bankops.model-bundle'),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  featureSpecHash: z.string().regex(/^[0-9a-f]{64}$/),
  threshold: z.looseObject({ threshold: z.number() }),
  reference: z.looseObject({ features: z.looseObject({ referenceRow: z.record(z.string(), z.unknown()) }) }),
});

const text = (files: BundleFiles, name: string): string =>
  Buffer.from(files[name] as Uint8Array).toString('utf8');

function readMeta(files: BundleFiles): BundleMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text(files, 'bankops.json'));
  } catch (error) {
    throw new BankopsError('DATA_INVALID', 'model bundle: bankops.json is not valid JSON', { cause: error });
  }
  const parsed = metaSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`bankops.json is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`);
  }
  return raw as BundleMeta;
}

function checkMlmodel(files: BundleFiles): void {
  let document: unknown;
  try {
    document = parse(text(files, 'MLmodel'));
  } catch (error) {
    throw new BankopsError('DATA_INVALID', 'model bundle: MLmodel is not valid YAML', { cause: error });
  }
  const data = (document as { flavors?: { xgboost?: { data?: unknown } } } | null)?.flavors?.xgboost?.data;
  if (data !== MODEL_FILE) {
    throw invalid(`MLmodel's flavors.xgboost.data is ${JSON.stringify(data)}, expected "${MODEL_FILE}"`);
  }
}

/**
 * Loads and checks a bundle: every file present, the spec's hash equal to the one recorded at training,
 * the booster's feature count equal to the spec's width and a finite prediction for the reference row.
 * Anything wrong → BankopsError DATA_INVALID naming it.
 */
export function loadBundle(files: BundleFiles, options: LoadBundleOptions = {}): LoadedBundle {
  const missing = BUNDLE_FILES.filter((name) => files[name] === undefined);
  if (missing.length > 0) {
    throw invalid(`missing ${missing.join(', ')}`, `A bundle holds ${BUNDLE_FILES.join(', ')}.`);
  }
  checkMlmodel(files);
  const meta = readMeta(files);
  const spec = parseFeatureSpec(text(files, 'feature_spec.json'));
  const hash = specHash(spec);
  if (hash !== meta.featureSpecHash) {
    throw invalid(
      `feature_spec.json has hash ${hash}, but bankops.json records ${meta.featureSpecHash}`,
      'The feature spec was changed after training; serving would encode rows differently. Retrain.',
    );
  }
  let booster: Booster;
  try {
    booster = Booster.load(files[MODEL_FILE] as Uint8Array, { params: { nthread: options.nthread ?? 1 } });
  } catch (error) {
    throw new BankopsError('DATA_INVALID', `model bundle: ${MODEL_FILE} does not load`, { cause: error });
  }
  try {
    const width = featureCount(spec);
    if (booster.numFeatures !== width) {
      throw invalid(
        `${MODEL_FILE} expects ${booster.numFeatures} features, feature_spec.json encodes ${width}`,
      );
    }
    const row = new Float32Array(width);
    encodeRow(spec, meta.reference.features.referenceRow, row);
    const score = booster.predictRow(row);
    if (!Number.isFinite(score) || score < 0 || score > 1) {
      throw invalid(`smoke prediction on the reference row is ${score}, expected a probability`);
    }
    return { booster, spec, meta };
  } catch (error) {
    booster.close();
    throw error;
  }
}

/** Runs every check of `loadBundle` and frees the booster; returns a short summary. */
export function validateBundle(files: BundleFiles): {
  featureSpecHash: string;
  features: number;
  threshold: number;
  referenceScore: number;
} {
  const { booster, spec, meta } = loadBundle(files);
  try {
    const row = new Float32Array(featureCount(spec));
    encodeRow(spec, meta.reference.features.referenceRow, row);
    return {
      featureSpecHash: meta.featureSpecHash,
      features: row.length,
      threshold: meta.threshold.threshold,
      referenceScore: booster.predictRow(row),
    };
  } finally {
    booster.close();
  }
}
