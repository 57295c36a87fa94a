import type { Config } from '../src/config/index.js';
import { createKafka } from '../src/kafka/client.js';
import { createRegistry } from '../src/kafka/registry.js';
import type { Logger } from '../src/logging/index.js';
import { MlflowClient } from '../src/registry/index.js';
import type { ServingDeps } from './deps.js';
import { EventPublisher } from './events/publisher.js';
import { createServingMetrics } from './metrics.js';
import { followModelEvents, type Follower } from './model/follow.js';
import { mlflowLoader } from './model/loader.js';
import { ModelManager } from './model/manager.js';

export interface RunningDeps extends ServingDeps {
  follower: Follower;
  /** Stops following, flushes and closes the producer, frees the models. */
  close(): Promise<void>;
}

/** How long startup waits for the event consumer to join before going on (polling covers the rest). */
const JOIN_WAIT_MS = 30_000;

/**
 * The real dependencies: MLflow for the models, Kafka for the events. The first load happens here; if
 * MLflow or Kafka is down, the process still starts (GET /ready says why) and keeps trying.
 */
export async function createServingDeps(config: Config, log: Logger): Promise<RunningDeps> {
  const serving = config.serving;
  const metrics = createServingMetrics();
  const kafka = createKafka(config, 'bankops-serving');
  const registry = createRegistry(config);
  const events = new EventPublisher({
    kafka,
    registry,
    topics: serving.topics,
    predictionEvents: serving.events,
    timeoutMs: serving.publishTimeoutMs,
    metrics,
    log: log.child({ part: 'events' }),
  });
  // Few, short retries: a poll that cannot reach MLflow should give up quickly and keep the cached model.
  const mlflow = new MlflowClient(config, {
    log,
    timeoutMs: 10_000,
    retry: { retries: 2, maxRetryTimeMs: 2_000 },
  });
  const models = new ModelManager({
    mlflow,
    modelName: serving.modelName,
    // the challenger is loaded when a rollout in the registry (or serving's own A/B or shadow setting) needs it
    roles: ['champion', 'challenger'],
    fallback: { mode: serving.mode, share: serving.abShare },
    loader: mlflowLoader(mlflow, log),
    metrics,
    log: log.child({ part: 'models' }),
  });
  await Promise.all([events.start(), models.refresh()]);
  models.startPolling(serving.pollMs);
  const follower = followModelEvents({
    kafka,
    registry,
    topic: serving.topics.pipelineEvents,
    manager: models,
    log: log.child({ part: 'follow' }),
  });
  let wait: NodeJS.Timeout | undefined;
  await Promise.race([follower.joined, new Promise((resolve) => (wait = setTimeout(resolve, JOIN_WAIT_MS)))]);
  clearTimeout(wait);
  return {
    config: serving,
    models,
    events,
    metrics,
    log,
    follower,
    async close() {
      await follower
        .close()
        .catch((error: unknown) => log.warn({ err: error }, 'closing the event consumer failed'));
      await events.close();
      await models.close();
    },
  };
}
