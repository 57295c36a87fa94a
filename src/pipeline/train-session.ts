import type { Config } from '../config/index.js';
import { BankopsError } from '../errors/index.js';
import { withLake, type Lake } from '../lake/duckdb.js';
import { groupKeyOf, readCustomers } from '../lake/readers.js';
import { ALIASES } from '../registry/index.js';
import { capture } from '../util/process.js';
import {
  buildBundle,
  planHoldout,
  resolveTrainingOptions,
  trainCandidates,
  withSource,
  type CandidateResult,
  type SeenByChampion,
  type TrainingOptions,
  type TrainingResult,
} from '../training/index.js';
import type { PipelineContext } from './context.js';
import { metricRecord } from './metrics.js';
import { activeRollout } from './rollout.js';
import {
  readTrainingRecord,
  seenBy,
  trainingRecord,
  uploadTrainingRecord,
  type TrainingRecord,
} from './training-record.js';
import {
  buildTrainingSet,
  type SourceSnapshot,
  type TrainingSet,
  type TrainingSetSpec,
  type TrainingSourceName,
  type TrainingTables,
} from './training-set.js';

export interface TrainRequest {
  /** Where the rows come from (default: the configured BANKOPS_TRAIN_SOURCES). */
  sources?: TrainingSourceName[];
  /** Sources that may be empty (the chain's traffic before any client called). */
  optionalSources?: TrainingSourceName[];
  /** Read each table as of this snapshot (default: its current one). */
  snapshots?: TrainingSetSpec['snapshots'];
  /** Incremental mode (the workshop's): only the customers added after this snapshot. */
  sinceSnapshotId?: string;
  /** Labelled traffic from this time on only (epoch ms): the drifted period of a retraining on evidence. */
  trafficSince?: number;
  /** Train even when nothing was added since the last training. */
  force?: boolean;
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
  status: 'trained';
  experimentId: string;
  parentRunId: string;
  /** The first source's table (bank.customers, or bank.predictions for traffic only). */
  table: string;
  /** Its snapshot. */
  snapshotId: string;
  /** Every table read, its snapshot and the rows it gave. */
  sources: SourceSnapshot[];
  rows: number;
  /** Rows new since the last training (promoted or not); all of them without one. */
  newRows: number;
  excluded: TrainingSet['excluded'];
  holdout: TrainingRecord['holdout'];
  candidates: CandidateRun[];
  best: CandidateRun & { version: string; candidateIndex: number };
  timings: TrainingResult['timings'];
}

/** Nothing was added since the last training: no run, no version. */
export interface SkippedTraining {
  status: 'skipped';
  reason: string;
  /** The version the last training registered. */
  lastVersion: string;
  rows: number;
  sources: SourceSnapshot[];
}

export type TrainingSessionResult = TrainOutcome | SkippedTraining;

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

/** The set a request asks for, with the settings that select rows. */
export function trainingSetSpec(config: Config, request: TrainRequest): TrainingSetSpec {
  return {
    sources: request.sources ?? config.training.sources,
    optional: request.optionalSources ?? (request.sources ? [] : ['traffic']),
    ...(request.snapshots ? { snapshots: request.snapshots } : {}),
    ...(request.sinceSnapshotId ? { sinceCustomersSnapshot: request.sinceSnapshotId } : {}),
    ...(request.trafficSince !== undefined ? { trafficSince: request.trafficSince } : {}),
    trafficWindowMs: config.training.trafficWindowMs,
    trafficWeight: config.training.trafficWeight,
    reserve: config.training.reserve,
  };
}

export function tablesOf(names: PipelineContext['names']): TrainingTables {
  return {
    customers: names.customersTable,
    predictions: names.predictionsTable,
    groundTruth: names.groundTruthTable,
  };
}

/** What the champion saw: its record, or (registered without one) every row of its customers snapshot. */
async function championSeen(ctx: PipelineContext, lake: Lake): Promise<SeenByChampion | undefined> {
  const version = await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion);
  if (!version) return undefined;
  const record = await readTrainingRecord(ctx.mlflow, version);
  if (record) return seenBy(String(version.version), record);
  const snapshotId = version.tags?.find((t) => t.key === 'bankops.snapshot_id')?.value;
  const rows = snapshotId ? await readCustomers(lake, { table: ctx.names.customersTable, snapshotId }) : [];
  return {
    version: String(version.version),
    ids: new Set(rows.map((r) => r.record_id)),
    testIds: new Set(),
    seenGroups: new Set(rows.map(groupKeyOf)),
  };
}

/** How many rows of `set` the last training did not have; undefined when there was none. */
async function sinceLastTraining(
  ctx: PipelineContext,
  set: TrainingSet,
): Promise<{ version: string; newRows: number } | undefined> {
  const [last] = await ctx.mlflow.searchModelVersions(ctx.names.modelName).catch(() => []);
  if (!last) return undefined;
  const record = await readTrainingRecord(ctx.mlflow, last);
  let newRows: number;
  if (record) {
    const seen = seenBy(String(last.version), record).ids;
    newRows = set.rows.filter((r) => !seen.has(r.id)).length;
  } else {
    // registered without a record: compare the customers snapshot only
    const snapshot = last.tags?.find((t) => t.key === 'bankops.snapshot_id')?.value;
    newRows = snapshot !== undefined && snapshot === set.snapshots.customers ? 0 : set.rows.length;
  }
  return { version: String(last.version), newRows };
}

