import path from 'node:path';
import { z } from 'zod';
import { optionalUrl, port, seconds, text } from './fields.js';

/** Where the local stack lives and listens, and where to find external services instead. */
export const stackEnv = z.object({
  BANKOPS_HOME: text('./.bankops'),
  BANKOPS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BANKOPS_HOST: text('127.0.0.1'),
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
  BANKOPS_MLFLOW_URL: optionalUrl,
  BANKOPS_PROMETHEUS_URL: optionalUrl,
  BANKOPS_ALERTMANAGER_URL: optionalUrl,
  BANKOPS_JAVA: text('java'),
  BANKOPS_MVN: text('mvn'),
  BANKOPS_PYTHON: text('python3'),
  BANKOPS_PROMETHEUS_BIN: text('/usr/bin/prometheus'),
  BANKOPS_ALERTMANAGER_BIN: text('/usr/bin/prometheus-alertmanager'),
  BANKOPS_STARTUP_TIMEOUT_S: z.coerce.number().int().min(5).max(3600).default(180),
});

export function stackConfig(e: z.infer<typeof stackEnv>, repoRoot: string) {
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
      /** Alertmanager's webhook receiver (served by bankops itself). */
      alertWebhook: e.BANKOPS_ALERT_WEBHOOK_URL ?? `${http(e.BANKOPS_ALERT_WEBHOOK_PORT)}/alerts`,
    },
    bins: {
      java: e.BANKOPS_JAVA,
      mvn: e.BANKOPS_MVN,
      python: e.BANKOPS_PYTHON,
      prometheus: e.BANKOPS_PROMETHEUS_BIN,
      alertmanager: e.BANKOPS_ALERTMANAGER_BIN,
    },
    startupTimeoutMs: seconds(e.BANKOPS_STARTUP_TIMEOUT_S),
  };
}
