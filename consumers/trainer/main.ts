import { eventPayload } from '../../src/kafka/events.js';
import { consumeEvents, type RunningConsumer } from '../../src/kafka/consumer.js';
import { BankopsError, errorMessage } from '../../src/errors/index.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { runTrainingSession } from '../../src/pipeline/train-session.js';
import type { TrainingOptions } from '../../src/training/index.js';
import type { TrainingSourceName } from '../../src/pipeline/training-set.js';
import { GROUP } from '../../topics/specs.js';

export interface TrainerOptions {
  training: Partial<TrainingOptions>;
  /** The workshop's incremental mode: train only on the rows since the champion's snapshot. */
  incremental?: boolean;
  /** Default: the configured BANKOPS_TRAIN_SOURCES (traffic may be empty). */
  sources?: TrainingSourceName[];
  groupId?: string;
}

/**
 * Follows retrain.requested: trains on the configured sources (bank.customers and the labelled traffic)
 * as of their current snapshots, with the holdout planned against the champion (the newest new rows,
 * which neither model learns from); registers a challenger and emits model.trained. When nothing was
 * added since the last training it emits retrain.skipped with the reason and registers nothing; a failure
 * emits retrain.failed with its cause and registers nothing.
 */
export async function startTrainer(ctx: PipelineContext, options: TrainerOptions): Promise<RunningConsumer> {
  return consumeEvents(ctx.kafka, ctx.registry, {
    groupId: options.groupId ?? GROUP.trainer,
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
          ...(options.sources ? { sources: options.sources, optionalSources: ['traffic'] } : {}),
          // a retraining on drift evidence learns from the traffic of the drifted period
          ...(typeof payload['trafficSince'] === 'string' &&
          Number.isFinite(Date.parse(payload['trafficSince']))
            ? { trafficSince: Date.parse(payload['trafficSince']) }
            : {}),
          ...(options.incremental && typeof payload['sinceSnapshotId'] === 'string'
            ? { sinceSnapshotId: payload['sinceSnapshotId'] }
            : {}),
        });
        if (outcome.status === 'skipped') {
          await ctx.emit(
            'retrain.skipped',
            {
              reason: outcome.reason,
              lastVersion: outcome.lastVersion,
              rows: outcome.rows,
              sources: outcome.sources,
            },
            event.correlation_id,
          );
          return;
        }
        await ctx.emit(
          'model.trained',
          {
            model: ctx.names.modelName,
            version: outcome.best.version,
            runId: outcome.best.runId,
            parentRunId: outcome.parentRunId,
            snapshotId: outcome.snapshotId,
            sources: outcome.sources,
            rows: outcome.rows,
            newRows: outcome.newRows,
            holdout: outcome.holdout,
            candidates: outcome.candidates.length,
            testRocAuc: outcome.best.metrics['test_roc_auc'] ?? null,
            testPrAuc: outcome.best.metrics['test_pr_auc'] ?? null,
          },
          event.correlation_id,
        );
      } catch (error) {
        ctx.log.error({ err: error }, 'retraining failed');
        await ctx.emit(
          'retrain.failed',
          { cause: errorMessage(error), code: error instanceof BankopsError ? error.code : 'INTERNAL' },
          event.correlation_id,
        );
      }
    },
  });
}
