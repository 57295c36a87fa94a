import path from 'node:path';
import type { Config } from '../config/index.js';

/**
 * The layout of `BANKOPS_HOME`: one place that both the launcher (src/stack) and the runtime (serving,
 * consumers) read, so that a running component never imports the launcher for a path.
 *
 *   opt/<name>/          binaries and libraries provisioned for a service
 *   data/<name>/         its state
 *   logs/<name>.log      its log
 *   run/<name>.json      its pid file
 */
export interface HomePaths {
  optDir: string;
  dataDir: string;
  logFile: string;
  pidFile: string;
}

export function homePaths(config: Config, name: string): HomePaths {
  return {
    optDir: path.join(config.home, 'opt', name),
    dataDir: path.join(config.home, 'data', name),
    logFile: path.join(config.home, 'logs', `${name}.log`),
    pidFile: path.join(config.home, 'run', `${name}.json`),
  };
}

/** Where Prometheus's file-based service discovery looks for bankops components. */
export function scrapeTargetsDir(config: Config): string {
  return path.join(homePaths(config, 'prometheus').dataDir, 'targets');
}
