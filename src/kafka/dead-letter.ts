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
  await sendDeadLetters(producer, [{ message, code, reason }], component);
}

export interface DeadLetterRequest {
  message: SourceMessage;
  code: string;
  reason: string;
}

/** Publishes several dead letters with one produce request per dead-letter topic, in order. */
export async function sendDeadLetters(
  producer: AvroProducer,
  letters: readonly DeadLetterRequest[],
  component: string,
): Promise<void> {
  const byTopic = new Map<string, DeadLetterRequest[]>();
  for (const letter of letters) {
    const topic = deadLetterTopic(letter.message.topic);
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [letter]);
    else list.push(letter);
  }
  for (const [topic, list] of byTopic) {
    await producer.send(
      topic,
      list.map(({ message, code, reason }) => ({
        key: message.key?.toString('utf8') ?? null,
        value: deadLetterRecord(message, code, reason, component),
      })),
    );
  }
}
