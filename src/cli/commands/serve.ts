import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { hashApiKey } from '../../../serving/plugins/auth.js';
import { startServing } from '../../../serving/start.js';
import { println } from '../output.js';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new BankopsError('USAGE', `"${value}" is not a positive whole number`);
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the champion over HTTP (Fastify): /v1/predict, /invocations, /v1/explain, /v1/ground-truth, /metrics',
    )
    .option('--workers <n>', 'processes sharing the port (each loads and swaps on its own)', wholeNumber)
    .option('--port <port>', 'listen port (default BANKOPS_SERVING_PORT)', wholeNumber)
    .action(async (opts: { workers?: number; port?: number }) => {
      const running = await startServing(getConfig(), {
        ...(opts.workers ? { workers: opts.workers } : {}),
        ...(opts.port ? { port: opts.port } : {}),
      });
      println(`serving at ${running.url} (docs ${running.url}/docs, metrics ${running.url}/metrics)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await running.close();
    });

  program
    .command('api-key')
    .description('print the sha256 hash of an API key, for BANKOPS_SERVING_API_KEYS')
    .argument('<key>', 'the key clients send as "Authorization: Bearer <key>"')
    .action((key: string) => {
      println(hashApiKey(key));
    });
}
