import { promote } from '../../../pipeline/promote.js';
import { println } from '../../output.js';
import { need, type DemoStep } from '../context.js';

export const promoteStep: DemoStep = {
  name: 'promote',
  title: 'register the best and promote it if it passes the gates (seed step 5)',
  when: (ctx) => ctx.trained !== undefined && ctx.trained.status !== 'skipped',
  async run({ config, pipeline }) {
    const decision = await promote(need(pipeline, 'the pipeline context'), { ...config.promotion });
    println(`   ${decision.promoted ? 'promoted' : 'rejected'} v${decision.version}: ${decision.reason}`);
    if (!decision.comparison) {
      println(
        `   (no champion to compare with: the floor decides; later decisions rest on a paired bootstrap interval)`,
      );
    }
  },
};
