import { BankopsError, errorMessage } from '../errors/index.js';
import { withLake } from '../lake/duckdb.js';
import { readCustomers } from '../lake/readers.js';
import { currentSnapshotId } from '../lake/snapshots.js';
import { ALIASES } from '../registry/index.js';
import { capture } from '../stack/util.js';
import {
  bankLabels,
  buildBundle,
  trainCandidates,
  withSource,
  type CandidateResult,
  type TrainingOptions,
  type TrainingResult,
} from '../training/index.js';
import type { PipelineContext } from './context.js';
import { metricRecord } from './metrics.js';

export interface TrainRequest {
  /** Train on the table as of this snapshot (default: current). */
  snapshotId?: string;
  /** Incremental mode (the workshop's): only the rows added after this snapshot. */
  sinceSnapshotId?: string;
  options?: Partial<TrainingOptions>;
  /** Why this training runs (manual, rows-threshold, drift, ...), recorded on the runs. */
  trigger: string;
  correlationId?: string;
  onCandidate?: (done: number, total: number) => void;
}

export interface CandidateRun {
  runId: string;
  name: string;
  metrics: Record<string, number>;
}

export interface TrainOutcome {
  experimentId: string;
  parentRunId: string;
  table: string;
  snapshotId: string;
  rows: number;
  candidates: CandidateRun[];
  best: CandidateRun & { version: string; candidateIndex: number };
  timings: TrainingResult['timings'];
}

async function gitCommit(repoRoot: string): Promise<string> {
  return (await capture('git', ['-C', repoRoot, 'rev-parse', 'HEAD']))?.trim() ?? 'unknown';
}

function candidateName(c: CandidateResult, index: number): string {
  const { maxDepth, learningRate, alpha } = c.candidate;
  return `candidate-${String(index + 1).padStart(2, '0')} depth=${maxDepth} lr=${learningRate} alpha=${alpha}`;
}

function candidateMetrics(c: CandidateResult): Record<string, number> {
  return {
    ...metricRecord('train', c.metrics.train),
    ...metricRecord('valid', c.metrics.validation),
    ...metricRecord('test', c.metrics.test),
    best_iteration: c.bestIteration,
    rounds_run: c.roundsRun,
  };
}

/**
 * One training session: reads bank.customers at a snapshot, trains every candidate, logs a parent run
 * and a child run per candidate to MLflow (params, metrics, lineage tags, the model bundle, importance,
 * confusion matrix), then registers the best candidate as a new version with the `challenger` alias.
 * Registration is the last step: a session that fails before it registers nothing and moves no alias.
 */
