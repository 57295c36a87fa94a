/**
 * The serving process: `node --import tsx serving/server.ts [--workers N] [--port P]`. SIGTERM or SIGINT
 * drain it: stop accepting, answer in-flight requests, flush the prediction events, exit 0.
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { AggregatorRegistry } from 'prom-client';
import { getConfig } from '../src/config/index.js';
import { BankopsError, errorMessage } from '../src/errors/index.js';
import { logger } from '../src/logging/index.js';
import { startServing, type StartServingOptions } from './start.js';

function options(): StartServingOptions {
  const { values } = parseArgs({
    options: { workers: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
    allowPositionals: false,
  });
  const integer = (name: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new BankopsError('USAGE', `--${name} must be an integer ≥ ${min} (got ${raw})`);
    }
    return value;
  };
  return {
    ...(values.workers !== undefined ? { workers: integer('workers', values.workers, 1) } : {}),
    ...(values.port !== undefined ? { port: integer('port', values.port, 0) } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
  };
}

async function main(): Promise<void> {
  const log = logger('serving', cluster.isWorker ? { worker: cluster.worker?.id } : {});
  const running = await startServing(getConfig(), {
    ...(cluster.isWorker ? { workers: 1 } : options()),
    log,
  });
  // A worker's metrics are summed by the primary's aggregator (serving/cluster.ts).
  if (cluster.isWorker && running.deps) {
    // Constructing one installs the worker's answer to the primary's metrics requests.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([running.deps.metrics.registry]);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (!cluster.isWorker) process.stdout.write(`${JSON.stringify({ url: running.url, pid: process.pid })}\n`);
}

main().catch((error: unknown) => {
  const hint = error instanceof BankopsError && error.hint ? `\n  hint: ${error.hint}` : '';
  process.stderr.write(`bankops serve: ${errorMessage(error)}${hint}\n`);
  process.exit(error instanceof BankopsError ? error.exitCode : 1);
});
