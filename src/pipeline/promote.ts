import { BankopsError } from '../errors/index.js';
import { withLake } from '../lake/duckdb.js';
import { groupKeyOf, readCustomers } from '../lake/readers.js';
import {
  ALIASES,
  choosePromotion,
  planRollback,
  type ModelVersion,
  type PromotionMetric,
  type RolloutPolicy,
  type RolloutState,
} from '../registry/index.js';
import {
  evaluate,
  pairedBootstrap,
  rocAuc,
  type ClassificationMetrics,
  type LoadedBundle,
  type PairedComparison,
} from '../training/index.js';
import type { PipelineContext } from './context.js';
import { loadVersionBundle, scoreRecords } from './bundles.js';
import { describeSources, tablesOf } from './train-session.js';
import {
  partIds,
  readTrainingRecord,
  seenBy,
  TRAINING_RECORD_FILE,
  type TrainingRecord,
} from './training-record.js';
import { buildTrainingSet, type SourceSnapshot, type TrainingRow } from './training-set.js';
import { activeRollout, makeChampion, startRollout } from './rollout.js';

export interface PromoteRequest {
  /** The version to consider; default the `challenger` alias. */
  version?: string;
  metric: PromotionMetric;
  floor: number;
  margin: number;
  /** The paired bootstrap: replicates and confidence (defaults: the configured ones). */
  replicates?: number;
  confidence?: number;
  minHoldout?: number;
  /** After the gate: promote now (direct), or let live labels decide (shadow, canary). Default direct. */
  rollout?: RolloutPolicy;
  correlationId?: string | null;
}

export interface Holdout {
  rows: number;
  positives: number;
  /** Holdout rows that are labelled traffic. */
  traffic: number;
  /** Rows of the recorded holdout left out because the champion saw their customer. */
  removed: number;
  /** How the rows were chosen, in words. */
  description: string;
  /** The snapshots the rows were read at. */
  sources: SourceSnapshot[];
}

export interface PromoteOutcome {
  promoted: boolean;
  reason: string;
  version: string;
  champion: string | undefined;
  holdout: Holdout;
  candidateMetrics: Record<string, number>;
  championMetrics: Record<string, number> | undefined;
  /** Candidate − champion on the holdout, with its interval (undefined without a champion). */
  comparison: PairedComparison | undefined;
  /** Both models on the labelled traffic of the holdout alone (the clients as they are now). */
  traffic: { rows: number; positives: number; candidate: number; champion: number | null } | undefined;
  /** Set when the gate passed and a shadow or canary now collects labels instead of a promotion. */
  rollout: RolloutState | undefined;
}

/** Profit per 1,000 calls, so that holdouts of any size compare. */
function gateMetrics(m: ClassificationMetrics): Record<string, number> {
  return { roc_auc: m.rocAuc, pr_auc: m.prAuc, f1: m.f1, accuracy: m.accuracy, profit: m.profitPer1000 };
}

function evaluation(
  bundle: LoadedBundle,
  rows: readonly TrainingRow[],
  ctx: PipelineContext,
): { scores: Float32Array; metrics: ClassificationMetrics } {
  const scores = scoreRecords(
    bundle,
    rows.map((r) => r.record),
  );
  const labels = Uint8Array.from(rows, (r) => r.label);
  const threshold = bundle.meta.threshold.threshold;
  return { scores, metrics: evaluate(labels, scores, threshold, ctx.config.economics) };
}

/**
 * The candidate's recorded test part, read again at the snapshots it was trained at, without any row
 * whose customer the champion learned from: rows neither model has seen.
 */