export async function runTrainingSession(ctx: PipelineContext, request: TrainRequest): Promise<TrainOutcome> {
  const { config, mlflow, names, log } = ctx;
  const table = names.customersTable;
  const { snapshotId, rows } = await withLake(config, async (lake) => {
    const snapshot = request.snapshotId ?? (await currentSnapshotId(lake, table));
    if (snapshot === undefined) {
      throw new BankopsError('DATA_INVALID', `${table} has no snapshot yet: nothing to train on`, {
        hint: 'Load data first: bin/bankops data load, with the lake writer running.',
      });
    }
    const found = await readCustomers(lake, {
      table,
      snapshotId: snapshot,
      ...(request.sinceSnapshotId ? { sinceSnapshotId: request.sinceSnapshotId } : {}),
    });
    return { snapshotId: snapshot, rows: found };
  });
  if (rows.length === 0) {
    throw new BankopsError(
      'DATA_INVALID',
      `${table} holds no rows at snapshot ${snapshotId}: nothing to train on`,
    );
  }
  const experiment = await mlflow.getOrCreateExperiment(names.experiment);
  const lineage = {
    'bankops.table': table,
    'bankops.snapshot_id': snapshotId,
    'bankops.rows': String(rows.length),
    'bankops.trigger': request.trigger,
    'bankops.git_commit': await gitCommit(config.repoRoot),
    ...(request.sinceSnapshotId ? { 'bankops.since_snapshot_id': request.sinceSnapshotId } : {}),
    ...(request.correlationId ? { 'bankops.correlation_id': request.correlationId } : {}),
  };
  const parent = await mlflow.createRun({
    experimentId: experiment.experiment_id,
    runName: `training ${new Date().toISOString()}`,
    tags: { ...lineage, 'bankops.kind': 'training-session' },
  });
  const parentRunId = parent.info.run_id;
  try {
    const labels = bankLabels(rows);
    const eventTimes = Float64Array.from(rows, (r) => r.event_time.getTime());
    const records = rows.map(({ event_time: _t, record_id: _r, batch_id: _b, ...record }) => record);
    const result = trainCandidates({
      rows: records,
      labels,
      eventTimes,
      ...(request.options ? { options: request.options } : {}),
      onCandidate: (_c, p) => request.onCandidate?.(p.done, p.total),
    });
    await mlflow.logBatch(parentRunId, {
      params: {
        split: result.options.split,
        seed: result.options.seed,
        test_fraction: result.options.testFraction,
        validation_fraction: result.options.validationFraction,
        include_duration: result.options.includeDuration,
        selection_metric: result.options.selectionMetric,
        threshold_objective: result.options.thresholdObjective,
        cost_per_call: result.options.costPerCall,
        value_per_subscription: result.options.valuePerSubscription,
        candidates: result.candidates.length,
      },
      tags: {
        'bankops.feature_spec_hash': result.specHash,
        'bankops.xgboost_version': result.xgboostVersion,
      },
    });
    const candidates: CandidateRun[] = [];
    for (const [index, candidate] of result.candidates.entries()) {
      candidates.push(
        await logCandidate(ctx, experiment.experiment_id, parentRunId, lineage, result, index, candidate),
      );
    }
    const best = candidates[result.bestIndex];
    if (!best) throw new BankopsError('INTERNAL', 'training produced no best candidate');
    await mlflow.logBatch(parentRunId, {
      metrics: Object.fromEntries(Object.entries(best.metrics).map(([k, v]) => [`best_${k}`, v])),
      tags: { 'bankops.best_run_id': best.runId },
    });
    await mlflow.getOrCreateRegisteredModel(
      names.modelName,
      'XGBoost model of term-deposit subscription (UCI Bank Marketing), trained by bankops.',
    );
    const version = await mlflow.createModelVersion({
      name: names.modelName,
      source: `runs:/${best.runId}/model`,
      runId: best.runId,
      tags: {
        ...lineage,
        'bankops.feature_spec_hash': result.specHash,
        test_roc_auc: String(best.metrics['test_roc_auc']),
        test_pr_auc: String(best.metrics['test_pr_auc']),
      },
      description: `${best.name}; ${table} @ ${snapshotId} (${rows.length} rows); trigger ${request.trigger}`,
    });
    await mlflow.setAlias(names.modelName, ALIASES.challenger, version.version);
    await mlflow.updateRun(parentRunId, 'FINISHED');
    log.info(
      { version: version.version, runId: best.runId, snapshotId },
      'training session registered a challenger',
    );
    return {
      experimentId: experiment.experiment_id,
      parentRunId,
      table,
      snapshotId,
      rows: rows.length,
      candidates,
      best: { ...best, version: String(version.version), candidateIndex: result.bestIndex },
      timings: result.timings,
    };
  } catch (error) {
    await mlflow
      .updateRun(parentRunId, 'FAILED')
      .catch((e: unknown) => log.warn({ error: errorMessage(e) }, 'cannot mark the run failed'));
    throw error;
  }
}

async function logCandidate(
  ctx: PipelineContext,
  experimentId: string,
  parentRunId: string,
  lineage: Record<string, string>,
  result: TrainingResult,
  index: number,
  candidate: CandidateResult,
): Promise<CandidateRun> {
  const { mlflow } = ctx;
  const name = candidateName(candidate, index);
  const run = await mlflow.createRun({
    experimentId,
    runName: name,
    parentRunId,
    tags: { ...lineage, 'bankops.kind': 'candidate', 'bankops.feature_spec_hash': result.specHash },
  });
  const runId = run.info.run_id;
  try {
    const metrics = candidateMetrics(candidate);
    const params: Record<string, string | number | boolean> = { candidate_index: index };
    for (const [k, v] of Object.entries(candidate.params))
      params[k] = typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
    await mlflow.logBatch(runId, { metrics, params });
    const bundle = withSource(buildBundle(result, { candidateIndex: index }), {
      table: lineage['bankops.table'] ?? null,
      snapshotId: lineage['bankops.snapshot_id'] ?? null,
      rowCount: Number(lineage['bankops.rows']),
    });
    await mlflow.uploadDirectory(runId, 'model', new Map(Object.entries(bundle)));
    await mlflow.uploadArtifact(
      runId,
      'feature_importance.json',
      Buffer.from(JSON.stringify(candidate.importance, null, 2)),
      'application/json',
    );
    await mlflow.uploadArtifact(
      runId,
      'confusion_matrix.json',
      Buffer.from(
        JSON.stringify(
          {
            threshold: candidate.threshold,
            train: candidate.metrics.train.confusion,
            validation: candidate.metrics.validation.confusion,
            test: candidate.metrics.test.confusion,
          },
          null,
          2,
        ),
      ),
      'application/json',
    );
    await mlflow.updateRun(runId, 'FINISHED');
    return { runId, name, metrics };
  } catch (error) {
    await mlflow.updateRun(runId, 'FAILED').catch(() => undefined);
    throw error;
  }
}
