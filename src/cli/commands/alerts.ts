import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { println } from '../output.js';
import { startAlertWebhook } from '../../../consumers/alert-webhook/main.js';

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description("Alertmanager's notifications");
  alerts
    .command('receive')
    .description(
      'receive Alertmanager webhooks (POST /alerts) and publish alert.fired / alert.resolved events',
    )
    .option('--port <port>', 'listen port (default BANKOPS_ALERT_WEBHOOK_PORT)', Number)
    .action(async (opts: { port?: number }) => {
      const webhook = await startAlertWebhook(getConfig(), opts.port ? { port: opts.port } : {});
      println(`receiving alerts at ${webhook.url}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await webhook.close();
    });
}
