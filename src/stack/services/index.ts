import type { ServiceDefinition, ServiceName } from '../types.js';

/** Each service lives in its own module, loaded when needed so that one service's deps never slow another. */
const loaders: Record<ServiceName, () => Promise<ServiceDefinition>> = {
  kafka: async () => (await import('./kafka.js')).kafka,
  schemaRegistry: async () => (await import('./schema-registry.js')).schemaRegistry,
  icebergCatalog: async () => (await import('./iceberg-catalog.js')).icebergCatalog,
  mlflow: async () => (await import('./mlflow.js')).mlflow,
  prometheus: async () => (await import('./prometheus.js')).prometheus,
  alertmanager: async () => (await import('./alertmanager.js')).alertmanager,
};

export function loadService(name: ServiceName): Promise<ServiceDefinition> {
  return loaders[name]();
}
