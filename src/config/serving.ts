import { z } from 'zod';
import { anyPort, onOff, port, seconds, text } from './fields.js';

/** The model serving API (serving/). */
export const servingEnv = z.object({
  BANKOPS_SERVING_PORT: port(8000),
  BANKOPS_SERVING_HOST: z.string().min(1).optional(),
  /** sha256 (hex) of each accepted API key, comma-separated; the keys themselves are never stored. */
  BANKOPS_SERVING_API_KEYS: z
    .string()
    .default('')
    .refine(
      (v) => v.split(',').every((k) => k.trim() === '' || /^[0-9a-fA-F]{64}$/.test(k.trim())),
      'each entry must be the sha256 hex digest (64 hex digits) of an API key, not the key itself',
    ),
  /** `off` serves without API keys; only honoured when set explicitly. */
  BANKOPS_SERVING_AUTH: onOff('on'),
  BANKOPS_SERVING_MODEL: text('bank-marketing'),
  BANKOPS_SERVING_MODE: z.enum(['champion', 'ab', 'shadow']).default('champion'),
  /** Share of customers (by hashed customer key) the challenger answers in `ab` mode. */
  BANKOPS_SERVING_AB_SHARE: z.coerce.number().min(0).max(1).default(0.1),
  BANKOPS_SERVING_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).default(1000),
  BANKOPS_SERVING_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /** Safety net besides model.promoted events: the aliases are re-read this often. */
  BANKOPS_SERVING_POLL_S: z.coerce.number().int().min(1).max(86_400).default(30),
  /** `off` skips publishing prediction events (benchmark comparison only: answers leave no trace). */
  BANKOPS_SERVING_EVENTS: onOff('on'),
  /** A request fails with 503 when its prediction event is not acknowledged within this time. */
  BANKOPS_SERVING_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  BANKOPS_SERVING_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /** With several workers, the primary serves their aggregated /metrics here (0: serving port + 1). */
  BANKOPS_SERVING_METRICS_PORT: anyPort(0),
  /** `off`: do not announce the process to Prometheus (throwaway test servers). */
  BANKOPS_SERVING_SCRAPE_TARGET: onOff('on'),
  BANKOPS_SERVING_PREDICTIONS_TOPIC: text('bank.predictions.v1'),
  BANKOPS_SERVING_GROUND_TRUTH_TOPIC: text('bank.ground-truth.v1'),
  BANKOPS_SERVING_EVENTS_TOPIC: text('bank.pipeline-events.v1'),
});

/** Serving's settings; `host` is BANKOPS_HOST unless BANKOPS_SERVING_HOST says otherwise. */
export function servingConfig(e: z.infer<typeof servingEnv>, host: string) {
  return {
    port: e.BANKOPS_SERVING_PORT,
    host: e.BANKOPS_SERVING_HOST ?? host,
    /** Lower-case hex sha256 digests of the accepted API keys. */
    apiKeyHashes: e.BANKOPS_SERVING_API_KEYS.split(',')
      .map((k) => k.trim().toLowerCase())
      .filter(Boolean),
    auth: e.BANKOPS_SERVING_AUTH,
    modelName: e.BANKOPS_SERVING_MODEL,
    mode: e.BANKOPS_SERVING_MODE,
    abShare: e.BANKOPS_SERVING_AB_SHARE,
    maxBatch: e.BANKOPS_SERVING_MAX_BATCH,
    bodyLimit: e.BANKOPS_SERVING_BODY_LIMIT,
    pollMs: seconds(e.BANKOPS_SERVING_POLL_S),
    events: e.BANKOPS_SERVING_EVENTS === 'on',
    publishTimeoutMs: e.BANKOPS_SERVING_PUBLISH_TIMEOUT_MS,
    workers: e.BANKOPS_SERVING_WORKERS,
    metricsPort: e.BANKOPS_SERVING_METRICS_PORT,
    scrapeTarget: e.BANKOPS_SERVING_SCRAPE_TARGET === 'on',
    topics: {
      predictions: e.BANKOPS_SERVING_PREDICTIONS_TOPIC,
      groundTruth: e.BANKOPS_SERVING_GROUND_TRUTH_TOPIC,
      pipelineEvents: e.BANKOPS_SERVING_EVENTS_TOPIC,
    },
  };
}

export type ServingConfig = ReturnType<typeof servingConfig>;
