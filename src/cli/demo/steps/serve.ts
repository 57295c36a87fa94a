import { withLake } from '../../../lake/duckdb.js';
import { readCustomers } from '../../../lake/readers.js';
import { println } from '../../output.js';
import { took, type DemoStep } from '../context.js';
import { oipCall, startDemoServing, workshopCall } from '../serving.js';

export const serveStep: DemoStep = {
  name: 'serve',
  title: 'serve the champion over HTTP (Fastify), the workshop payload on /invocations (seed step 5)',
  async run(ctx) {
    const { config } = ctx;
    const serving = await startDemoServing(config);
    ctx.serving = serving;
    ctx.defer(() => serving.process.stop());
    const sample = await withLake(config, (lake) => readCustomers(lake, { sample: 2_000, seed: 7 }));
    ctx.sample = sample;
    println(`   serving at ${serving.url} (docs ${serving.url}/docs) in ${took(ctx.stepStarted)}`);
    const call = await workshopCall(serving, sample.slice(0, 3));
    println(
      `   POST /invocations {"dataframe_split": …3 customers…} → ${call.status} ${JSON.stringify(call.body).slice(0, 160)}`,
    );
    const model = config.serving.modelName;
    const oip = await oipCall(serving, model, sample.slice(0, 3));
    println(
      `   POST /v2/models/${model}/infer (Open Inference Protocol, one tensor per column) → ${oip.status} ` +
        `probability ${JSON.stringify(oip.outputs['probability'] ?? [])} model_version ${JSON.stringify(oip.outputs['model_version'] ?? [])}`,
    );
  },
};
