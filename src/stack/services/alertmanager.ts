import path from 'node:path';
import type { Config } from '../../config/index.js';
import type { ServiceDefinition } from '../types.js';
import { httpReady, requireCommand } from '../util.js';
import { renderConfigTemplate } from './config-template.js';

const HINT =
  'Install Alertmanager (Debian/Ubuntu: `apt-get install prometheus-alertmanager`) or set BANKOPS_ALERTMANAGER_BIN.';

/** Renders grafana/alertmanager/alertmanager.yml for this configuration into `file`. */
export async function renderAlertmanagerConfig(config: Config, file: string): Promise<void> {
  await renderConfigTemplate(
    path.join(config.repoRoot, 'grafana', 'alertmanager', 'alertmanager.yml'),
    file,
    {
      WEBHOOK_URL: config.urls.alertWebhook,
    },
  );
}

const configFile = (dataDir: string) => path.join(dataDir, 'alertmanager.yml');

export const alertmanager: ServiceDefinition = {
  name: 'alertmanager',
  title: 'Alertmanager',

  // A single instance: no cluster (gossip) port is bound.
  ports: (config) => [config.ports.alertmanager],

  url: (config) => config.urls.alertmanager,

  async checkPrerequisites(ctx) {
    await requireCommand(ctx.config.bins.alertmanager, 'Alertmanager', HINT);
  },

  // The Debian package is the artifact; nothing to download.
  provision: () => Promise.resolve(),

  async prepare(ctx) {
    await renderAlertmanagerConfig(ctx.config, configFile(ctx.dataDir));
  },

  launch(ctx) {
    const { config, dataDir } = ctx;
    return Promise.resolve({
      command: config.bins.alertmanager,
      args: [
        `--config.file=${configFile(dataDir)}`,
        `--storage.path=${dataDir}`,
        `--web.listen-address=${config.host}:${config.ports.alertmanager}`,
        // Empty: no high-availability gossip (a single local instance).
        '--cluster.listen-address=',
      ],
      cwd: dataDir,
    });
  },

  ready: (ctx) =>
    httpReady(
      `http://${ctx.config.host}:${ctx.config.ports.alertmanager}/-/ready`,
      (status) => status === 200,
    ),
};
