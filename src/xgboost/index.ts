export { Booster, parseEvalLine, withBooster, xgboostVersion } from './booster.js';
export type {
  BoosterParams,
  Contributions,
  EvalScores,
  InplacePredictOptions,
  ModelFormat,
  PredictOptions,
} from './booster.js';
export { DMatrix, withDMatrix, withDMatrixSync } from './dmatrix.js';
export type { DMatrixOptions } from './dmatrix.js';
export { libraryCandidates, loadXgboost, resolveLibraryPath, xgboostNative } from './native.js';
export type { BoosterHandle, DMatrixHandle, XgbNative } from './native.js';
export { isMaximizedMetric, trainBooster } from './train.js';
export type { RoundScores, TrainOptions, TrainResult } from './train.js';
export { CompiledTrees, compileVerified, PARITY_TOLERANCE } from './compiled.js';
