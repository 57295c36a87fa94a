export {
  FEATURE_SPEC_VERSION,
  buildFeatureSpec,
  canonicalJson,
  featureCount,
  featureNames,
  inputColumns,
  parseFeatureSpec,
  specHash,
} from './spec.js';
export type { BuildSpecOptions, CategoricalFeature, FeatureSpec, RawRecord } from './spec.js';
export { encodeRow, encodeRows, flaggedColumns } from './encode.js';
export type { EncodedRows } from './encode.js';
