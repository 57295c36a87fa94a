import type { DeadLetter } from './generated/types.js';
import type { AvroProducer } from './producer.js';

/** A consumed message's coordinates and bytes, as a dead letter records them. */
export interface SourceMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string | null;
  key: Buffer | null;
  value: Buffer | null;
}

/** The dead-letter topic of a topic (topics/specs.ts declares `<topic>.dlq` next to each input topic). */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** The DeadLetter record (topics/schemas/dead-letter.avsc) for a message that could not be used. */
export function deadLetterRecord(
  message: SourceMessage,
  code: string,
  reason: string,
  component: string,
): DeadLetter {
  return {
    reason,
    error_code: code,
    source_topic: message.topic,
    source_partition: message.partition,
    source_offset: message.offset,
    source_timestamp: message.timestamp,
    key: message.key,
    value: message.value,
    failed_at: Date.now(),
    component,
  };
}

/** Publishes the dead letter to `<topic>.dlq`, keyed like the original (acks=all). */
export async function sendDeadLetter(
  producer: AvroProducer,
  message: SourceMessage,
  code: string,
  reason: string,
  component: string,
): Promise<void> {
  await producer.send(deadLetterTopic(message.topic), [
    {
      key: message.key?.toString('utf8') ?? null,
      value: deadLetterRecord(message, code, reason, component),
    },
  ]);
}
