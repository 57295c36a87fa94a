import { createPipelineContext } from '../../../pipeline/context.js';
import { lineage } from '../../../pipeline/lineage.js';
import { lineageLines } from '../../commands/lineage.js';
import { println } from '../../output.js';
import type { DemoStep } from '../context.js';

export const lineageStep: DemoStep = {
  name: 'lineage',
  title: 'lineage: one prediction back to the data its model learned from',
  async run({ config, traced }) {
    if (traced === undefined) {
      println('   no labelled prediction landed in the lake to follow');
      return;
    }
    // the demo's pipeline context closed with the components: the lineage reads with its own
    const pipeline = createPipelineContext(config, 'demo');
    try {
      for (const line of lineageLines(await lineage(pipeline, traced))) println(`   ${line}`);
      println(`   (bin/bankops lineage ${traced} --json gives the same as JSON)`);
    } finally {
      await pipeline.close();
    }
  },
};
