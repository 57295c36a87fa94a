import { readBundledDataset } from '../../../data/index.js';
import { batchRowsInLake, fileBatchId, loadDataset } from '../../../../producers/loader.js';
import { println } from '../../output.js';
import { waitForBatch } from '../batches.js';
import { took, type DemoStep } from '../context.js';

export const uciDataStep: DemoStep = {
  name: 'uci-data',
  title: 'the UCI Bank Marketing data (seed steps 1 and 2)',
  async run({ config, stepStarted }) {
    const uciBatch = fileBatchId(await readBundledDataset());
    const already = await batchRowsInLake(config, uciBatch);
    if (already > 0) {
      println(`   batch ${uciBatch} is already in the lake (${already} rows)`);
      return;
    }
    const loaded = await loadDataset(config);
    println(`   published ${loaded.rows} rows as batch ${loaded.batchId}`);
    const landed = await waitForBatch(config, loaded.batchId, loaded.rows);
    println(`   landed in Iceberg bank.customers: ${landed} rows (${took(stepStarted)})`);
  },
};
