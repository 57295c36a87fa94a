import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from '../../src/kafka/client.js';
import { consumeEvents, type RunningConsumer } from '../../src/kafka/consumer.js';
import { eventPayload } from '../../src/kafka/events.js';
import type { SchemaRegistry } from '../../src/kafka/registry.js';
import type { Logger } from '../../src/logging/index.js';
import type { ModelManager } from './manager.js';

/** Events after which an alias or a rollout may have moved (promotion, rollback, a new challenger, a split). */
const ALIAS_EVENTS = new Set([
  'model.promoted',
  'model.trained',
  'model.rejected',
  'rollout.started',
  'rollout.rolled-back',
]);
const RETRY_MS = 10_000;

export interface Follower {
  /** Resolves once the consumer has joined its group (or gave up for now: polling still works). */
  joined: Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Follows the pipeline events topic from its end with a consumer group of its own (every process must
 * see every event), and refreshes the models when one concerns the served model. If Kafka is not
 * reachable, it retries in the background; the alias poll covers the gap.
 */
export function followModelEvents(options: {
  kafka: KafkaClient;
  registry: SchemaRegistry;
  topic: string;
  manager: ModelManager;
  log: Logger;
}): Follower {
  const { manager, log } = options;
  // pid alone is not unique when tests build several apps in one process.
  const groupId = `bankops-serving-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  let consumer: RunningConsumer | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const start = async (): Promise<boolean> => {
    try {
      const running = await consumeEvents(options.kafka, options.registry, {
        groupId,
        topic: options.topic,
        fromBeginning: false,
        log,
        onEvent: async (event) => {
          if (!ALIAS_EVENTS.has(event.type)) return;
          const payload = eventPayload(event);
          if (payload['model'] !== manager.modelName) return;
          log.info({ type: event.type, version: payload['version'] }, 'model event: re-reading the aliases');
          await manager.refresh();
        },
      });
      if (closed) await running.close();
      else consumer = running;
      return true;
    } catch (error) {
      log.warn({ err: error, retryMs: RETRY_MS }, 'cannot follow model events yet; polling covers it');
      if (!closed) {
        retry = setTimeout(() => void start(), RETRY_MS);
        retry.unref();
      }
      return false;
    }
  };

  return {
    joined: start(),
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await consumer?.close();
    },
  };
}
