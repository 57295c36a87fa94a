import { randomUUID } from 'node:crypto';
import { kafkajsOf, type KafkaClient } from './kafkajs.js';
import type { SchemaRegistry } from './registry.js';

/** A message read back: its key and its decoded value. */
export interface ReadRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: unknown;
}

/**
 * Every decodable message of `topic` from the beginning up to its end offsets as they were at the call, in
 * partition order (a throwaway consumer group, deleted afterwards). Empty and undecodable values are left
 * out. Rejects when the end is not reached within `timeoutMs`.
 */
export async function readToEnd(
  client: KafkaClient,
  registry: SchemaRegistry,
  topic: string,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const kafka = kafkajsOf(client);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `bankops-read-${randomUUID()}`;
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const remaining = new Map(
      ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]),
    );
    const records: ReadRecord[] = [];
    if (remaining.size === 0) return records;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
          timeoutMs,
        );
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.value) {
              try {
                const value: unknown = await registry.decode(message.value);
                records.push({ partition, offset: message.offset, key: message.key, value });
              } catch {
                // not one of ours: left out
              }
            }
            if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return records;
  } finally {
    await admin.disconnect();
  }
}
