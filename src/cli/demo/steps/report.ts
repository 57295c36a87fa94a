import path from 'node:path';
import { buildStakeholderReport } from '../../../reports/report.js';
import { writeReport } from '../../../reports/write.js';
import { println } from '../../output.js';
import type { DemoStep } from '../context.js';

export const reportStep: DemoStep = {
  name: 'report',
  title: 'the stakeholder report (seed step 8)',
  async run(ctx) {
    const { config } = ctx;
    const report = await buildStakeholderReport(config, {
      monitoringTable: 'bank.monitoring_metrics',
      modelName: 'bank-marketing',
    });
    ctx.reportFile = await writeReport(path.join(config.home, 'reports', 'report.html'), report.html);
    println(`   ${report.charts} charts, ${report.monitoringRows} monitoring rows: ${ctx.reportFile}`);
  },
};
