import { getConfig } from '../../config/index.js';
import { println } from '../output.js';
import { createDemoContext, type DemoContext, type DemoOptions, type DemoStep } from './context.js';
import { finish } from './finish.js';
import { alertsStep } from './steps/alerts.js';
import { baselineStep } from './steps/baseline.js';
import { chainStep } from './steps/chain.js';
import { driftStep } from './steps/drift.js';
import { edaStep } from './steps/eda.js';
import { lakeWriterStep } from './steps/lake-writer.js';
import { lineageStep } from './steps/lineage.js';
import { promoteStep } from './steps/promote.js';
import { reportStep } from './steps/report.js';
import { serveStep } from './steps/serve.js';
import { snapshotsStep } from './steps/snapshots.js';
import { stackStep } from './steps/stack.js';
import { syntheticBatchStep } from './steps/synthetic-batch.js';
import { topicsStep } from './steps/topics.js';
import { trainStep } from './steps/train.js';
import { uciDataStep } from './steps/uci-data.js';

/** The steps that run while the components (lake writer, serving, pipeline, monitor, webhook) run. */
export const LIFECYCLE: readonly DemoStep[] = [
  stackStep,
  topicsStep,
  lakeWriterStep,
  uciDataStep,
  syntheticBatchStep,
  snapshotsStep,
  edaStep,
  trainStep,
  promoteStep,
  serveStep,
  baselineStep,
  driftStep,
  chainStep,
  alertsStep,
];

/** The steps after the components have stopped: what the monitor wrote is complete. */
export const AFTERWARDS: readonly DemoStep[] = [reportStep, lineageStep];

async function runStep(ctx: DemoContext, n: number, step: DemoStep): Promise<void> {
  if (step.when && !step.when(ctx)) return;
  ctx.stepStarted = Date.now();
  println('');
  println(`${n}. ${step.title}`);
  await step.run(ctx);
}

/** The whole lifecycle in one command: each capability adds its step to a list. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const ctx = createDemoContext(getConfig(), options);
  println('bankops demo');
  println(`BANKOPS_HOME ${ctx.config.home}`);
  let n = 0;
  try {
    for (const step of LIFECYCLE) await runStep(ctx, ++n, step);
  } finally {
    await ctx.release();
  }
  for (const step of AFTERWARDS) await runStep(ctx, ++n, step);
  await finish(ctx);
}
