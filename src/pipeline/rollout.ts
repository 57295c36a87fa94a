import { BankopsError } from '../errors/index.js';
import {
  ALIASES,
  planAliasMove,
  ROLLOUT_TAG,
  rolloutOf,
  type ModelVersion,
  type PromotionMetric,
  type RolloutDecisionRecord,
  type RolloutPolicy,
  type RolloutState,
} from '../registry/index.js';
import type { PipelineContext } from './context.js';

export interface StartRollout {
  version: string;
  champion: string;
  policy: Exclude<RolloutPolicy, 'direct'>;
  share: number;
  minLabels: number;
  maxMs: number;
  metric: PromotionMetric;
  /** Why it starts (the offline gate's reason, or a person's). */
  reason: string;
  /** More for the event (the offline gate's holdout and comparison). */
  details?: Record<string, unknown>;
  correlationId?: string | null;
}

async function writeState(ctx: PipelineContext, state: RolloutState): Promise<void> {
  await ctx.mlflow.setModelVersionTag(
    ctx.names.modelName,
    state.challenger,
    ROLLOUT_TAG,
    JSON.stringify(state),
  );
}

/**
 * `previous` ← the old champion, `champion` ← `version` (the challenger alias goes if it named it), and the
 * reason on the version. Serving follows the model.promoted event the caller emits.
 */
export async function makeChampion(ctx: PipelineContext, version: string, reason: string): Promise<void> {
  const { mlflow, names } = ctx;
  const aliases = (await mlflow.getAliases(names.modelName)) ?? {};
  await mlflow.applyAliasPlan(
    names.modelName,
    planAliasMove({
      ...(aliases[ALIASES.champion] ? { champion: aliases[ALIASES.champion] } : {}),
      ...(aliases[ALIASES.challenger] ? { challenger: aliases[ALIASES.challenger] } : {}),
      newVersion: version,
    }),
  );
  await mlflow.setModelVersionTag(names.modelName, version, 'bankops.promotion', reason);
}

/** The challenger and its rollout, when one is collecting labels. */
export async function activeRollout(
  ctx: PipelineContext,
): Promise<{ version: ModelVersion; state: RolloutState } | undefined> {
  const version = await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.challenger);
  const state = rolloutOf(version);
  return version && state?.stage === 'collecting' ? { version, state } : undefined;
}

/**
 * The challenger alias on `version`, its rollout state on the version, then `rollout.started`: serving
 * reads the split from the registry, the monitor starts comparing the two on their labelled traffic.
 */
export async function startRollout(ctx: PipelineContext, request: StartRollout): Promise<RolloutState> {
  const running = await activeRollout(ctx);
  if (running && running.state.challenger !== request.version) {
    throw new BankopsError(
      'USAGE',
      `a ${running.state.policy} of v${running.state.challenger} is still deciding; abort or promote it first`,
      { hint: 'bin/bankops rollout status; bin/bankops rollout abort' },
    );
  }
  const now = Date.now();
  const state: RolloutState = {
    policy: request.policy,
    share: request.policy === 'canary' ? request.share : 0,
    stage: 'collecting',
    challenger: request.version,
    champion: request.champion,
    startedAt: new Date(now).toISOString(),
    deadline: new Date(now + request.maxMs).toISOString(),
    metric: request.metric,
    minLabels: request.minLabels,
    ...(request.correlationId ? { correlationId: request.correlationId } : {}),
  };
  // state first, alias second: serving never sees a challenger without its split
  await writeState(ctx, state);
  await ctx.mlflow.setAlias(ctx.names.modelName, ALIASES.challenger, request.version);
  await ctx.emit(
    'rollout.started',
    {
      ...request.details,
      model: ctx.names.modelName,
      version: request.version,
      champion: request.champion,
      reason: request.reason,
      rollout: state,
    },
    request.correlationId ?? `rollout-v${request.version}`,
  );
  return state;
}

export interface FinishRollout {
  action: 'promote' | 'rollback';
  reason: string;
  by: RolloutDecisionRecord['by'];
  /** The labels' comparison, when the monitor decided. */
  comparison?: Record<string, unknown> | null;
  /** Only this challenger (a decision about an older rollout is stale). */
  version?: string;
  correlationId?: string | null;
}

/**
 * Ends the collecting rollout: promote (aliases previous/champion, serving swaps) or roll back (the
 * challenger alias removed, all traffic back to the champion). Answers undefined when no rollout of that
 * version is collecting (a repeated or stale decision changes nothing).
 */
export async function finishRollout(
  ctx: PipelineContext,
  request: FinishRollout,
): Promise<RolloutState | undefined> {
  const { mlflow, names } = ctx;
  const running = await activeRollout(ctx);
  if (!running || (request.version !== undefined && running.state.challenger !== request.version)) {
    return undefined;
  }
  const state: RolloutState = {
    ...running.state,
    stage: request.action === 'promote' ? 'promoted' : 'rolled-back',
    decision: {
      action: request.action,
      reason: request.reason,
      at: new Date().toISOString(),
      by: request.by,
    },
  };
  await writeState(ctx, state);
  const correlationId = state.correlationId ?? request.correlationId ?? `rollout-v${state.challenger}`;
  const payload = {
    model: names.modelName,
    version: state.challenger,
    champion: state.champion,
    reason: request.reason,
    comparison: request.comparison ?? null,
    rollout: state,
  };
  if (request.action === 'promote') {
    await makeChampion(ctx, state.challenger, request.reason);
    await ctx.emit('model.promoted', payload, correlationId);
  } else {
    await mlflow.deleteAlias(names.modelName, ALIASES.challenger);
    await mlflow.setModelVersionTag(names.modelName, state.challenger, 'bankops.rejection', request.reason);
    await ctx.emit('rollout.rolled-back', payload, correlationId);
  }
  ctx.log.info({ ...payload }, `rollout ${request.action === 'promote' ? 'promoted' : 'rolled back'}`);
  return state;
}