async function holdoutFor(
  ctx: PipelineContext,
  candidate: { version: ModelVersion; record: TrainingRecord },
  champion: { version: ModelVersion; record: TrainingRecord | undefined } | undefined,
): Promise<{ rows: TrainingRow[]; holdout: Holdout }> {
  const { record } = candidate;
  const set = await withLake(ctx.config, (lake) =>
    buildTrainingSet(lake, tablesOf(ctx.names), ctx.names.modelName, { ...record.spec, optional: [] }),
  );
  const test = partIds(record, 'test');
  const rows = set.rows.filter((r) => test.has(r.id));
  if (rows.length < test.size) {
    throw new BankopsError(
      'DATA_INVALID',
      `only ${rows.length} of the ${test.size} holdout rows of v${candidate.version.version} are in the lake at ${describeSources(set.sources)}`,
    );
  }
  let kept = rows;
  let description = record.holdout.description;
  if (champion) {
    const seen = champion.record
      ? seenBy(String(champion.version.version), champion.record).seenGroups
      : await legacySeenGroups(ctx, champion.version);
    kept = rows.filter((r) => !seen.has(r.group));
    if (kept.length < rows.length) {
      description += `; ${rows.length - kept.length} rows whose customers champion v${champion.version.version} saw left out`;
    }
  }
  return {
    rows: kept,
    holdout: {
      rows: kept.length,
      positives: kept.filter((r) => r.label === 1).length,
      traffic: kept.filter((r) => r.source === 'traffic').length,
      removed: rows.length - kept.length,
      description,
      sources: set.sources,
    },
  };
}

/** A champion registered without a training-set record saw, at most, every customer of its snapshot. */
async function legacySeenGroups(ctx: PipelineContext, version: ModelVersion): Promise<Set<string>> {
  const snapshotId = version.tags?.find((t) => t.key === 'bankops.snapshot_id')?.value;
  if (!snapshotId) return new Set();
  const rows = await withLake(ctx.config, (lake) =>
    readCustomers(lake, { table: ctx.names.customersTable, snapshotId }),
  );
  return new Set(rows.map(groupKeyOf));
}

async function aliasVersion(ctx: PipelineContext, alias: string): Promise<ModelVersion | undefined> {
  return ctx.mlflow.getVersionByAlias(ctx.names.modelName, alias);
}

function enough(holdout: Holdout, minRows: number): string | undefined {
  if (holdout.rows < minRows)
    return `the holdout has ${holdout.rows} rows neither model saw (at least ${minRows} needed)`;
  if (holdout.positives === 0 || holdout.positives === holdout.rows) {
    return `the holdout's ${holdout.rows} rows have one outcome only`;
  }
  return undefined;
}

function trafficComparison(
  rows: readonly TrainingRow[],
  candidate: Float32Array,
  champion: Float32Array | undefined,
): PromoteOutcome['traffic'] {
  const indices = rows.flatMap((r, i) => (r.source === 'traffic' ? [i] : []));
  const labels = indices.map((i) => (rows[i] as TrainingRow).label);
  const positives = labels.filter((l) => l === 1).length;
  if (positives === 0 || positives === labels.length) return undefined;
  const auc = (scores: Float32Array) =>
    rocAuc(
      labels,
      indices.map((i) => scores[i] as number),
    );
  return {
    rows: indices.length,
    positives,
    candidate: auc(candidate),
    champion: champion ? auc(champion) : null,
  };
}

/**
 * Evaluates the candidate against the champion on the same holdout (rows neither model saw) and moves
 * the aliases only when the gates pass: the floor, and the lower bound of the paired bootstrap interval of
 * the difference above the margin. `previous` ← old champion, `champion` ← candidate. Records the
 * comparison on the candidate's run and version, and emits model.promoted or model.rejected with it.
 */
