/**
 * The shapes MLflow's REST API (2.0 routes, checked against a 3.17 server) answers with. Fields the
 * server omits when empty (proto3 JSON) are optional here, so callers must not assume arrays exist.
 */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export type TerminalRunStatus = 'FINISHED' | 'FAILED' | 'KILLED';

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted';
  creation_time?: number;
  last_update_time?: number;
  tags?: KeyValue[];
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface Metric {
  key: string;
  /** Normalised by the client: MLflow sends NaN as the string "NaN". */
  value: number;
  timestamp: number;
  step: number;
}

export interface RunInfo {
  run_id: string;
  run_uuid?: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  /** e.g. `mlflow-artifacts:/<experiment>/<run>/artifacts` when the server proxies artifacts. */
  artifact_uri: string;
  lifecycle_stage: 'active' | 'deleted';
}

export interface RunData {
  /** The latest value of each metric key. */
  metrics?: Metric[];
  params?: KeyValue[];
  tags?: KeyValue[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
}

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export interface ModelVersion {
  name: string;
  /** MLflow sends versions as decimal strings. */
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  source: string;
  run_id?: string;
  run_link?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags?: KeyValue[];
  /** Present on get/get-by-alias, absent from search results. */
  aliases?: string[];
}

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: KeyValue[];
  aliases?: RegisteredModelAlias[];
}

export interface FileInfo {
  /** Relative to the run's artifact root, e.g. `model/booster.json`. */
  path: string;
  isDir: boolean;
  fileSize?: number;
}

/** A metric to log; `timestamp` defaults to now and `step` to 0. */
export interface MetricInput {
  key: string;
  value: number;
  step?: number;
  timestamp?: number;
}

export type ParamValue = string | number | boolean;
