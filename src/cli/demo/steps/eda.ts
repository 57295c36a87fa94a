import path from 'node:path';
import { buildEdaReport } from '../../../reports/eda.js';
import { writeReport } from '../../../reports/write.js';
import { println } from '../../output.js';
import { took, type DemoStep } from '../context.js';

export const edaStep: DemoStep = {
  name: 'eda',
  title: 'the EDA report from the Iceberg table (seed step 3)',
  async run(ctx) {
    const { config } = ctx;
    const eda = await buildEdaReport(config, { table: 'bank.customers' });
    ctx.edaFile = await writeReport(path.join(config.home, 'reports', 'eda.html'), eda.html);
    println(
      `   ${eda.charts} charts on ${eda.rows} rows @ snapshot ${eda.snapshotId}: ${ctx.edaFile} (${took(ctx.stepStarted)})`,
    );
  },
};
