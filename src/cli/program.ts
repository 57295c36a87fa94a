import { Command } from 'commander';
import { registerConfig } from './commands/config.js';
import { registerAlerts } from './commands/alerts.js';
import { registerBatch } from './commands/batch.js';
import { registerData } from './commands/data.js';
import { registerDemo } from './commands/demo.js';
import { registerLake } from './commands/lake.js';
import { registerLineage } from './commands/lineage.js';
import { registerPipeline } from './commands/pipeline.js';
import { registerTraining } from './commands/train.js';
import { registerMonitor } from './commands/monitor.js';
import { registerReports } from './commands/reports.js';
import { registerRollout } from './commands/rollout.js';
import { registerSimulate } from './commands/simulate.js';
import { registerServe } from './commands/serve.js';
import { registerStack } from './commands/stack.js';
import { registerStatus } from './commands/status.js';
import { registerTopics } from './commands/topics.js';

/** The command tree, built without side effects so tests can read its help. */
export function buildProgram(): Command {
  const program = new Command('bankops')
    .description('event-streaming MLOps for the bank marketing campaign')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerStack(program);
  registerStatus(program);
  registerTopics(program);
  registerData(program);
  registerBatch(program);
  registerLake(program);
  registerTraining(program);
  registerPipeline(program);
  registerLineage(program);
  registerRollout(program);
  registerAlerts(program);
  registerServe(program);
  registerReports(program);
  registerSimulate(program);
  registerMonitor(program);
  registerConfig(program);
  registerDemo(program);
  return program;
}
