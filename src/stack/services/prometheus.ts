import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { scrapeTargetsDir } from '../../home/paths.js';
import type { ServiceDefinition } from '../types.js';
import { httpReady, requireCommand } from '../util.js';
import { renderConfigTemplate } from './config-template.js';

export {
  registerScrapeTarget,
  unregisterScrapeTarget,
  listScrapeTargets,
} from '../../metrics/scrape-targets.js';

const HINT =
  'Install Prometheus (Debian/Ubuntu: `apt-get install prometheus`) or set BANKOPS_PROMETHEUS_BIN.';

/** promtool ships next to the prometheus binary (same Debian package). */
export function promtoolPath(config: Config): string {
  const bin = config.bins.prometheus;
  return bin.includes('/') ? path.join(path.dirname(bin), 'promtool') : 'promtool';
}

/** Runs promtool; resolves its exit code and combined output (it reports problems on both streams). */
export function runPromtool(config: Config, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(promtoolPath(config), args, { cwd: config.repoRoot }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

export function prometheusRulesDir(config: Config): string {
  return path.join(config.repoRoot, 'grafana', 'prometheus', 'rules');
}

/** Renders grafana/prometheus/prometheus.yml for this configuration into `file`. */
export async function renderPrometheusConfig(config: Config, file: string): Promise<void> {
  await renderConfigTemplate(path.join(config.repoRoot, 'grafana', 'prometheus', 'prometheus.yml'), file, {
    PROMETHEUS: `${config.host}:${config.ports.prometheus}`,
    ALERTMANAGER: `${config.host}:${config.ports.alertmanager}`,
    TARGETS_DIR: scrapeTargetsDir(config),
    RULES_DIR: prometheusRulesDir(config),
  });
}

const configFile = (dataDir: string) => path.join(dataDir, 'prometheus.yml');

export const prometheus: ServiceDefinition = {
  name: 'prometheus',
  title: 'Prometheus',

  ports: (config) => [config.ports.prometheus],

  url: (config) => config.urls.prometheus,

  async checkPrerequisites(ctx) {
    await requireCommand(ctx.config.bins.prometheus, 'Prometheus', HINT);
    await requireCommand(promtoolPath(ctx.config), 'promtool', HINT);
  },

  // The Debian package is the artifact; nothing to download.
  provision: () => Promise.resolve(),

  async prepare(ctx) {
    await mkdir(path.join(ctx.dataDir, 'tsdb'), { recursive: true });
    await mkdir(scrapeTargetsDir(ctx.config), { recursive: true });
    const file = configFile(ctx.dataDir);
    await renderPrometheusConfig(ctx.config, file);
    // Checking first turns a broken template or rule file into one clear error instead of a crash loop.
    const checked = await runPromtool(ctx.config, ['check', 'config', file]);
    if (checked.code !== 0) {
      throw new BankopsError(
        'SERVICE_START_FAILED',
        `promtool rejects the rendered Prometheus config ${file}`,
        {
          hint: `${checked.output}\nFix grafana/prometheus/prometheus.yml or grafana/prometheus/rules/*.yml.`,
        },
      );
    }
  },

  launch(ctx) {
    const { config, dataDir } = ctx;
    return Promise.resolve({
      command: config.bins.prometheus,
      args: [
        `--config.file=${configFile(dataDir)}`,
        `--storage.tsdb.path=${path.join(dataDir, 'tsdb')}`,
        // A laptop stack: keep a week of samples at most.
        '--storage.tsdb.retention.time=7d',
        `--web.listen-address=${config.host}:${config.ports.prometheus}`,
        '--web.enable-lifecycle',
      ],
      cwd: dataDir,
    });
  },

  ready: (ctx) =>
    httpReady(`http://${ctx.config.host}:${ctx.config.ports.prometheus}/-/ready`, (status) => status === 200),
};
