import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { withLake } from '../../lake/duckdb.js';
import { quoteLiteral } from '../../lake/duckdb.js';
import { tableRef } from '../../lake/snapshots.js';
import type { PipelineContext } from '../../pipeline/context.js';
import type { HistoryEntry } from '../../pipeline/history.js';
import { eventCount, waitForEvents } from './events.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/**
 * What the learning loop did, in the lines an analyst wants: for each decision, both models' ROC-AUC on
 * the held-out labelled traffic (the clients as they are now) beside the gate's interval.
 */
export function decisionLines(events: readonly HistoryEntry[]): string[] {
  const lines: string[] = [];
  for (const e of events) {
    if (e.type !== 'model.promoted' && e.type !== 'model.rejected') continue;
    const traffic = e.payload['traffic'] as
      { rows: number; positives: number; candidate: number; champion: number | null } | null | undefined;
    const holdout = e.payload['holdout'] as { rows?: number; traffic?: number } | undefined;
    const version = String(e.payload['version']);
    const champion = e.payload['champion'];
    if (traffic && champion !== null && champion !== undefined) {
      lines.push(
        `   held-out traffic (${traffic.rows} labelled clients, ${traffic.positives} subscribed, neither model trained on them): ROC-AUC v${String(champion)} ${fmt(traffic.champion)} → v${version} ${fmt(traffic.candidate)}`,
      );
    } else if (holdout?.rows !== undefined) {
      lines.push(`   holdout: ${holdout.rows} rows (${holdout.traffic ?? 0} from traffic)`);
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
