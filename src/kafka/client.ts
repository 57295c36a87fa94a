import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Config } from '../config/index.js';
import { RETRY_POLICY } from '../errors/retry.js';
import { logger } from '../logging/index.js';
import { handleOf, type KafkaClient } from './kafkajs.js';

export type { KafkaClient } from './kafkajs.js';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through our pino logger, tagged `component: kafka`. */
const pinoLogCreator: logCreator = () => {
  const log = logger('kafka');
  return ({ level, log: entry }: LogEntry) => {
    const { message, ...rest } = entry;
    // Retries are bounded on purpose (a producer that retries forever hangs its caller); a send that
    // gives up fails loudly, so kafkajs's warning about it adds nothing.
    if (message.startsWith('Limiting retries for the idempotent producer')) return;
    log[LEVELS[level] ?? 'info'](rest, message);
  };
};

/**
 * The only place that constructs bankops' kafkajs client. Everything else passes the handle to src/kafka's
 * functions, so that replacing kafkajs (unmaintained since 2023) touches this folder alone.
 */
export function createKafka(config: Config, clientId: string): KafkaClient {
  const kafka = new Kafka({
    clientId,
    brokers: config.kafka.brokers,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator,
    retry: {
      initialRetryTime: RETRY_POLICY.initialRetryTimeMs,
      maxRetryTime: RETRY_POLICY.maxRetryTimeMs,
      multiplier: RETRY_POLICY.multiplier,
      retries: RETRY_POLICY.retries,
      factor: RETRY_POLICY.jitter,
    },
  });
  return handleOf(kafka);
}
