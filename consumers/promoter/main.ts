import { eventPayload } from '../../src/kafka/events.js';
import { consumeEvents, type RunningConsumer } from '../../src/kafka/consumer.js';
import { errorMessage } from '../../src/errors/index.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { promote } from '../../src/pipeline/promote.js';
import type { PromotionMetric } from '../../src/registry/index.js';

export const PROMOTER_GROUP = 'bankops-promoter';

export interface PromoterOptions {
  metric: PromotionMetric;
  floor: number;
  margin: number;
  groupId?: string;
}

/** Follows model.trained: challenger against champion on the same fresh holdout, then promote or reject. */
export async function startPromoter(
  ctx: PipelineContext,
  options: PromoterOptions,
): Promise<RunningConsumer> {
  return consumeEvents(ctx.kafka, ctx.registry, {
    groupId: options.groupId ?? PROMOTER_GROUP,
    topic: ctx.names.eventsTopic,
    fromBeginning: false,
    sessionTimeoutMs: 300_000,
    log: ctx.log,
    async onEvent(event) {
      if (event.type !== 'model.trained') return;
      const version = eventPayload(event)['version'];
      try {
        await promote(ctx, {
          ...(typeof version === 'string' ? { version } : {}),
          metric: options.metric,
          floor: options.floor,
          margin: options.margin,
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
