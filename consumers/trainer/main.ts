import { eventPayload } from '../../src/kafka/events.js';
import { consumeEvents, type RunningConsumer } from '../../src/kafka/consumer.js';
import { BankopsError, errorMessage } from '../../src/errors/index.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { runTrainingSession } from '../../src/pipeline/train-session.js';
import type { TrainingOptions } from '../../src/training/index.js';

export const TRAINER_GROUP = 'bankops-trainer';

export interface TrainerOptions {
  training: Partial<TrainingOptions>;
  /** The workshop's incremental mode: train only on the rows since the champion's snapshot. */
  incremental?: boolean;
  groupId?: string;
}

/**
 * Follows retrain.requested: trains on all the data up to the current snapshot with the workshop's
 * stratified split, so the challenger learns from the new rows too and the promoter compares both models
 * on the new rows of its test part (which neither trained on); registers a challenger, emits model.trained;
 * a failure emits retrain.failed with its cause and registers nothing.
 */
export async function startTrainer(ctx: PipelineContext, options: TrainerOptions): Promise<RunningConsumer> {
  return consumeEvents(ctx.kafka, ctx.registry, {
    groupId: options.groupId ?? TRAINER_GROUP,
    topic: ctx.names.eventsTopic,
    fromBeginning: false,
    sessionTimeoutMs: 600_000,
    log: ctx.log,
    async onEvent(event) {
      if (event.type !== 'retrain.requested') return;
      const payload = eventPayload(event);
      try {
        const outcome = await runTrainingSession(ctx, {
          trigger: String(payload['trigger'] ?? 'requested'),
          correlationId: event.correlation_id ?? undefined,
          options: { ...options.training },
          ...(options.incremental && typeof payload['sinceSnapshotId'] === 'string'
            ? { sinceSnapshotId: payload['sinceSnapshotId'] }
            : {}),
        });
        await ctx.emit(
          'model.trained',
          {
            model: ctx.names.modelName,
            version: outcome.best.version,
            runId: outcome.best.runId,
            parentRunId: outcome.parentRunId,
            snapshotId: outcome.snapshotId,
            rows: outcome.rows,
            candidates: outcome.candidates.length,
            testRocAuc: outcome.best.metrics['test_roc_auc'] ?? null,
            testPrAuc: outcome.best.metrics['test_pr_auc'] ?? null,
          },
          event.correlation_id,
        );
      } catch (error) {
        await ctx.emit(
          'retrain.failed',
          { cause: errorMessage(error), code: error instanceof BankopsError ? error.code : 'INTERNAL' },
          event.correlation_id,
        );
      }
    },
  });
}
