import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { withLake } from '../../lake/duckdb.js';
import { quoteLiteral } from '../../lake/duckdb.js';
import { tableRef } from '../../lake/snapshots.js';
import type { PipelineContext } from '../../pipeline/context.js';
import type { HistoryEntry } from '../../pipeline/history.js';
import { activeRollout, startRollout } from '../../pipeline/rollout.js';
import { ALIASES } from '../../registry/index.js';
import { eventCount, eventLine, waitForEvents } from './events.js';

import { setTimeout as sleep } from 'node:timers/promises';
const fmt = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : 'n/a');

type TrafficComparison = { rows: number; positives: number; candidate: number; champion: number | null };
type LiveComparison = {
  difference: number;
  low: number;
  high: number;
  confidence: number;
  method: string;
};

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

/**
 * What the learning loop did, in the lines an analyst wants: for each offline decision, both models'
 * ROC-AUC on the held-out labelled traffic (the clients as they are now) beside the gate's interval; for
 * a rollout, its split and then what the live labels decided, with their interval.
 */
export function decisionLines(events: readonly HistoryEntry[]): string[] {
  const lines: string[] = [];
  for (const e of events) {
    const version = String(e.payload['version']);
    const champion = e.payload['champion'];
    const rollout = e.payload['rollout'] as
      { policy?: string; share?: number; minLabels?: number } | undefined;
    if (e.type === 'rollout.started' || e.type === 'model.promoted' || e.type === 'model.rejected') {
      const traffic = e.payload['traffic'] as TrafficComparison | null | undefined;
      if (traffic && champion !== null && champion !== undefined) {
        lines.push(
          `   held-out traffic (${traffic.rows} labelled clients, ${traffic.positives} subscribed, neither model trained on them): ROC-AUC v${String(champion)} ${fmt(traffic.champion)} → v${version} ${fmt(traffic.candidate)}`,
        );
      }
    }
    if (e.type === 'rollout.started' && rollout) {
      lines.push(
        `   ${e.payload['holdout'] ? 'offline gate passed' : 'started by an operator'}: a ${rollout.policy}${rollout.policy === 'canary' ? ` answers ${Math.round((rollout.share ?? 0) * 100)} % of customers (sticky by customer key)` : ''}; the live labels of ${rollout.minLabels ?? '?'} predictions per arm decide`,
      );
    }
    if ((e.type === 'model.promoted' || e.type === 'rollout.rolled-back') && rollout) {
      const live = e.payload['comparison'] as LiveComparison | null | undefined;
      lines.push(
        live
          ? `   ${rollout.policy} decided on live labels: ${e.type === 'model.promoted' ? 'promoted' : 'rolled back'} v${version}, ${signed(live.difference)}, ${Math.round(live.confidence * 100)} % CI [${signed(live.low)}, ${signed(live.high)}] (${live.method})`
          : `   ${rollout.policy} ${e.type === 'model.promoted' ? 'promoted' : 'rolled back'} v${version}: ${String(e.payload['reason'])}`,
      );
    }
  }
  return lines;
}

/**
 * Asks for a retraining when nothing is new: the trainer answers retrain.skipped with its reason and
 * registers nothing (the pipeline must be running).
 */
export async function requestWithNothingNew(
  ctx: PipelineContext,
): Promise<{ answer: HistoryEntry | undefined; waited: number }> {
  const skip = await eventCount(ctx);
  const correlationId = `retrain-${randomUUID()}`;
  const started = Date.now();
  await ctx.emit(
    'retrain.requested',
    { trigger: 'manual', reason: 'the demo asks again before any new data' },
    correlationId,
  );
  const answered = await waitForEvents(
    ctx,
    skip,
    (fresh) =>
      fresh.some(
        (e) =>
          e.correlationId === correlationId &&
          ['retrain.skipped', 'model.trained', 'retrain.failed'].includes(e.type),
      ),
    120_000,
  );
  return {
    answer: answered.events.find((e) => e.correlationId === correlationId && e.type !== 'retrain.requested'),
    waited: Date.now() - started,
  };
}

/** Waits until the lake writer has landed a prediction and its outcome (the lineage starts there). */
export async function waitForLanded(
  config: Config,
  predictionId: string,
  timeoutMs = 60_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await withLake(config, async (lake) => {
      const [row] = await lake.all<{ n: bigint }>(
        `SELECT (SELECT count(*) FROM ${tableRef('bank.predictions')} WHERE prediction_id = ${quoteLiteral(predictionId)})
              + (SELECT count(*) FROM ${tableRef('bank.ground_truth')} WHERE prediction_id = ${quoteLiteral(predictionId)}) AS n`,
      );
      return Number(row?.n ?? 0) >= 2;
    }).catch(() => false);
    if (found || Date.now() > deadline) return found;
    await sleep(1_000);
  }
}

/**
 * The operator's experiment: the first model (trained before the clients drifted) as a canary of half the
 * customers, while the drifted clients keep calling. The monitor's labels should roll it back by
 * themselves; the lines say what happened.
 */
export async function canaryOfTheFirstModel(ctx: PipelineContext): Promise<string[]> {
  const champion = await ctx.mlflow.getVersionByAlias(ctx.names.modelName, ALIASES.champion);
  if (!champion || champion.version === '1')
    return ['   (v1 is the champion: no older model to try as a canary)'];
  if (await activeRollout(ctx)) return ['   (a rollout is still deciding: no second canary now)'];
  const skip = await eventCount(ctx);
  const config = ctx.config.rollout;
  await startRollout(ctx, {
    version: '1',
    champion: champion.version,
    policy: 'canary',
    share: 0.5,
    minLabels: config.minLabels,
    maxMs: 180_000,
    metric: config.metric,
    reason: 'the demo tries the first model (from before the drift) as a canary',
  });
  const lines = [
    `   an operator starts a canary of v1 (trained before the drift) against champion v${champion.version}:`,
  ];
  const ended = await waitForEvents(
    ctx,
    skip,
    (fresh) =>
      fresh.some(
        (e) =>
          (e.type === 'rollout.rolled-back' || e.type === 'model.promoted') && e.payload['version'] === '1',
      ),
    200_000,
  );
  for (const e of ended.events.filter((x) => x.type.startsWith('rollout.') || x.type === 'model.promoted')) {
    lines.push(eventLine(e));
  }
  lines.push(...decisionLines(ended.events));
  if (!ended.done)
    lines.push('   no decision within 200 s: bin/bankops rollout status shows the labels so far');
  return lines;
}
