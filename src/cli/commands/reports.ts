import path from 'node:path';
import type { Command } from 'commander';
import { getConfig } from '../../config/index.js';
import { buildEdaReport } from '../../reports/eda.js';
import { buildStakeholderReport } from '../../reports/report.js';
import { writeReport } from '../../reports/write.js';
import { println } from '../output.js';

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** `bankops eda` and `bankops report`: self-contained HTML reports with offline Vega-Lite charts. */
export function registerReports(program: Command): void {
  program
    .command('eda')
    .description('exploratory data analysis of the customers table as one self-contained HTML page')
    .option('--out <file>', 'output file (default: $BANKOPS_HOME/reports/eda.html)')
    .option('--table <name>', 'namespace.table to analyse', 'bank.customers')
    .action(async (opts: { out?: string; table: string }) => {
      const config = getConfig();
      const started = performance.now();
      const result = await buildEdaReport(config, { table: opts.table });
      const file = await writeReport(opts.out ?? path.join(config.home, 'reports', 'eda.html'), result.html);
      process.stderr.write(
        `eda: ${result.rows} rows at snapshot ${result.snapshotId}, ${result.charts} charts, ${seconds(started)}\n`,
      );
      println(file);
    });

  program
    .command('report')
    .description('stakeholder report: model versions, promotions, performance, drift, alerts, profit')
    .option('--out <file>', 'output file (default: $BANKOPS_HOME/reports/report.html)')
    .option(
      '--monitoring-table <name>',
      'namespace.table of the monitoring history',
      'bank.monitoring_metrics',
    )
    .option('--model <name>', 'registered model name', 'bank-marketing')
    .option('--events-topic <topic>', 'pipeline events topic (default: the pipeline’s)')
    .action(async (opts: { out?: string; monitoringTable: string; model: string; eventsTopic?: string }) => {
      const config = getConfig();
      const started = performance.now();
      const result = await buildStakeholderReport(config, {
        monitoringTable: opts.monitoringTable,
        modelName: opts.model,
        ...(opts.eventsTopic ? { eventsTopic: opts.eventsTopic } : {}),
      });
      const file = await writeReport(
        opts.out ?? path.join(config.home, 'reports', 'report.html'),
        result.html,
      );
      process.stderr.write(
        `report: ${result.charts} charts, ${result.monitoringRows} monitoring rows, ${seconds(started)}\n`,
      );
      println(file);
    });
}
