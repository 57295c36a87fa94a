import { encodeRows, type RawRecord } from '../../src/features/index.js';
import { downloadBundle } from '../../src/pipeline/bundles.js';
import type { MlflowClient, ModelVersion } from '../../src/registry/index.js';
import type { Logger } from '../../src/logging/index.js';
import { loadBundle, type LoadedBundle } from '../../src/training/index.js';
import { compileForServing } from './compile.js';

/** Loads a version's bundle: download, validate (src/training loadBundle), warm up. */
export type BundleLoader = (version: ModelVersion) => Promise<LoadedBundle>;

export function mlflowLoader(mlflow: MlflowClient, log?: Logger): BundleLoader {
  return async (version) => {
    const files = await downloadBundle(mlflow, version);
    // One thread: serving scores small batches, where OpenMP's fan-out costs more than it brings, and
    // `--workers` scales across cores instead.
    const bundle = loadBundle(files, { nthread: 1 });
    try {
      warmUp(bundle);
    } catch (error) {
      bundle.booster.close();
      throw error;
    }
    const { compiled, reason } = compileForServing(bundle);
    if (compiled) bundle.compiled = compiled;
    else
      log?.warn({ version: version.version, reason }, 'compiled trees refused; XGBoost scores every request');
    return bundle;
  };
}

/**
 * Scores the reference row alone and in a small batch before the model takes traffic, so the first
 * requests after a swap do not pay for XGBoost's lazy initialisation.
 */
export function warmUp(bundle: LoadedBundle): void {
  const row: RawRecord = bundle.meta.reference.features.referenceRow;
  for (const size of [1, 1, 16]) {
    const encoded = encodeRows(
      bundle.spec,
      Array.from({ length: size }, () => row),
    );
    bundle.booster.inplacePredict(encoded.data, encoded.rows);
  }
}
