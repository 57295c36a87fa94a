import type { FastifyInstance } from 'fastify';
import type { Config } from '../src/config/index.js';
import { logger, type Logger } from '../src/logging/index.js';
import { registerScrapeTarget, unregisterScrapeTarget } from '../src/metrics/scrape-targets.js';
import { buildApp } from './app.js';
import { startCluster } from './cluster.js';
import { createServingDeps } from './create.js';
import type { RunningServing } from './running.js';
import { checkAuthConfig } from './plugins/auth.js';

export interface StartServingOptions {
  port?: number;
  host?: string;
  /** More than 1: that many processes share the port (node:cluster). */
  workers?: number;
  log?: Logger;
}

export type { RunningServing } from './running.js';

/** The config with the CLI's overrides applied. */
export function servingConfig(config: Config, options: StartServingOptions): Config {
  return {
    ...config,
    serving: {
      ...config.serving,
      port: options.port ?? config.serving.port,
      host: options.host ?? config.serving.host,
      workers: options.workers ?? config.serving.workers,
    },
  };
}

/** Prometheus finds the process through file-based discovery; one file per port. */
const targetName = (port: number) => `serving-${port}`;

/**
 * Starts the model serving API (used by `bankops serve` and the demo). With several workers the processes
 * are forked from serving/server.ts and this process only supervises them.
 */
export async function startServing(base: Config, options: StartServingOptions = {}): Promise<RunningServing> {
  const config = servingConfig(base, options);
  const { serving } = config;
  checkAuthConfig(serving);
  const log = options.log ?? logger('serving');
  if (serving.workers > 1) return startCluster(config, log);
  const deps = await createServingDeps(config, log);
  let app: FastifyInstance;
  try {
    app = await buildApp(deps);
    await app.listen({ port: serving.port, host: serving.host });
  } catch (error) {
    await deps.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : serving.port;
  const url = `http://${serving.host.includes(':') ? `[${serving.host}]` : serving.host}:${port}`;
  const registered =
    serving.scrapeTarget &&
    (await registerScrapeTarget(config, targetName(port), [`${serving.host}:${port}`], {
      job: 'bankops-serving',
    })
      .then(() => true)
      .catch((error: unknown) => {
        log.warn({ err: error }, 'cannot register with Prometheus; metrics stay reachable at /metrics');
        return false;
      }));
  log.info({ url, model: serving.modelName, mode: serving.mode, events: serving.events }, 'serving');
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    deps,
    close() {
      closing ??= (async () => {
        if (registered) await unregisterScrapeTarget(config, targetName(port)).catch(() => undefined);
        // Fastify's close stops accepting and resolves when in-flight requests have been answered,
        // which includes their prediction events' acknowledgements.
        await app.close();
        await deps.close();
        log.info({ url }, 'serving stopped');
      })();
      return closing;
    },
  };
}
