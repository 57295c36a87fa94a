import { randomUUID } from 'node:crypto';
import type { PipelineEvent } from './generated/types.js';
import type { AvroProducer } from './producer.js';

export const PIPELINE_EVENTS_TOPIC = 'bank.pipeline-events.v1';

export type PipelineEventType =
  | 'batch.published'
  | 'batch.ingested'
  | 'retrain.requested'
  | 'retrain.deferred'
  | 'retrain.skipped'
  | 'retrain.failed'
  | 'model.trained'
  | 'model.promoted'
  | 'model.rejected'
  | 'rollout.started'
  | 'rollout.decided'
  | 'rollout.rolled-back'
  | 'drift.detected'
  | 'performance.degraded'
  | 'alert.fired'
  | 'alert.resolved';

export function pipelineEvent(
  type: PipelineEventType,
  component: string,
  payload: Record<string, unknown>,
  correlationId: string | null = null,
): PipelineEvent {
  return {
    event_id: randomUUID(),
    event_time: Date.now(),
    type,
    component,
    correlation_id: correlationId,
    payload_json: JSON.stringify(payload),
  };
}

export async function publishEvent(
  producer: AvroProducer,
  event: PipelineEvent,
  topic: string = PIPELINE_EVENTS_TOPIC,
): Promise<void> {
  await producer.send(topic, [{ key: event.correlation_id, value: event }]);
}

/** The event's payload, parsed (an event whose payload is not a JSON object yields {}). */
export function eventPayload(event: PipelineEvent): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(event.payload_json);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
