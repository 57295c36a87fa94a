/**
 * A real trained model for tests that need one: one grid candidate trained on the bundled UCI data,
 * its bundle uploaded to an MLflow run. Tests register versions from this run in models of their own, so
 * they never depend on (or touch) the product's `bank-marketing` aliases.
 */
import type { MlflowClient } from '../../../src/registry/index.js';
import { buildBundle, loadBundledBank, trainCandidates, withSource } from '../../../src/training/index.js';

export interface FixtureRun {
  runId: string;
  source: string;
}

export async function trainFixtureRun(mlflow: MlflowClient, experiment: string): Promise<FixtureRun> {
  const { records, labels } = await loadBundledBank();
  const result = trainCandidates({ rows: records, labels, options: { gridIndices: [3], nthread: 1 } });
  const bundle = withSource(buildBundle(result), {
    table: 'bundled bank-full.csv',
    snapshotId: null,
    rowCount: records.length,
  });
  const exp = await mlflow.getOrCreateExperiment(experiment);
  const run = await mlflow.createRun({ experimentId: exp.experiment_id, runName: 'test fixture model' });
  await mlflow.uploadDirectory(run.info.run_id, 'model', new Map(Object.entries(bundle)));
  await mlflow.updateRun(run.info.run_id, 'FINISHED');
  return { runId: run.info.run_id, source: `runs:/${run.info.run_id}/model` };
}
