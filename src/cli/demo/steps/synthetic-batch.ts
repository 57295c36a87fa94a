import { publishSyntheticBatch } from '../../../../producers/batch.js';
import { println } from '../../output.js';
import { waitForBatch } from '../batches.js';
import { took, type DemoStep } from '../context.js';

export const syntheticBatchStep: DemoStep = {
  name: 'synthetic-batch',
  title: 'a synthetic batch of new customers with drift (seed step 6.1)',
  async run({ config, options, stepStarted }) {
    const batch = await publishSyntheticBatch(config, {
      rows: options.batchRows,
      seed: Date.now() % 100_000,
      scenario: 'older',
    });
    const landed = await waitForBatch(config, batch.batchId, batch.rows);
    println(
      `   published ${batch.rows} rows (scenario "older") as ${batch.batchId}; landed ${landed} (${took(stepStarted)})`,
    );
  },
};
