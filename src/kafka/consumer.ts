import type { Consumer } from 'kafkajs';
import type { Logger } from '../logging/index.js';
import type { PipelineEvent } from './generated/types.js';
import { kafkajsOf, type KafkaClient } from './kafkajs.js';
import type { SchemaRegistry } from './registry.js';

export interface EventConsumerOptions {
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  /** Long handlers (training) need a longer session than the default, or the group evicts them. */
  sessionTimeoutMs?: number;
  onEvent(event: PipelineEvent, where: { partition: number; offset: string }): Promise<void>;
  log: Logger;
}

export interface RunningConsumer {
  close(): Promise<void>;
}

/**
 * Follows the pipeline events topic, one event at a time, committing after each handler returns
 * (at least once: handlers are written to tolerate a repeat). A handler that throws is logged and the
 * partition moves on; the handler reports its own failure as an event.
 */
export async function consumeEvents(
  kafka: KafkaClient,
  registry: SchemaRegistry,
  options: EventConsumerOptions,
): Promise<RunningConsumer> {
  const session = options.sessionTimeoutMs ?? 45_000;
  const consumer: Consumer = kafkajsOf(kafka).consumer({
    groupId: options.groupId,
    sessionTimeout: session,
    rebalanceTimeout: Math.max(60_000, session),
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
  // Resolve once the group has assigned partitions, so an event published after this returns is seen.
  const joined = new Promise<void>((resolve) => {
    const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
      remove();
      resolve();
    });
  });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (!message.value) return;
      let event: PipelineEvent;
      try {
        event = (await registry.decode(message.value)) as PipelineEvent;
      } catch (error) {
        options.log.warn({ partition, offset: message.offset, err: error }, 'undecodable event skipped');
        return;
      }
      try {
        await options.onEvent(event, { partition, offset: message.offset });
      } catch (error) {
        options.log.error({ type: event.type, err: error }, 'event handler failed');
      }
    },
  });
  await joined;
  return {
    async close() {
      await consumer.disconnect();
    },
  };
}
