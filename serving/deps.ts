import type { ServingConfig } from '../src/config/index.js';
import type { Logger } from '../src/logging/index.js';
import type { EventPublisher } from './events/publisher.js';
import type { ServingMetrics } from './metrics.js';
import type { ModelManager } from './model/manager.js';

/** What the app needs from the outside; tests build it with real parts pointed at their own names. */
export interface ServingDeps {
  config: ServingConfig;
  models: ModelManager;
  events: EventPublisher;
  metrics: ServingMetrics;
  log: Logger;
}
