import { randomUUID } from 'node:crypto';
import { stringify } from 'yaml';

/**
 * The files that make a bankops bundle an MLflow model too: `MLmodel` with the xgboost and
 * python_function flavors, and the environment MLflow builds to serve it. The layout follows what
 * mlflow.xgboost.save_model (MLflow 3.17.2) writes for a Booster saved as UBJ.
 */
export const MLFLOW_VERSION = '3.17.2';
/** The XGBoost wheel MLflow's environment installs to load model.ubj (it reads models of 1.x too). */
export const PYTHON_XGBOOST_VERSION = '3.2.0';
export const PYTHON_VERSION = '3.11.7';
export const MODEL_FILE = 'model.ubj';

export interface MlmodelOptions {
  /** Version of the library that trained the model (the C library bankops binds). */
  xgbVersion: string;
  featureNames: readonly string[];
  /** Bytes of the other files in the directory, as MLflow records it. */
  modelSizeBytes: number;
  createdAt: Date;
  modelUuid?: string;
}

/** MLflow's utc_time_created: Python's str(datetime) of a naive UTC time, e.g. "2026-01-02 03:04:05.678000". */
function pythonUtcTime(date: Date): string {
  return `${date.toISOString().slice(0, 23).replace('T', ' ')}000`;
}

export function mlmodelYaml(options: MlmodelOptions): string {
  // MLflow stores the schema as a JSON string inside the YAML; every encoded feature is a double column.
  const inputs = JSON.stringify(
    options.featureNames.map((name) => ({ type: 'double', name, required: true })),
  );
  const outputs = JSON.stringify([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1] } }]);
  const document = {
    flavors: {
      python_function: {
        data: MODEL_FILE,
        env: { virtualenv: 'python_env.yaml' },
        loader_module: 'mlflow.xgboost',
        python_version: PYTHON_VERSION,
      },
      xgboost: {
        code: null,
        data: MODEL_FILE,
        model_class: 'xgboost.core.Booster',
        model_format: 'ubj',
        xgb_version: options.xgbVersion,
      },
    },
    is_signature_from_type_hint: false,
    mlflow_version: MLFLOW_VERSION,
    model_size_bytes: options.modelSizeBytes,
    model_uuid: options.modelUuid ?? randomUUID().replaceAll('-', ''),
    signature: { inputs, outputs, params: null },
    type_hint_from_example: false,
    utc_time_created: pythonUtcTime(options.createdAt),
  };
  return stringify(document, { lineWidth: 0 });
}

export function pythonEnvYaml(): string {
  return stringify({
    python: PYTHON_VERSION,
    build_dependencies: ['pip==23.2.1', 'setuptools==65.5.0', 'wheel'],
    dependencies: ['-r requirements.txt'],
  });
}

export function requirementsTxt(): string {
  return `mlflow==${MLFLOW_VERSION}\nxgboost==${PYTHON_XGBOOST_VERSION}\n`;
}
