import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'bankops_serving_';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Every metric the serving process exports, on its own registry (tests build several apps). */
export interface ServingMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status_code'>;
  httpDuration: Histogram<'route' | 'method' | 'status_code'>;
  scoringDuration: Histogram<'variant'>;
  scoredRows: Histogram<'variant'>;
  predictions: Counter<'decision' | 'model_version' | 'variant'>;
  modelInfo: Gauge<'model' | 'variant' | 'model_version'>;
  modelLoadedAt: Gauge<'role'>;
  swaps: Counter<'role'>;
  loadFailures: Counter<'variant'>;
  pollFailures: Counter;
  publishDuration: Histogram<'topic'>;
  publishBatchSize: Histogram<'topic'>;
  publishFailures: Counter<'topic'>;
  unknownCategories: Counter<'field'>;
}

export function createServingMetrics(): ServingMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const p = (name: string) => `${METRIC_PREFIX}${name}`;
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: p('http_requests_total'),
      help: 'HTTP requests answered, by route template, method and status',
      labelNames: ['route', 'method', 'status_code'],
      registers,
    }),
    httpDuration: new Histogram({
      name: p('http_request_duration_seconds'),
      help: 'HTTP request latency from arrival to the last byte, by route template, method and status',
      labelNames: ['route', 'method', 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    scoringDuration: new Histogram({
      name: p('scoring_duration_seconds'),
      help: 'Encoding and XGBoost prediction time per scored batch',
      labelNames: ['variant'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    scoredRows: new Histogram({
      name: p('scoring_batch_rows'),
      help: 'Rows per scored batch',
      labelNames: ['variant'],
      buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000],
      registers,
    }),
    predictions: new Counter({
      name: p('predictions_total'),
      help: 'Answered predictions, by decision, model version and variant (shadow: not answered, only logged)',
      labelNames: ['decision', 'model_version', 'variant'],
      registers,
    }),
    modelInfo: new Gauge({
      name: p('model_info'),
      help: 'The model versions being served: 1 per role (champion, challenger)',
      labelNames: ['model', 'variant', 'model_version'],
      registers,
    }),
    modelLoadedAt: new Gauge({
      name: p('model_loaded_timestamp_seconds'),
      help: 'When the served model of each role was loaded',
      labelNames: ['role'],
      registers,
    }),
    swaps: new Counter({
      name: p('model_swaps_total'),
      help: 'Model versions swapped in (the first load counts too)',
      labelNames: ['role'],
      registers,
    }),
    loadFailures: new Counter({
      name: p('model_load_failures_total'),
      help: 'Model versions refused because their bundle failed to download, load or validate',
      labelNames: ['variant'],
      registers,
    }),
    pollFailures: new Counter({
      name: p('registry_poll_failures_total'),
      help: 'Alias polls that could not reach MLflow (the cached model keeps serving)',
      registers,
    }),
    publishDuration: new Histogram({
      name: p('event_publish_duration_seconds'),
      help: 'Time from handing a batch of events to Kafka to its acknowledgement (acks=all)',
      labelNames: ['topic'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    publishBatchSize: new Histogram({
      name: p('event_publish_batch_messages'),
      help: 'Messages per Kafka send',
      labelNames: ['topic'],
      buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000],
      registers,
    }),
    publishFailures: new Counter({
      name: p('event_publish_failures_total'),
      help: 'Events that could not be published (their requests failed with 503)',
      labelNames: ['topic'],
      registers,
    }),
    unknownCategories: new Counter({
      name: p('unknown_category_total'),
      help: 'Records refused because a category is unknown to the model, by field',
      labelNames: ['field'],
      registers,
    }),
  };
}
