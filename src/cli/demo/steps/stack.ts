import { println } from '../../output.js';
import { printServiceTable, runStackUp } from '../../commands/stack.js';
import { took, type DemoStep } from '../context.js';

export const stackStep: DemoStep = {
  name: 'stack',
  title: 'the local stack (Kafka, schema registry, Iceberg REST catalog, MLflow, Prometheus, Alertmanager)',
  async run(ctx) {
    printServiceTable(await runStackUp(undefined));
    println(`   ready in ${took(ctx.stepStarted)}`);
  },
};
