export { MlflowClient } from './client.js';
export { isNotFound, mlflowErrorCode, type MlflowClientOptions } from './http.js';
export {
  LOG_BATCH_LIMITS,
  PARENT_RUN_TAG,
  chunkBatch,
  runMetrics,
  runParams,
  runTags,
  type CreateRunInput,
  type LogBatchInput,
  type SearchRunsInput,
} from './tracking.js';
export { cleanRelativePath, proxiedArtifactRoot } from './artifacts.js';
export type { CreateModelVersionInput } from './models.js';
export {
  ALIASES,
  PROMOTION_METRICS,
  choosePromotion,
  describeComparison,
  pickBest,
  planAliasMove,
  planRollback,
  type AliasOperation,
  type AliasState,
  type GateComparison,
  type PromotionDecision,
  type PromotionInput,
  type PromotionMetric,
  type VersionMetrics,
} from './gates.js';
export type * from './types.js';
export {
  parsePolicy,
  parseShare,
  ROLLOUT_POLICIES,
  ROLLOUT_TAG,
  rolloutOf,
  routingFor,
  type RolloutDecisionRecord,
  type RolloutPolicy,
  type RolloutStage,
  type RolloutState,
  type Routing,
} from './rollout.js';
