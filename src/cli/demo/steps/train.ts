import { createPipelineContext } from '../../../pipeline/context.js';
import { describeSources, runTrainingSession } from '../../../pipeline/train-session.js';
import { trainingOptions } from '../../commands/train.js';
import { println } from '../../output.js';
import { took, type DemoStep } from '../context.js';

const fmt = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(3));

export const trainStep: DemoStep = {
  name: 'train',
  title:
    'train the candidate grid on bank.customers (and any labelled traffic), every run in MLflow (seed step 4)',
  async run(ctx) {
    const { config } = ctx;
    const pipeline = createPipelineContext(config, 'demo');
    ctx.pipeline = pipeline;
    ctx.defer(() => pipeline.close());
    const trained = await runTrainingSession(pipeline, {
      trigger: 'demo',
      options: trainingOptions(config, { split: 'stratified' }),
    });
    ctx.trained = trained;
    if (trained.status === 'skipped') {
      println(`   skipped: ${trained.reason}`);
      return;
    }
    const best = trained.best;
    println(
      `   ${trained.candidates.length} candidates on ${trained.rows} rows: ${describeSources(trained.sources)} (${took(ctx.stepStarted)})`,
    );
    println(
      `   left out: ${trained.excluded.reserved} customers of the simulation reserve (no model trains on them; simulated clients come from them)`,
    );
    println(
      `   holdout: ${trained.holdout.rows} rows (${trained.holdout.positives} subscribed), ${trained.holdout.description}`,
    );
    println(
      `   best: ${best.name}: test ROC-AUC ${fmt(best.metrics['test_roc_auc'])}, PR-AUC ${fmt(best.metrics['test_pr_auc'])}, F1 ${fmt(best.metrics['test_f1'])} → v${best.version} (challenger)`,
    );
  },
};