const plural = (n: number, what: string) => `${n.toLocaleString('en')} ${what}${n === 1 ? '' : 's'}`;

export function describeSources(sources: readonly SourceSnapshot[]): string {
  return sources.map((s) => `${s.table}@${s.snapshotId} (${plural(s.rows, 'row')})`).join(', ');
}

/**
 * One training session: builds the training set (bank.customers at a snapshot and/or the labelled
 * traffic at a pair of snapshots), answers `skipped` when nothing was added since the last training, plans
 * the holdout against the champion (rows neither model sees), trains every candidate, logs a parent run
 * and a child run per candidate to MLflow (params, metrics, lineage tags, the model bundle, importance,
 * confusion matrix), records the training set row by row beside the best bundle, then registers the best
 * as a new version with the `challenger` alias. Registration is the last step: a session that fails
 * before it registers nothing and moves no alias.
 */
export async function runTrainingSession(
  ctx: PipelineContext,
  request: TrainRequest,
): Promise<TrainingSessionResult> {
  const { config, mlflow, names, log } = ctx;
  const spec = trainingSetSpec(config, request);
  const options = resolveTrainingOptions(request.options);
  const { set, champion } = await withLake(config, async (lake) => ({
    set: await buildTrainingSet(lake, tablesOf(names), names.modelName, spec),
    champion: await championSeen(ctx, lake),
  }));
  if (set.excluded.invalidTraffic > 0) {
    log.warn(
      { invalid: set.excluded.invalidTraffic, first: set.firstInvalid },
      'labelled traffic rows left out: their features fail validation',
    );
  }
  const last = await sinceLastTraining(ctx, set);
  if (last && last.newRows === 0 && request.force !== true) {
    return {
      status: 'skipped',
      reason: `nothing was added since v${last.version}'s training: the same ${plural(set.rows.length, 'row')} (${describeSources(set.sources)})`,
      lastVersion: last.version,
      rows: set.rows.length,
      sources: set.sources,
    };
  }
  const ids = set.rows.map((r) => r.id);
  const groups = set.rows.map((r) => r.group);
  const labels = Uint8Array.from(set.rows, (r) => r.label);
  const eventTimes = Float64Array.from(set.rows, (r) => r.eventTime);
  const plan = planHoldout({
    ids,
    groups,
    labels,
    eventTimes,
    options,
    ...(champion ? { champion } : {}),
    minRows: config.promotion.minHoldout,
  });
  const record = trainingRecord(set, spec, plan, {
    kind: plan.kind,
    description: plan.description,
    champion: champion?.version ?? null,
  });
  const first = set.sources[0] as SourceSnapshot;
  const experiment = await mlflow.getOrCreateExperiment(names.experiment);
  const lineage: Record<string, string> = {
    'bankops.table': first.table,
    'bankops.snapshot_id': set.snapshots.customers ?? first.snapshotId,
    'bankops.rows': String(set.rows.length),
    'bankops.sources': JSON.stringify(set.sources),
    ...(set.snapshots.customers ? { 'bankops.customers.snapshot_id': set.snapshots.customers } : {}),
    ...(set.snapshots.predictions ? { 'bankops.predictions.snapshot_id': set.snapshots.predictions } : {}),
    ...(set.snapshots.groundTruth ? { 'bankops.ground_truth.snapshot_id': set.snapshots.groundTruth } : {}),
    'bankops.holdout': plan.description,
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
    const result = trainCandidates({
      rows: set.rows.map((r) => r.record),
      labels,
      eventTimes,
      groups,
      weights: Float32Array.from(set.rows, (r) => r.weight),
      parts: plan,
      options,
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
        sources: spec.sources.join(','),
        traffic_weight: spec.trafficWeight,
        traffic_window_s: Math.round(spec.trafficWindowMs / 1000),
        simulation_reserve: spec.reserve,
        holdout_kind: plan.kind,
        rows_left_out: plan.leftOut.length,
        rows_reserved: set.excluded.reserved,
        traffic_rows_invalid: set.excluded.invalidTraffic,
        new_rows: last?.newRows ?? set.rows.length,
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
    await uploadTrainingRecord(mlflow, best.runId, record);
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
      description: `${best.name}; ${describeSources(set.sources)}; holdout: ${plan.description}; trigger ${request.trigger}`,
    });
    // A rollout that is deciding keeps its challenger: the new version waits for the promoter without the alias.
    if ((await activeRollout(ctx)) === undefined) {
      await mlflow.setAlias(names.modelName, ALIASES.challenger, version.version);
    }
    await mlflow.updateRun(parentRunId, 'FINISHED');
    log.info(
      { version: version.version, runId: best.runId, sources: set.sources },
      'training session registered a challenger',
    );
    return {
      status: 'trained',
      experimentId: experiment.experiment_id,
      parentRunId,
      table: first.table,
      snapshotId: first.snapshotId,
      sources: set.sources,
      rows: set.rows.length,
      newRows: last?.newRows ?? set.rows.length,
      excluded: set.excluded,
      holdout: record.holdout,
      candidates,
      best: { ...best, version: String(version.version), candidateIndex: result.bestIndex },
      timings: result.timings,
    };
  } catch (error) {
    await mlflow
      .updateRun(parentRunId, 'FAILED')
      .catch((e: unknown) => log.warn({ err: e }, 'cannot mark the run failed'));
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