export async function promote(ctx: PipelineContext, request: PromoteRequest): Promise<PromoteOutcome> {
  const { mlflow, names, config } = ctx;
  const candidateVersion = request.version
    ? await mlflow.getModelVersion(names.modelName, request.version)
    : await aliasVersion(ctx, ALIASES.challenger);
  if (!candidateVersion) {
    throw new BankopsError(
      'NOT_FOUND',
      `model ${names.modelName} has no '${ALIASES.challenger}' to promote`,
      {
        hint: 'Train one first: bin/bankops train',
      },
    );
  }
  const record = await readTrainingRecord(mlflow, candidateVersion);
  if (!record) {
    throw new BankopsError(
      'DATA_INVALID',
      `v${candidateVersion.version} has no training-set record (${TRAINING_RECORD_FILE}): nobody can tell which rows it saw`,
      { hint: 'Train it with bin/bankops train (or the pipeline), which records every row it learns from.' },
    );
  }
  const championVersion = await aliasVersion(ctx, ALIASES.champion);
  const rival =
    championVersion && championVersion.version !== candidateVersion.version ? championVersion : undefined;
  const candidate = await loadVersionBundle(mlflow, candidateVersion);
  const champion = rival ? await loadVersionBundle(mlflow, rival) : undefined;
  try {
    const { rows, holdout } = await holdoutFor(
      ctx,
      { version: candidateVersion, record },
      rival ? { version: rival, record: await readTrainingRecord(mlflow, rival) } : undefined,
    );
    if (holdout.rows === 0) throw new BankopsError('DATA_INVALID', 'the holdout is empty');
    const scored = evaluation(candidate, rows, ctx);
    const candidateMetrics = gateMetrics(scored.metrics);
    const rivalScored = champion ? evaluation(champion, rows, ctx) : undefined;
    const championMetrics = rivalScored ? gateMetrics(rivalScored.metrics) : undefined;
    const tooSmall = rival ? enough(holdout, request.minHoldout ?? config.promotion.minHoldout) : undefined;
    const comparison =
      rivalScored && champion && tooSmall === undefined
        ? pairedBootstrap({
            labels: Uint8Array.from(rows, (r) => r.label),
            candidate: { scores: scored.scores, threshold: candidate.meta.threshold.threshold },
            champion: { scores: rivalScored.scores, threshold: champion.meta.threshold.threshold },
            metric: request.metric,
            economics: config.economics,
            replicates: request.replicates ?? config.promotion.replicates,
            confidence: request.confidence ?? config.promotion.confidence,
          })
        : undefined;
    let decision =
      tooSmall !== undefined
        ? { promote: false, reason: `not decided: ${tooSmall}` }
        : choosePromotion({
            candidate: { version: candidateVersion.version, metrics: candidateMetrics },
            ...(rival && championMetrics
              ? { champion: { version: rival.version, metrics: championMetrics } }
              : {}),
            ...(comparison ? { comparison } : {}),
            metric: request.metric,
            floor: request.floor,
            margin: request.margin,
          });
    const traffic = trafficComparison(rows, scored.scores, rivalScored?.scores);
    const payload = {
      model: names.modelName,
      version: candidateVersion.version,
      champion: rival?.version ?? null,
      metric: request.metric,
      reason: decision.reason,
      holdout,
      comparison: comparison ?? null,
      traffic: traffic ?? null,
      candidateMetrics,
      championMetrics: championMetrics ?? null,
    };
    await recordDecision(ctx, candidateVersion, payload, comparison);
    const policy = request.rollout ?? 'direct';
    const running = await activeRollout(ctx);
    if (decision.promote && running && running.state.challenger !== candidateVersion.version) {
      decision = {
        promote: false,
        reason: `${decision.reason}; but a ${running.state.policy} of v${running.state.challenger} is still deciding`,
      };
      payload.reason = decision.reason;
    }
    let rollout: RolloutState | undefined;
    if (decision.promote && policy !== 'direct' && rival) {
      const config = ctx.config.rollout;
      rollout = await startRollout(ctx, {
        version: candidateVersion.version,
        champion: rival.version,
        policy,
        share: config.share,
        minLabels: config.minLabels,
        maxMs: config.maxMs,
        metric: config.metric,
        reason: decision.reason,
        details: {
          metric: request.metric,
          holdout,
          comparison: comparison ?? null,
          traffic: traffic ?? null,
        },
        ...(request.correlationId !== undefined ? { correlationId: request.correlationId } : {}),
      });
    } else if (decision.promote) {
      await makeChampion(ctx, candidateVersion.version, decision.reason);
      await ctx.emit(
        'model.promoted',
        payload,
        request.correlationId ?? `model-v${candidateVersion.version}`,
      );
    } else {
      await mlflow.setModelVersionTag(
        names.modelName,
        candidateVersion.version,
        'bankops.rejection',
        decision.reason,
      );
      // a model turned down answers nobody, not even a share of A/B or shadow traffic
      const aliases = (await mlflow.getAliases(names.modelName)) ?? {};
      if (aliases[ALIASES.challenger] === candidateVersion.version) {
        await mlflow.deleteAlias(names.modelName, ALIASES.challenger);
      }
      await ctx.emit(
        'model.rejected',
        payload,
        request.correlationId ?? `model-v${candidateVersion.version}`,
      );
    }
    ctx.log.info({ ...payload, promoted: decision.promote, rollout }, 'promotion decided');
    return {
      rollout,
      promoted: decision.promote && rollout === undefined,
      reason: decision.reason,
      version: candidateVersion.version,
      champion: rival?.version,
      holdout,
      candidateMetrics,
      championMetrics,
      comparison,
      traffic,
    };
  } finally {
    candidate.booster.close();
    champion?.booster.close();
  }
}

