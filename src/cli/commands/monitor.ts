import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { println } from '../output.js';
import { startMonitor } from '../../../consumers/monitor/main.js';

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description(
      'join predictions with ground truth, export accuracy and drift to Prometheus (/metrics), ' +
        'write bank.monitoring_metrics, emit drift.detected / performance.degraded; runs until SIGTERM',
    )
    .option('--port <port>', 'metrics port (default BANKOPS_MONITOR_METRICS_PORT, 9466)', Number)
    .option('--interval <seconds>', 'recompute every N seconds (default BANKOPS_MONITOR_INTERVAL_S)', Number)
    .action(async (opts: { port?: number; interval?: number }) => {
      const running = await startMonitor(getConfig(), {
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
