import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../src/config/index.js';
import { BankopsError } from '../src/errors/index.js';
import type { Logger } from '../src/logging/index.js';
import { registerScrapeTarget, unregisterScrapeTarget } from '../src/metrics/scrape-targets.js';
import type { RunningServing } from './running.js';

const START_TIMEOUT_MS = 120_000;

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The primary's /metrics: every worker's registry, summed (counters, histograms) by prom-client. */
async function startAggregatedMetrics(host: string, port: number): Promise<http.Server> {
  const aggregator = new AggregatorRegistry();
  const server = http.createServer((request, response) => {
    if (request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end('try /metrics\n');
      return;
    }
    aggregator.clusterMetrics().then(
      (body) => response.writeHead(200, { 'content-type': aggregator.contentType }).end(body),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

/**
 * `--workers N`: N serving processes on one port (the primary accepts and hands connections round-robin).
 * Each worker loads, follows and swaps its model on its own; a worker that dies is replaced.
 */
export async function startCluster(config: Config, log: Logger): Promise<RunningServing> {
  const { serving } = config;
  const port = serving.port === 0 ? await freePort(serving.host) : serving.port;
  const metricsPort = serving.metricsPort === 0 ? port + 1 : serving.metricsPort;
  cluster.setupPrimary({
    exec: path.join(config.repoRoot, 'serving', 'server.ts'),
    execArgv: ['--import', 'tsx'],
    args: [],
  });
  const env = {
    BANKOPS_SERVING_PORT: String(port),
    BANKOPS_SERVING_HOST: serving.host,
    BANKOPS_SERVING_WORKERS: '1',
    BANKOPS_SERVING_SCRAPE_TARGET: 'off',
  };
  let closing = false;
  const workers = new Set<Worker>();
  const fork = (): Promise<void> => {
    const worker = cluster.fork(env);
    workers.add(worker);
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      if (closing) return;
      log.error({ pid: worker.process.pid, code, signal }, 'serving worker died; starting another');
      void fork();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new BankopsError(
              'SERVICE_START_FAILED',
              `serving worker did not listen within ${START_TIMEOUT_MS} ms`,
            ),
          ),
        START_TIMEOUT_MS,
      );
      worker.once('listening', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new BankopsError('SERVICE_START_FAILED', `serving worker exited with code ${code} while starting`),
        );
      });
    });
  };
  const stopAll = async () => {
    closing = true;
    await Promise.all(
      [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            // SIGTERM lets the worker drain its requests and flush its producer (server.ts).
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };
  // Up before the workers, so that it answers as soon as the first worker does.
  const metricsServer = await startAggregatedMetrics(serving.host, metricsPort);
  try {
    await Promise.all(Array.from({ length: serving.workers }, fork));
  } catch (error) {
    await stopAll();
    metricsServer.close();
    throw error;
  }
  const target = `serving-${port}`;
  if (serving.scrapeTarget) {
    await registerScrapeTarget(config, target, [`${serving.host}:${metricsPort}`], {
      job: 'bankops-serving',
    }).catch((error: unknown) => log.warn({ err: error }, 'cannot register with Prometheus'));
  }
  const url = `http://${serving.host}:${port}`;
  log.info(
    { url, workers: serving.workers, metrics: `${serving.host}:${metricsPort}` },
    'serving cluster up',
  );
  return {
    url,
    async close() {
      if (serving.scrapeTarget) await unregisterScrapeTarget(config, target).catch(() => undefined);
      await stopAll();
      await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
    },
  };
}
