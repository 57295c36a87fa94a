import { BankopsError } from '../errors/index.js';
import type { MlflowClient, ModelVersion } from '../registry/index.js';
import { BUNDLE_FILES, loadBundle, type BundleFiles, type LoadedBundle } from '../training/index.js';
import { encodeRows, type RawRecord } from '../features/index.js';

/** The run that holds a model version's bundle (`runs:/<id>/model` or the run's artifact URI). */
export function bundleRunId(version: ModelVersion): string {
  if (version.run_id) return version.run_id;
  const match = /^runs:\/([^/]+)\//.exec(version.source);
  if (!match?.[1]) {
    throw new BankopsError(
      'DATA_INVALID',
      `model version ${version.version} names no run (source ${version.source})`,
    );
  }
  return match[1];
}

/** Downloads a version's bundle files from MLflow (the run's `model/` artifact folder). */
export async function downloadBundle(mlflow: MlflowClient, version: ModelVersion): Promise<BundleFiles> {
  const runId = bundleRunId(version);
  const files: BundleFiles = {};
  for (const name of BUNDLE_FILES) files[name] = await mlflow.downloadArtifact(runId, `model/${name}`);
  return files;
}

export async function loadVersionBundle(mlflow: MlflowClient, version: ModelVersion): Promise<LoadedBundle> {
  return loadBundle(await downloadBundle(mlflow, version), { nthread: 2 });
}

/** Probabilities for raw records, encoded with the bundle's own feature spec (train/serve parity). */
export function scoreRecords(bundle: LoadedBundle, records: readonly RawRecord[]): Float32Array {
  if (records.length === 0) return new Float32Array(0);
  const encoded = encodeRows(bundle.spec, records);
  return bundle.booster.inplacePredict(encoded.data, encoded.rows);
}
