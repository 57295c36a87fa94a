import { BankopsError } from '../errors/index.js';
import { withLake } from '../lake/duckdb.js';
import { readCustomers, type CustomerRow } from '../lake/readers.js';
import { rowsAddedSql } from '../lake/snapshots.js';
import {
  ALIASES,
  choosePromotion,
  planAliasMove,
  planRollback,
  type ModelVersion,
  type PromotionMetric,
} from '../registry/index.js';
import {
  bankLabels,
  evaluate,
  stratifiedSplit,
  timeOrderedSplit,
  type ClassificationMetrics,
  type LoadedBundle,
} from '../training/index.js';
import type { PipelineContext } from './context.js';
import { loadVersionBundle, scoreRecords } from './bundles.js';

export interface PromoteRequest {
  /** The version to consider; default the `challenger` alias. */
  version?: string;
  metric: PromotionMetric;
  floor: number;
  margin: number;
  correlationId?: string | null;
}

export interface Holdout {
  snapshotId: string;
  rows: number;
  positives: number;
  /** How the rows were chosen, in words. */
  description: string;
}

export interface PromoteOutcome {
  promoted: boolean;
  reason: string;
  version: string;
  champion: string | undefined;
  holdout: Holdout;
  candidateMetrics: Record<string, number>;
  championMetrics: Record<string, number> | undefined;
}

const MIN_FRESH_ROWS = 200;

function gateMetrics(m: ClassificationMetrics): Record<string, number> {
  return { roc_auc: m.rocAuc, pr_auc: m.prAuc, f1: m.f1, accuracy: m.accuracy, profit: m.profit };
}

/**
 * The rows the candidate never trained on: its own test part at its training snapshot (time-ordered:
 * the newest rows; stratified: the same seeded split, recomputed). When a champion exists, only the rows
 * added after the champion's training snapshot are kept, so neither model has seen them, as long as that
 * leaves enough rows of both classes.
 */
async function holdoutFor(
  ctx: PipelineContext,
  candidate: LoadedBundle,
  champion: LoadedBundle | undefined,
): Promise<{ rows: CustomerRow[]; holdout: Holdout }> {
  const table = ctx.names.customersTable;
  const snapshotId = candidate.meta.source.snapshotId;
  if (!snapshotId) throw new BankopsError('DATA_INVALID', 'the candidate bundle names no training snapshot');
  const { strategy, testFraction, seed } = candidate.meta.split;
  return withLake(ctx.config, async (lake) => {
    const all = await readCustomers(lake, { table, snapshotId });
    // The same split functions training used, on the same rows in the same order: the same test rows.
    const split =
      strategy === 'time'
        ? timeOrderedSplit(
            Float64Array.from(all, (r) => r.event_time.getTime()),
            testFraction,
          )
        : stratifiedSplit(bankLabels(all), testFraction, seed);
    let test = split.test.map((i) => all[i] as CustomerRow);
    let description = `the candidate's ${strategy} test split at snapshot ${snapshotId}`;
    const since = champion?.meta.source.snapshotId;
    if (since && since !== snapshotId) {
      const fresh = new Set(
        (
          await lake.all<{ record_id: string }>(
            `SELECT record_id FROM (${rowsAddedSql(table, since, snapshotId)})`,
          )
        ).map((r) => r.record_id),
      );
      const newer = test.filter((r) => fresh.has(r.record_id));
      const positives = newer.filter((r) => r.y === 'yes').length;
      if (newer.length >= MIN_FRESH_ROWS && positives > 0 && positives < newer.length) {
        test = newer;
        description += `, rows added since the champion's snapshot ${since}`;
      } else {
        description += ` (only ${newer.length} rows are newer than the champion's snapshot: all test rows used)`;
      }
    }
    const positives = test.filter((r) => r.y === 'yes').length;
    return { rows: test, holdout: { snapshotId, rows: test.length, positives, description } };
  });
}

function metricsOn(bundle: LoadedBundle, rows: CustomerRow[], ctx: PipelineContext): ClassificationMetrics {
  const scores = scoreRecords(
    bundle,
    rows.map(({ event_time: _t, record_id: _r, batch_id: _b, ...r }) => r),
  );
  return evaluate(bankLabels(rows), scores, bundle.meta.threshold.threshold, ctx.config.economics);
}

async function aliasVersion(ctx: PipelineContext, alias: string): Promise<ModelVersion | undefined> {
  return ctx.mlflow.getVersionByAlias(ctx.names.modelName, alias);
}

/**
 * Evaluates the candidate against the champion on the same holdout and moves the aliases only when the
 * gates pass: `previous` ← old champion, `champion` ← candidate. Emits model.promoted or model.rejected
 * with the reason either way.
 */
export async function promote(ctx: PipelineContext, request: PromoteRequest): Promise<PromoteOutcome> {
  const { mlflow, names } = ctx;
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
  const championVersion = await aliasVersion(ctx, ALIASES.champion);
  const candidate = await loadVersionBundle(mlflow, candidateVersion);
  const champion =
    championVersion && championVersion.version !== candidateVersion.version
      ? await loadVersionBundle(mlflow, championVersion)
      : undefined;
  try {
    const { rows, holdout } = await holdoutFor(ctx, candidate, champion);
    if (holdout.rows === 0) throw new BankopsError('DATA_INVALID', 'the holdout is empty');
    const candidateMetrics = gateMetrics(metricsOn(candidate, rows, ctx));
    const championMetrics = champion ? gateMetrics(metricsOn(champion, rows, ctx)) : undefined;
    const decision = choosePromotion({
      candidate: { version: candidateVersion.version, metrics: candidateMetrics },
      ...(championVersion && championMetrics
        ? { champion: { version: championVersion.version, metrics: championMetrics } }
        : {}),
      metric: request.metric,
      floor: request.floor,
      margin: request.margin,
    });
    const payload = {
      model: names.modelName,
      version: candidateVersion.version,
      champion: championVersion?.version ?? null,
      metric: request.metric,
      reason: decision.reason,
      holdout,
      candidateMetrics,
      championMetrics: championMetrics ?? null,
    };
    if (decision.promote) {
      const aliases = (await mlflow.getAliases(names.modelName)) ?? {};
      await mlflow.applyAliasPlan(
        names.modelName,
        planAliasMove({
          ...(aliases[ALIASES.champion] ? { champion: aliases[ALIASES.champion] } : {}),
          ...(aliases[ALIASES.challenger] ? { challenger: aliases[ALIASES.challenger] } : {}),
          newVersion: candidateVersion.version,
        }),
      );
      await mlflow.setModelVersionTag(
        names.modelName,
        candidateVersion.version,
        'bankops.promotion',
        decision.reason,
      );
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
      await ctx.emit(
        'model.rejected',
        payload,
        request.correlationId ?? `model-v${candidateVersion.version}`,
      );
    }
    ctx.log.info({ ...payload, promoted: decision.promote }, 'promotion decided');
    return {
      promoted: decision.promote,
      reason: decision.reason,
      version: candidateVersion.version,
      champion: championVersion?.version,
      holdout,
      candidateMetrics,
      championMetrics,
    };
  } finally {
    candidate.booster.close();
    champion?.booster.close();
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
