import type { Admin, Kafka } from 'kafkajs';

declare const opaque: unique symbol;

/**
 * A Kafka connection as the rest of bankops holds it: a handle that only src/kafka's functions open (a
 * kafkajs client inside). Nothing outside this folder can call kafkajs through it, so swapping the client
 * (or adding SASL/TLS) touches this folder alone; eslint.config.js keeps this file and kafkajs itself
 * out of reach of other folders.
 */
export interface KafkaClient {
  readonly [opaque]: 'KafkaClient';
}

/** The handle of a kafkajs client (src/kafka/client.ts makes them). */
export function handleOf(kafka: Kafka): KafkaClient {
  return kafka as unknown as KafkaClient;
}

/** The kafkajs client behind a handle, for src/kafka's own modules. */
export function kafkajsOf(client: KafkaClient): Kafka {
  return client as unknown as Kafka;
}

/** Runs `use` with a connected admin client, disconnected afterwards. */
export async function withAdmin<T>(client: KafkaClient, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkajsOf(client).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
