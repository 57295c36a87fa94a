import type { Logger } from '../../src/logging/index.js';
import { modelReferenceFromBundle, type ModelReference } from '../../src/monitoring/monitor.js';
import { bundleRunId } from '../../src/pipeline/bundles.js';
import type { MlflowClient } from '../../src/registry/index.js';
import type { BundleMeta } from '../../src/training/index.js';

/** After a failed load, the next attempt for that version waits this long. */
const RETRY_MS = 30_000;

/**
 * Loads each served model version's reference statistics once, from the `bankops.json` of its bundle in
 * MLflow (only that file: the booster is not needed to monitor). Loads run in the background so that
 * consuming never waits for MLflow; drift appears once the reference is there.
 */
export class ReferenceLoader {
  private readonly loaded = new Map<string, Promise<void>>();
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly mlflow: MlflowClient,
    private readonly onReference: (reference: ModelReference) => void,
    private readonly log: Logger,
  ) {}

  /** Starts loading (modelName, version) unless it is loaded, loading, or failed recently. */
  ensure(modelName: string, version: string): void {
    const key = `${modelName}\u0000${version}`;
    if (this.loaded.has(key) && !this.failedAt.has(key)) return;
    const failed = this.failedAt.get(key);
    if (failed !== undefined && Date.now() - failed < RETRY_MS) return;
    this.failedAt.delete(key);
    this.loaded.set(
      key,
      this.load(modelName, version).catch((error: unknown) => {
        this.failedAt.set(key, Date.now());
        this.log.warn({ modelName, version, err: error }, 'cannot load the reference');
      }),
    );
  }

  /** Waits for every load started so far. */
  async settled(): Promise<void> {
    await Promise.all(this.loaded.values());
  }

  private async load(modelName: string, version: string): Promise<void> {
    const modelVersion = await this.mlflow.getModelVersion(modelName, version);
    const bytes = await this.mlflow.downloadArtifact(bundleRunId(modelVersion), 'model/bankops.json');
    const meta = JSON.parse(Buffer.from(bytes).toString('utf8')) as BundleMeta;
    this.onReference(modelReferenceFromBundle(version, meta));
    this.log.info({ modelName, version }, 'reference statistics loaded');
  }
}
