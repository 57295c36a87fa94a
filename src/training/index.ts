export { buildBundle, BUNDLE_FILES, BUNDLE_FORMAT_VERSION, withSource } from './bundle.js';
export type { BuildBundleOptions, BundleFiles, BundleMeta, BundleSource } from './bundle.js';
export { loadBundle, validateBundle } from './bundle-load.js';
export type { LoadBundleOptions, LoadedBundle } from './bundle-load.js';
export { bankLabels, loadBundledBank } from './data.js';
export { candidateGrid, candidateParams, EARLY_STOPPING_METRIC, GRID } from './grid.js';
export type { Candidate, GridOptions, ParamOptions } from './grid.js';
export { importanceFromModelJson } from './importance.js';
export type { FeatureImportance } from './importance.js';
export * from './metrics.js';
export { MLFLOW_VERSION, PYTHON_XGBOOST_VERSION } from './mlmodel.js';
export { DEFAULT_TRAINING_OPTIONS, resolveTrainingOptions } from './options.js';
export type { SelectionMetric, TrainingOptions } from './options.js';
export { featureReference, histogram, predictionReference, quantile } from './reference.js';
export type {
  CategoricalReference,
  FeatureReference,
  Histogram,
  NumericReference,
  PredictionReference,
} from './reference.js';
export { carveValidation, mulberry32, pick, shuffle, stratifiedSplit, timeOrderedSplit } from './split.js';
export type { Split, ValidationSplit } from './split.js';
export { closeOverGroups, groupStratifiedSplit, groupTimeSplit, isReserved } from './groups.js';
export type { GroupTimeSplit } from './groups.js';
export { carveParts, idsOf, planHoldout, splitParts } from './parts.js';
export type { HoldoutKind, HoldoutPlan, HoldoutPlanInput, SeenByChampion, TrainingParts } from './parts.js';
export { chooseThreshold } from './threshold.js';
export type { ThresholdChoice, ThresholdObjective } from './threshold.js';
export { trainCandidates } from './train.js';
export type { CandidateResult, SplitInfo, TrainCandidatesInput, TrainingResult, Timings } from './train.js';
export {
  COMPARE_METRICS,
  pairedBootstrap,
  twoSampleBootstrap,
  weightedPrAuc,
  weightedRocAuc,
} from './compare.js';
export type { Arm, CompareMetric, PairedComparison, PairedInput, TwoSampleComparison } from './compare.js';
export { calibrate, fitIsotonic } from './calibration.js';
export type { CalibrationMap } from './calibration.js';
