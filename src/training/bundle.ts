import { BankopsError } from '../errors/index.js';
import { featureNames } from '../features/index.js';
import type { BoosterParams } from '../xgboost/index.js';
import type { Candidate } from './grid.js';
import type { FeatureImportance } from './importance.js';
import type { ClassificationMetrics, Economics } from './metrics.js';
import { mlmodelYaml, MODEL_FILE, pythonEnvYaml, requirementsTxt } from './mlmodel.js';
import type { TrainingOptions } from './options.js';
import type { FeatureReference, PredictionReference } from './reference.js';
import type { ThresholdChoice } from './threshold.js';
import type { CalibrationMap } from './calibration.js';
import type { CandidateResult, SplitInfo, TrainingResult } from './train.js';

/**
 * A model bundle: relative path → bytes. The lead uploads it as a run's `model/` artifact directory;
 * serving loads it with `loadBundle`. Everything serving needs travels together: the trees, the
 * feature encoding (train/serve parity), the threshold and the reference statistics for drift.
 */
export type BundleFiles = Record<string, Uint8Array>;

export const BUNDLE_FORMAT_VERSION = 1;
export const BUNDLE_FILES = [
  'MLmodel',
  MODEL_FILE,
  'feature_spec.json',
  'bankops.json',
  'python_env.yaml',
  'requirements.txt',
] as const;

/** Where the training rows came from; the lead fills it in (null until then). */
export interface BundleSource {
  table: string | null;
  snapshotId: string | null;
  rowCount: number | null;
}

/** The content of bankops.json. */
export interface BundleMeta {
  kind: 'bankops.model-bundle';
  formatVersion: typeof BUNDLE_FORMAT_VERSION;
  createdAt: string;
  xgboostVersion: string;
  objective: string;
  threshold: ThresholdChoice;
  metrics: { train: ClassificationMetrics; validation: ClassificationMetrics; test: ClassificationMetrics };
  economics: Economics;
  params: BoosterParams;
  candidate: Candidate;
  bestIteration: number;
  roundsRun: number;
  featureSpecHash: string;
  featureNames: string[];
  importance: FeatureImportance[];
  importanceSource: CandidateResult['importanceSource'];
  reference: { features: FeatureReference; predictions: PredictionReference };
  split: SplitInfo;
  training: TrainingOptions;
  source: BundleSource;
  /** Isotonic map of the validation scores (absent from bundles trained before it existed). */
  calibration?: CalibrationMap;
}

export interface BuildBundleOptions {
  /** Which candidate; default the selected best (`result.bestIndex`). */
  candidateIndex?: number;
  source?: Partial<BundleSource>;
  createdAt?: Date;
  modelUuid?: string;
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

export function buildBundle(result: TrainingResult, options: BuildBundleOptions = {}): BundleFiles {
  const index = options.candidateIndex ?? result.bestIndex;
  const chosen = result.candidates[index];
  if (chosen === undefined) {
    throw new BankopsError('USAGE', `no candidate ${index} (the result has ${result.candidates.length})`);
  }
  const createdAt = options.createdAt ?? new Date();
  const names = featureNames(result.spec);
  const meta: BundleMeta = {
    kind: 'bankops.model-bundle',
    formatVersion: BUNDLE_FORMAT_VERSION,
    createdAt: createdAt.toISOString(),
    xgboostVersion: result.xgboostVersion,
    objective: String(chosen.params['objective']),
    threshold: chosen.threshold,
    metrics: chosen.metrics,
    economics: {
      costPerCall: result.options.costPerCall,
      valuePerSubscription: result.options.valuePerSubscription,
    },
    params: chosen.params,
    candidate: chosen.candidate,
    bestIteration: chosen.bestIteration,
    roundsRun: chosen.roundsRun,
    featureSpecHash: result.specHash,
    featureNames: names,
    importance: chosen.importance,
    importanceSource: chosen.importanceSource,
    reference: { features: result.reference, predictions: chosen.predictions },
    ...(chosen.calibration ? { calibration: chosen.calibration } : {}),
    split: result.split,
    training: result.options,
    source: { table: null, snapshotId: null, rowCount: null, ...options.source },
  };
  const files: BundleFiles = {
    [MODEL_FILE]: new Uint8Array(chosen.model.ubj),
    'feature_spec.json': utf8(`${JSON.stringify(result.spec, null, 2)}\n`),
    'bankops.json': utf8(`${JSON.stringify(meta, null, 2)}\n`),
    'python_env.yaml': utf8(pythonEnvYaml()),
    'requirements.txt': utf8(requirementsTxt()),
  };
  const modelSizeBytes = Object.values(files).reduce((n, bytes) => n + bytes.length, 0);
  files['MLmodel'] = utf8(
    mlmodelYaml({
      xgbVersion: result.xgboostVersion,
      featureNames: names,
      modelSizeBytes,
      createdAt,
      modelUuid: options.modelUuid,
    }),
  );
  return files;
}

/** Rewrites bankops.json's `source` once the lead knows the table, snapshot and row count. */
export function withSource(files: BundleFiles, source: Partial<BundleSource>): BundleFiles {
  const raw = files['bankops.json'];
  if (raw === undefined) throw new BankopsError('DATA_INVALID', 'model bundle is missing bankops.json');
  const meta = JSON.parse(Buffer.from(raw).toString('utf8')) as BundleMeta;
  meta.source = { ...meta.source, ...source };
  return { ...files, 'bankops.json': utf8(`${JSON.stringify(meta, null, 2)}\n`) };
}
