import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { println } from '../output.js';
import { startMonitor } from '../../../consumers/monitor/main.js';

/** `now` or an ISO 8601 time, as epoch ms. */
export function parseSince(value: string): number {
  if (value === 'now') return Date.now();
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new BankopsError('USAGE', `--since ${value} is neither \`now\` nor an ISO 8601 time`, {
      hint: 'For example --since now or --since 2026-11-27T09:00:00Z',
    });
  }
  return time;
}

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description(
      'join predictions with ground truth, export accuracy and drift to Prometheus (/metrics), ' +
        'write bank.monitoring_metrics, emit drift.detected / performance.degraded; runs until SIGTERM',
    )
    .option('--port <port>', 'metrics port (default BANKOPS_MONITOR_METRICS_PORT, 9466)', Number)
    .option('--interval <seconds>', 'recompute every N seconds (default BANKOPS_MONITOR_INTERVAL_S)', Number)
    .option(
      '--since <time>',
      'watch from this time on (`now` or an ISO 8601 time) instead of replaying the horizon',
      parseSince,
    )
    .action(async (opts: { port?: number; interval?: number; since?: number }) => {
      const running = await startMonitor(getConfig(), {
        ...(opts.since !== undefined ? { since: opts.since } : {}),
        ...(opts.port !== undefined ? { metricsPort: opts.port } : {}),
        ...(opts.interval !== undefined ? { intervalMs: opts.interval * 1000 } : {}),
      });
      const replayed = await running.replayed;
      println(
        `monitoring (replayed ${replayed} records; consumer group ${running.groupId}); ` +
          `metrics at http://${running.metrics?.address ?? '-'}/metrics`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await running.close();
    });
}
