export { childEnv, configReference, getConfig, parseConfig, type Config, type RawConfig } from './config.js';
export type { MonitorConfig } from './monitoring.js';
export type { ServingConfig } from './serving.js';
