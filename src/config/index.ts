import path from 'node:path';
import { z } from 'zod';
import { BankopsError } from '../errors/index.js';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optionalUrl = z.string().url().optional();

/**
 * Every setting bankops reads, with its default. This module is the only one that reads `process.env`;
 * the rest of the code receives a typed `Config`.
 */
const schema = z.object({
  BANKOPS_HOME: z.string().min(1).default('./.bankops'),
  BANKOPS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BANKOPS_HOST: z.string().min(1).default('127.0.0.1'),
  BANKOPS_KAFKA_PORT: port(9092),
  BANKOPS_KAFKA_CONTROLLER_PORT: port(9094),
  BANKOPS_REGISTRY_PORT: port(8081),
  BANKOPS_CATALOG_PORT: port(8181),
  BANKOPS_MLFLOW_PORT: port(5000),
  BANKOPS_PROMETHEUS_PORT: port(9090),
  BANKOPS_ALERTMANAGER_PORT: port(9093),
  BANKOPS_ALERTMANAGER_CLUSTER_PORT: port(9095),
  /** Where bankops receives Alertmanager's webhook notifications. */
  BANKOPS_ALERT_WEBHOOK_PORT: port(9099),
  BANKOPS_ALERT_WEBHOOK_URL: optionalUrl,
  /** External services: set these to use a cluster instead of the local stack. */
  BANKOPS_KAFKA_BROKERS: z.string().optional(),
  BANKOPS_SCHEMA_REGISTRY_URL: optionalUrl,
  BANKOPS_CATALOG_URL: optionalUrl,
  /** The Iceberg warehouse name DuckDB passes when it attaches the REST catalog. */
  BANKOPS_CATALOG_WAREHOUSE: z.string().min(1).default('bankops'),
  BANKOPS_MLFLOW_URL: optionalUrl,
  BANKOPS_PROMETHEUS_URL: optionalUrl,
  BANKOPS_ALERTMANAGER_URL: optionalUrl,
  BANKOPS_JAVA: z.string().min(1).default('java'),
  BANKOPS_MVN: z.string().min(1).default('mvn'),
  BANKOPS_PYTHON: z.string().min(1).default('python3'),
  BANKOPS_PROMETHEUS_BIN: z.string().min(1).default('/usr/bin/prometheus'),
  BANKOPS_ALERTMANAGER_BIN: z.string().min(1).default('/usr/bin/prometheus-alertmanager'),
  BANKOPS_XGBOOST_LIB: z.string().optional(),
  BANKOPS_DATA_URL: z
    .string()
    .url()
    .default('https://archive.ics.uci.edu/static/public/222/bank+marketing.zip'),
  /** The lake writer flushes a micro-batch at this many messages or this age, whichever comes first. */
  BANKOPS_LAKE_MAX_BATCH_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  BANKOPS_LAKE_MAX_BATCH_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  /** The lake writer's /metrics port (0: any free port). */
  BANKOPS_LAKE_WRITER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  /** Retraining and promotion. */
  BANKOPS_RETRAIN_THRESHOLD_ROWS: z.coerce.number().int().min(1).default(10_000),
  /** After a retraining triggered by monitoring evidence, no other for this long. */
  BANKOPS_RETRAIN_COOLDOWN_S: z.coerce.number().int().min(0).default(600),
  BANKOPS_PROMOTION_METRIC: z.enum(['roc_auc', 'pr_auc', 'f1', 'accuracy', 'profit']).default('roc_auc'),
  /** Evidence of drift waits until this many labelled rows of the drifted period are in the lake. */
  BANKOPS_RETRAIN_MIN_DRIFT_LABELS: z.coerce.number().int().min(1).default(1000),
  BANKOPS_PROMOTION_FLOOR: z.coerce.number().default(0.7),
  /** The interval's lower bound of (challenger − champion) must exceed this: 0 = significantly better. */
  BANKOPS_PROMOTION_MARGIN: z.coerce.number().min(0).default(0),
  /** The paired bootstrap of the promotion gate: replicates and confidence level. */
  BANKOPS_PROMOTION_BOOTSTRAP: z.coerce.number().int().min(100).max(100_000).default(1000),
  BANKOPS_PROMOTION_CONFIDENCE: z.coerce.number().gt(0.5).lt(1).default(0.95),
  /** A holdout smaller than this (or with one class only) decides nothing. */
  BANKOPS_PROMOTION_MIN_HOLDOUT: z.coerce.number().int().min(10).default(200),
  /** After the offline gate: promote at once, or let live labels decide (shadow or canary). */
  BANKOPS_ROLLOUT: z.enum(['direct', 'shadow', 'canary']).default('direct'),
  /** The share of customers (sticky by customer key) a canary answers. */
  BANKOPS_ROLLOUT_SHARE: z.coerce.number().gt(0).lt(1).default(0.1),
  /** Labelled predictions per arm (canary) or labelled pairs (shadow) before the rollout is decided. */
  BANKOPS_ROLLOUT_MIN_LABELS: z.coerce.number().int().min(20).default(300),
  /** An undecided rollout is rolled back after this long. */
  BANKOPS_ROLLOUT_MAX_S: z.coerce.number().int().min(10).default(3600),
  /** What the rollout decides on (default: BANKOPS_PROMOTION_METRIC). */
  BANKOPS_ROLLOUT_METRIC: z.enum(['roc_auc', 'pr_auc', 'f1', 'accuracy', 'profit']).optional(),
  /** XGBoost threads per training, and how many grid candidates the trainer runs (all 18 when unset). */
  BANKOPS_XGBOOST_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  BANKOPS_TRAIN_GRID_LIMIT: z.coerce.number().int().min(1).max(18).optional(),
  /** What the trainer learns from: the customers table, the labelled traffic, or both. */
  BANKOPS_TRAIN_SOURCES: z
    .string()
    .default('customers,traffic')
    .refine((v) => {
      const parts = v.split(',').map((p) => p.trim());
      return parts.length > 0 && parts.every((p) => p === 'customers' || p === 'traffic');
    }, 'a comma-separated list of customers and traffic'),
  /** Labelled traffic older than this (before the predictions snapshot) is not trained on. */
  BANKOPS_TRAIN_TRAFFIC_WINDOW_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 86_400),
  /** How much one labelled traffic row weighs against one customers row (recent behaviour counts more). */
  BANKOPS_TRAIN_TRAFFIC_WEIGHT: z.coerce.number().positive().max(1000).default(10),
  /** The stable share of customers set aside for simulated clients: never trained on from bank.customers. */
  BANKOPS_SIMULATION_RESERVE: z.coerce.number().min(0).max(0.5).default(0.1),
  /** How training picks a model's decision threshold (on validation rows): best F1, or most profit. */
  BANKOPS_THRESHOLD_OBJECTIVE: z.enum(['f1', 'profit']).default('f1'),
  /** Campaign economics: what a call costs and what a subscription is worth (EUR). */
  BANKOPS_COST_PER_CALL: z.coerce.number().min(0).default(5),
  BANKOPS_VALUE_PER_SUBSCRIPTION: z.coerce.number().min(0).default(100),
  BANKOPS_STARTUP_TIMEOUT_S: z.coerce.number().int().min(5).max(3600).default(180),
  /** The model serving API (serving/). */
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
  BANKOPS_SERVING_AUTH: z.enum(['on', 'off']).default('on'),
  BANKOPS_SERVING_MODEL: z.string().min(1).default('bank-marketing'),
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
  BANKOPS_SERVING_EVENTS: z.enum(['on', 'off']).default('on'),
  /** A request fails with 503 when its prediction event is not acknowledged within this time. */
  BANKOPS_SERVING_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  BANKOPS_SERVING_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /** With several workers, the primary serves their aggregated /metrics here (0: serving port + 1). */
  BANKOPS_SERVING_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** `off`: do not announce the process to Prometheus (throwaway test servers). */
  BANKOPS_SERVING_SCRAPE_TARGET: z.enum(['on', 'off']).default('on'),
  BANKOPS_SERVING_PREDICTIONS_TOPIC: z.string().min(1).default('bank.predictions.v1'),
  BANKOPS_SERVING_GROUND_TRUTH_TOPIC: z.string().min(1).default('bank.ground-truth.v1'),
  BANKOPS_SERVING_EVENTS_TOPIC: z.string().min(1).default('bank.pipeline-events.v1'),
  /** The monitoring consumer (consumers/monitor): how often it recomputes, and what it alerts on. */
  BANKOPS_MONITOR_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(10),
  /** Labels later than this after their prediction are rejected (expired); also the restart replay span. */
  BANKOPS_MONITOR_HORIZON_S: z.coerce.number().int().min(1).default(86_400),
  BANKOPS_MONITOR_LAST_N: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  BANKOPS_MONITOR_MIN_LABELS: z.coerce.number().int().min(1).default(100),
  BANKOPS_MONITOR_ACCURACY_FLOOR: z.coerce.number().min(0).max(1).default(0.8),
  BANKOPS_MONITOR_F1_FLOOR: z.coerce.number().min(0).max(1).default(0.3),
  /** performance.degraded also when accuracy or F1 falls this far (absolute) below the bundle's test score. */
  BANKOPS_MONITOR_MAX_DROP: z.coerce.number().min(0).max(1).default(0.1),
  /** No second drift.detected / performance.degraded for the same model version within this time. */
  BANKOPS_MONITOR_COOLDOWN_S: z.coerce.number().int().min(0).default(600),
  /** Rows appended to bank.monitoring_metrics at most this often (one Iceberg commit each). */
  BANKOPS_MONITOR_HISTORY_S: z.coerce.number().min(0.1).default(60),
  /** Which sample size picks test vs distance (see src/monitoring/drift.ts); `reference`: Evidently's rule. */
  BANKOPS_MONITOR_DRIFT_SIZE_BASIS: z.enum(['current', 'reference']).default('reference'),
  /** Fewer recent predictions than this per (version, variant): no drift verdict (distances are noisy). */
  BANKOPS_MONITOR_DRIFT_MIN_SAMPLES: z.coerce.number().int().min(1).default(200),
  BANKOPS_MONITOR_GROUP: z.string().min(1).default('bankops-monitor'),
  BANKOPS_MONITOR_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config {
  home: string;
  logLevel: RawConfig['BANKOPS_LOG_LEVEL'];
  host: string;
  ports: {
    kafka: number;
    kafkaController: number;
    registry: number;
    catalog: number;
    mlflow: number;
    prometheus: number;
    alertmanager: number;
    alertmanagerCluster: number;
    alertWebhook: number;
  };
  kafka: { brokers: string[] };
  urls: {
    schemaRegistry: string;
    catalog: string;
    mlflow: string;
    prometheus: string;
    alertmanager: string;
    /** Alertmanager's webhook receiver (served by bankops itself). */
    alertWebhook: string;
  };
  /** The Iceberg lake: the warehouse name given to the REST catalog. */
  lake: { warehouse: string };
  lakeWriter: { maxBatchRows: number; maxBatchMs: number; metricsPort: number };
  retrain: { thresholdRows: number; cooldownMs: number; minDriftLabels: number };
  training: {
    threads: number;
    gridLimit: number | undefined;
    sources: Array<'customers' | 'traffic'>;
    thresholdObjective: RawConfig['BANKOPS_THRESHOLD_OBJECTIVE'];
    trafficWindowMs: number;
    trafficWeight: number;
    /** The share of customer groups reserved for simulation (never trained on from bank.customers). */
    reserve: number;
  };
  promotion: {
    metric: RawConfig['BANKOPS_PROMOTION_METRIC'];
    floor: number;
    margin: number;
    replicates: number;
    confidence: number;
    minHoldout: number;
  };
  rollout: {
    policy: RawConfig['BANKOPS_ROLLOUT'];
    share: number;
    minLabels: number;
    maxMs: number;
    metric: RawConfig['BANKOPS_PROMOTION_METRIC'];
  };
  economics: { costPerCall: number; valuePerSubscription: number };
  bins: { java: string; mvn: string; python: string; prometheus: string; alertmanager: string };
  xgboostLib: string | undefined;
  dataUrl: string;
  startupTimeoutMs: number;
  serving: ServingConfig;
  monitor: MonitorConfig;
  /** The folder of the repository (where package.json lives). */
  repoRoot: string;
}

export interface MonitorConfig {
  intervalMs: number;
  horizonMs: number;
  lastN: number;
  minLabels: number;
  accuracyFloor: number;
  f1Floor: number;
  maxDrop: number;
  cooldownMs: number;
  historyIntervalMs: number;
  driftSizeBasis: 'current' | 'reference';
  driftMinSamples: number;
  groupId: string;
  metricsPort: number;
}

export interface ServingConfig {
  port: number;
  host: string;
  /** Lower-case hex sha256 digests of the accepted API keys. */
  apiKeyHashes: string[];
  auth: 'on' | 'off';
  modelName: string;
  mode: RawConfig['BANKOPS_SERVING_MODE'];
  abShare: number;
  maxBatch: number;
  bodyLimit: number;
  pollMs: number;
  events: boolean;
  publishTimeoutMs: number;
  workers: number;
  metricsPort: number;
  scrapeTarget: boolean;
  topics: { predictions: string; groundTruth: string; pipelineEvents: string };
}

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = issue?.path.join('.') ?? 'environment';
    const value = typeof issue?.path[0] === 'string' ? env[issue.path[0]] : undefined;
    throw new BankopsError(
      'CONFIG_INVALID',
      `${variable}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${issue?.message ?? 'invalid'}`,
      { hint: 'Fix or unset the variable; the README lists every setting and its default.' },
    );
  }
  const e = result.data;
  const host = e.BANKOPS_HOST;
  const http = (p: number) => `http://${host}:${p}`;
  return {
    home: path.resolve(repoRoot, e.BANKOPS_HOME),
    logLevel: e.BANKOPS_LOG_LEVEL,
    host,
    ports: {
      kafka: e.BANKOPS_KAFKA_PORT,
      kafkaController: e.BANKOPS_KAFKA_CONTROLLER_PORT,
      registry: e.BANKOPS_REGISTRY_PORT,
      catalog: e.BANKOPS_CATALOG_PORT,
      mlflow: e.BANKOPS_MLFLOW_PORT,
      prometheus: e.BANKOPS_PROMETHEUS_PORT,
      alertmanager: e.BANKOPS_ALERTMANAGER_PORT,
      alertmanagerCluster: e.BANKOPS_ALERTMANAGER_CLUSTER_PORT,
      alertWebhook: e.BANKOPS_ALERT_WEBHOOK_PORT,
    },
    kafka: {
      brokers: (e.BANKOPS_KAFKA_BROKERS ?? `${host}:${e.BANKOPS_KAFKA_PORT}`)
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    },
    urls: {
      schemaRegistry: e.BANKOPS_SCHEMA_REGISTRY_URL ?? `${http(e.BANKOPS_REGISTRY_PORT)}/apis/ccompat/v7`,
      catalog: e.BANKOPS_CATALOG_URL ?? http(e.BANKOPS_CATALOG_PORT),
      mlflow: e.BANKOPS_MLFLOW_URL ?? http(e.BANKOPS_MLFLOW_PORT),
      prometheus: e.BANKOPS_PROMETHEUS_URL ?? http(e.BANKOPS_PROMETHEUS_PORT),
      alertmanager: e.BANKOPS_ALERTMANAGER_URL ?? http(e.BANKOPS_ALERTMANAGER_PORT),
      alertWebhook: e.BANKOPS_ALERT_WEBHOOK_URL ?? `${http(e.BANKOPS_ALERT_WEBHOOK_PORT)}/alerts`,
    },
    lake: { warehouse: e.BANKOPS_CATALOG_WAREHOUSE },
    retrain: {
      thresholdRows: e.BANKOPS_RETRAIN_THRESHOLD_ROWS,
      cooldownMs: e.BANKOPS_RETRAIN_COOLDOWN_S * 1000,
      minDriftLabels: e.BANKOPS_RETRAIN_MIN_DRIFT_LABELS,
    },
    training: {
      threads: e.BANKOPS_XGBOOST_THREADS,
      gridLimit: e.BANKOPS_TRAIN_GRID_LIMIT,
      sources: [
        ...new Set(e.BANKOPS_TRAIN_SOURCES.split(',').map((p) => p.trim() as 'customers' | 'traffic')),
      ],
      thresholdObjective: e.BANKOPS_THRESHOLD_OBJECTIVE,
      trafficWindowMs: e.BANKOPS_TRAIN_TRAFFIC_WINDOW_S * 1000,
      trafficWeight: e.BANKOPS_TRAIN_TRAFFIC_WEIGHT,
      reserve: e.BANKOPS_SIMULATION_RESERVE,
    },
    promotion: {
      metric: e.BANKOPS_PROMOTION_METRIC,
      floor: e.BANKOPS_PROMOTION_FLOOR,
      margin: e.BANKOPS_PROMOTION_MARGIN,
      replicates: e.BANKOPS_PROMOTION_BOOTSTRAP,
      confidence: e.BANKOPS_PROMOTION_CONFIDENCE,
      minHoldout: e.BANKOPS_PROMOTION_MIN_HOLDOUT,
    },
    rollout: {
      policy: e.BANKOPS_ROLLOUT,
      share: e.BANKOPS_ROLLOUT_SHARE,
      minLabels: e.BANKOPS_ROLLOUT_MIN_LABELS,
      maxMs: e.BANKOPS_ROLLOUT_MAX_S * 1000,
      metric: e.BANKOPS_ROLLOUT_METRIC ?? e.BANKOPS_PROMOTION_METRIC,
    },
    economics: {
      costPerCall: e.BANKOPS_COST_PER_CALL,
      valuePerSubscription: e.BANKOPS_VALUE_PER_SUBSCRIPTION,
    },
    lakeWriter: {
      maxBatchRows: e.BANKOPS_LAKE_MAX_BATCH_ROWS,
      maxBatchMs: e.BANKOPS_LAKE_MAX_BATCH_MS,
      metricsPort: e.BANKOPS_LAKE_WRITER_METRICS_PORT,
    },
    bins: {
      java: e.BANKOPS_JAVA,
      mvn: e.BANKOPS_MVN,
      python: e.BANKOPS_PYTHON,
      prometheus: e.BANKOPS_PROMETHEUS_BIN,
      alertmanager: e.BANKOPS_ALERTMANAGER_BIN,
    },
    xgboostLib: e.BANKOPS_XGBOOST_LIB,
    dataUrl: e.BANKOPS_DATA_URL,
    startupTimeoutMs: e.BANKOPS_STARTUP_TIMEOUT_S * 1000,
    serving: {
      port: e.BANKOPS_SERVING_PORT,
      host: e.BANKOPS_SERVING_HOST ?? host,
      apiKeyHashes: e.BANKOPS_SERVING_API_KEYS.split(',')
        .map((k) => k.trim().toLowerCase())
        .filter(Boolean),
      auth: e.BANKOPS_SERVING_AUTH,
      modelName: e.BANKOPS_SERVING_MODEL,
      mode: e.BANKOPS_SERVING_MODE,
      abShare: e.BANKOPS_SERVING_AB_SHARE,
      maxBatch: e.BANKOPS_SERVING_MAX_BATCH,
      bodyLimit: e.BANKOPS_SERVING_BODY_LIMIT,
      pollMs: e.BANKOPS_SERVING_POLL_S * 1000,
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
    },
    monitor: {
      intervalMs: Math.round(e.BANKOPS_MONITOR_INTERVAL_S * 1000),
      horizonMs: e.BANKOPS_MONITOR_HORIZON_S * 1000,
      lastN: e.BANKOPS_MONITOR_LAST_N,
      minLabels: e.BANKOPS_MONITOR_MIN_LABELS,
      accuracyFloor: e.BANKOPS_MONITOR_ACCURACY_FLOOR,
      f1Floor: e.BANKOPS_MONITOR_F1_FLOOR,
      maxDrop: e.BANKOPS_MONITOR_MAX_DROP,
      cooldownMs: e.BANKOPS_MONITOR_COOLDOWN_S * 1000,
      historyIntervalMs: Math.round(e.BANKOPS_MONITOR_HISTORY_S * 1000),
      driftSizeBasis: e.BANKOPS_MONITOR_DRIFT_SIZE_BASIS,
      driftMinSamples: e.BANKOPS_MONITOR_DRIFT_MIN_SAMPLES,
      groupId: e.BANKOPS_MONITOR_GROUP,
      metricsPort: e.BANKOPS_MONITOR_METRICS_PORT,
    },
    repoRoot,
  };
}

let cached: Config | undefined;

/** The process's configuration, read and validated once. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** The variables and their defaults, for `bankops config` and the README's reference table. */
export function configReference(): Array<{ name: string; default: string | undefined }> {
  return Object.entries(schema.shape).map(([name, field]) => {
    const parsed = (field as z.ZodType).safeParse(undefined);
    return { name, default: parsed.success && parsed.data !== undefined ? String(parsed.data) : undefined };
  });
}

/** The environment handed on to child processes (services, provisioning tools), plus overrides. */
export function childEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
