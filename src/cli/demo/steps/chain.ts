import { setTimeout as sleep } from 'node:timers/promises';
import { publishSyntheticBatch } from '../../../../producers/batch.js';
import { println } from '../../output.js';
import { need, took, type DemoStep } from '../context.js';
import {
  chainEvent,
  eventCount,
  eventLine,
  promotedVersions,
  retrainDecided,
  waitForEvents,
} from '../events.js';
import { canaryOfTheFirstModel, decisionLines } from '../loop.js';
import { traffic } from '../serving.js';

export const chainStep: DemoStep = {
  name: 'chain',
  title:
    'the chain under traffic: a concept-drift batch past the threshold → retrain → promote or reject → swap (seed step 6)',
  async run(ctx) {
    const { config } = ctx;
    const pipeline = need(ctx.pipeline, 'the pipeline context');
    const drift = need(ctx.drift, 'the drifted clients of step 12');
    const load = traffic(need(ctx.serving, 'the demo server'), need(ctx.sample, 'the customer sample'));
    const skip = await eventCount(pipeline);
    const batch = await publishSyntheticBatch(config, {
      rows: config.retrain.thresholdRows,
      seed: (Date.now() + 1) % 100_000,
      scenario: 'concept',
    });
    println(`   published ${batch.rows} rows (scenario "concept") as ${batch.batchId}`);
    const chain = await waitForEvents(
      pipeline,
      skip,
      retrainDecided((e) => e.payload['trigger'] === 'rows'),
      300_000,
    );
    promotedVersions(chain.events).forEach((v) => drift.servedVersions.add(v));
    for (const e of chain.events.filter(chainEvent)) println(eventLine(e));
    for (const line of decisionLines(chain.events)) println(line);
    // let serving pick up a promotion before the traffic stops
    if (chain.events.some((e) => e.type === 'model.promoted')) await sleep(3_000);
    const summary = await load.stop();
    println(
      `   traffic during the chain: ${summary.sent} requests, ${summary.ok} answered, ${summary.failed} failed; answers by model version: ${JSON.stringify(summary.versions)} (${took(ctx.stepStarted)})`,
    );
    // A worse model in front of the same clients: the labels roll it back by themselves.
    for (const line of await canaryOfTheFirstModel(pipeline)) println(line);
    // The pipeline keeps running through the alerts: evidence the monitor reports meanwhile is consumed
    // (and ignored within the cooldown) instead of being left to the next run's trigger.
  },
};