/** The gate's numbers on the candidate's run (metrics) and version (a tag), beside the decision. */
async function recordDecision(
  ctx: PipelineContext,
  version: ModelVersion,
  payload: {
    holdout: Holdout;
    candidateMetrics: Record<string, number>;
    championMetrics: Record<string, number> | null;
  },
  comparison: PairedComparison | undefined,
): Promise<void> {
  const metrics: Record<string, number> = {
    gate_holdout_rows: payload.holdout.rows,
    gate_holdout_positives: payload.holdout.positives,
    ...Object.fromEntries(Object.entries(payload.candidateMetrics).map(([k, v]) => [`gate_${k}`, v])),
    ...Object.fromEntries(
      Object.entries(payload.championMetrics ?? {}).map(([k, v]) => [`gate_champion_${k}`, v]),
    ),
    ...(comparison
      ? {
          gate_difference: comparison.difference,
          gate_ci_low: comparison.low,
          gate_ci_high: comparison.high,
        }
      : {}),
  };
  const finite = Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
  if (version.run_id) await ctx.mlflow.logBatch(version.run_id, { metrics: finite });
  if (comparison) {
    await ctx.mlflow.setModelVersionTag(
      ctx.names.modelName,
      version.version,
      'bankops.gate',
      JSON.stringify({ ...comparison, holdout: payload.holdout.description }),
    );
  }
}

/** `champion` ← `previous`; emits model.promoted for the restored version so that serving follows. */
export async function rollback(
  ctx: PipelineContext,
): Promise<{ champion: string; from: string | undefined }> {
  const { mlflow, names } = ctx;
  const aliases = (await mlflow.getAliases(names.modelName)) ?? {};
  const plan = planRollback({
    model: names.modelName,
    ...(aliases[ALIASES.champion] ? { champion: aliases[ALIASES.champion] } : {}),
    ...(aliases[ALIASES.previous] ? { previous: aliases[ALIASES.previous] } : {}),
  });
  await mlflow.applyAliasPlan(names.modelName, plan);
  const restored = String(aliases[ALIASES.previous]);
  await ctx.emit(
    'model.promoted',
    {
      model: names.modelName,
      version: restored,
      rolledBackFrom: aliases[ALIASES.champion] ?? null,
      reason: 'rollback',
    },
    `model-v${restored}`,
  );
  return { champion: restored, from: aliases[ALIASES.champion] };
}
