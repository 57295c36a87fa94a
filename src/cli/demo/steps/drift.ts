import { println } from '../../output.js';
import { need, took, type DemoStep } from '../context.js';
import { labelledTraffic } from '../drift.js';
import {
  EVIDENCE_TRIGGERS,
  eventLine,
  chainEvent,
  promotedVersions,
  retrainDecided,
  waitForEvents,
} from '../events.js';
import { decisionLines } from '../loop.js';
import { servedVersion } from '../serving.js';

export const driftStep: DemoStep = {
  name: 'drift',
  title:
    'clients drift (telephone contact, and who subscribes changes): the monitor sees it and asks for a retraining',
  async run(ctx) {
    const { config } = ctx;
    const serving = need(ctx.serving, 'the demo server');
    const watch = need(ctx.watch, 'the watch of step 11');
    const started = Date.now();
    // the versions that answer the watched clients: the champion now, and whatever is promoted meanwhile
    const servedVersions = new Set([watch.championVersion, await servedVersion(serving)]);
    const traffic = await labelledTraffic(config, serving, {
      scenario: ['telephone', 'concept'],
      rate: 40,
      maxSeconds: 600,
      labelDelayMs: 2_000,
      seed: (Date.now() + 3) % 100_000,
    });
    // the drifted clients keep calling through the chain and the alerts (step 14 stops them)
    ctx.drift = { started, traffic, servedVersions };
    ctx.defer(() => traffic.stop());
    // from the start of the watch: if the baseline's own records already drift, that counts too
    const evidence = await waitForEvents(
      need(ctx.pipeline, 'the pipeline context'),
      watch.skip,
      retrainDecided((e) => EVIDENCE_TRIGGERS.has(String(e.payload['trigger']))),
      240_000,
    );
    promotedVersions(evidence.events).forEach((v) => servedVersions.add(v));
    for (const e of evidence.events.filter(chainEvent)) println(eventLine(e));
    for (const line of decisionLines(evidence.events)) println(line);
    if (!evidence.done)
      println(
        `   no retraining from monitoring evidence within 240 s; the trigger's decisions are in ${need(ctx.processes.pipeline, 'the pipeline process').logFile}`,
      );
    println(`   (${took(ctx.stepStarted)})`);
  },
};
