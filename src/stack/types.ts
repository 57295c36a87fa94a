import type { Config } from '../config/index.js';
import type { Logger } from '../logging/index.js';

export const SERVICE_NAMES = [
  'kafka',
  'schemaRegistry',
  'icebergCatalog',
  'mlflow',
  'prometheus',
  'alertmanager',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceContext {
  config: Config;
  log: Logger;
  /** BANKOPS_HOME/opt/<service>: installed artifacts (jars, venvs), safe to delete and provision again. */
  optDir: string;
  /** BANKOPS_HOME/data/<service>: the service's state. */
  dataDir: string;
  /** BANKOPS_HOME/logs/<service>.log */
  logFile: string;
  /** Reports provisioning progress (a line of text); the CLI shows it next to a progress bar. */
  progress: (message: string) => void;
}

/** How to start a service as a local process. */
export interface Launch {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * One service of the local stack. Every step is idempotent: `stack up` runs them all each time and a
 * step that has nothing to do returns quickly.
 */
export interface ServiceDefinition {
  name: ServiceName;
  title: string;
  /** The ports it binds, checked free before start. */
  ports(config: Config): number[];
  /** The URL clients use (shown by `status`). */
  url(config: Config): string;
  /** Throws PREREQUISITE_MISSING naming the missing tool and how to install it. */
  checkPrerequisites(ctx: ServiceContext): Promise<void>;
  /** Installs the artifacts under `optDir` from the package registries; a no-op when they are there. */
  provision(ctx: ServiceContext): Promise<void>;
  /** One-time state initialisation before the first start (for example Kafka's storage format). */
  prepare?(ctx: ServiceContext): Promise<void>;
  launch(ctx: ServiceContext): Promise<Launch>;
  /** True once the service answers its readiness check. Must not throw for "not yet". */
  ready(ctx: ServiceContext): Promise<boolean>;
  /** Runs once after each start, when ready (for example setting the registry's compatibility level). */
  afterStart?(ctx: ServiceContext): Promise<void>;
}
