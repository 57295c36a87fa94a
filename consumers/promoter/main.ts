import { eventPayload } from '../../src/kafka/events.js';
import { consumeEvents, type RunningConsumer } from '../../src/kafka/consumer.js';
import { errorMessage } from '../../src/errors/index.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { promote } from '../../src/pipeline/promote.js';
import { finishRollout } from '../../src/pipeline/rollout.js';
import type { PromotionMetric, RolloutPolicy } from '../../src/registry/index.js';
import { GROUP } from '../../topics/specs.js';

export interface PromoterOptions {
  metric: PromotionMetric;
  floor: number;
  margin: number;
  /** What a challenger that passes the offline gate gets: the champion's place, or a shadow or canary. */
  rollout?: RolloutPolicy;
  groupId?: string;
}

/**
 * Follows model.trained: challenger against champion on the same fresh holdout, then promote, start a
 * rollout, or reject. Follows rollout.decided (the monitor, on live labels, or the time limit): promote or
 * roll back the challenger it names.
 */
export async function startPromoter(
  ctx: PipelineContext,
  options: PromoterOptions,
): Promise<RunningConsumer> {
  return consumeEvents(ctx.kafka, ctx.registry, {
    groupId: options.groupId ?? GROUP.promoter,
    topic: ctx.names.eventsTopic,
    fromBeginning: false,
    sessionTimeoutMs: 300_000,
    log: ctx.log,
    async onEvent(event) {
      const payload = eventPayload(event);
      if (event.type === 'rollout.decided') {
        const action = payload['action'];
        if (action !== 'promote' && action !== 'rollback') return;
        await finishRollout(ctx, {
          action,
          reason: String(payload['reason'] ?? ''),
          by: payload['by'] === 'time-limit' ? 'time-limit' : 'labels',
          comparison: (payload['comparison'] as Record<string, unknown> | null | undefined) ?? null,
          ...(typeof payload['version'] === 'string' ? { version: payload['version'] } : {}),
          correlationId: event.correlation_id,
        });
        return;
      }
      if (event.type !== 'model.trained') return;
      const version = payload['version'];
      try {
        await promote(ctx, {
          ...(typeof version === 'string' ? { version } : {}),
          metric: options.metric,
          floor: options.floor,
          margin: options.margin,
          ...(options.rollout ? { rollout: options.rollout } : {}),
          correlationId: event.correlation_id,
        });
      } catch (error) {
        await ctx.emit(
          'model.rejected',
          { version: version ?? null, reason: `evaluation failed: ${errorMessage(error)}` },
          event.correlation_id,
        );
      }
    },
  });
}
