import { setTimeout as sleep } from 'node:timers/promises';
import { summarize } from '../../../pipeline/history.js';
import { simulationRecords } from '../../../../producers/simulator/records.js';
import { simulate } from '../../../../producers/simulator/run.js';
import { println } from '../../output.js';
import type { BankopsProcess } from '../processes.js';
import { spawnBankops } from '../processes.js';
import { need, type DemoContext, type DemoStep } from '../context.js';
import { eventCount, promValue } from '../events.js';
import { requestWithNothingNew } from '../loop.js';
import { servedVersion } from '../serving.js';

/**
 * The pipeline, the monitor and the alert webhook in their own processes. The pipeline starts first,
 * because its trigger's new consumer group begins at the newest events and must have joined before the
 * first drift.detected. The monitor watches this run's clients only (--since): a champion kept from an
 * earlier run has that run's drifted traffic in its history.
 */
async function startComponents(ctx: DemoContext, watchStarted: number): Promise<BankopsProcess> {
  const { config } = ctx;
  const started: BankopsProcess[] = [];
  ctx.defer(() => Promise.all(started.map((p) => p.stop())));
  // a challenger that passes the offline gate meets live clients first: a canary of half the customers
  const pipeline = await spawnBankops(config, 'pipeline', ['pipeline', 'run'], /pipeline running/, {
    BANKOPS_ROLLOUT: 'canary',
    BANKOPS_ROLLOUT_SHARE: '0.5',
  });
  started.push(pipeline);
  const monitor = await spawnBankops(
    config,
    'monitor',
    ['monitor', '--interval', '2', '--since', new Date(watchStarted).toISOString()],
    /monitoring \(replayed/,
    // evidence the trigger passed over comes again within a minute; history every 10 s, so that the
    // report draws each version as a series over a few minutes
    { BANKOPS_MONITOR_COOLDOWN_S: '60', BANKOPS_MONITOR_HISTORY_S: '10' },
  );
  started.push(monitor);
  const alerts = await spawnBankops(config, 'alerts', ['alerts', 'receive'], /receiving alerts at/);
  started.push(alerts);
  ctx.processes = { ...ctx.processes, pipeline, monitor, alerts };
  return pipeline;
}

export const baselineStep: DemoStep = {
  name: 'baseline',
  title:
    'simulate clients with delayed ground truth (seed step 7); the monitor feeds Prometheus (seed step 8)',
  async run(ctx) {
    const { config } = ctx;
    const serving = need(ctx.serving, 'the demo server');
    const pipelineCtx = need(ctx.pipeline, 'the pipeline context');
    const championVersion = await servedVersion(serving);
    const watchStarted = Date.now();
    const pipeline = await startComponents(ctx, watchStarted);
    const again = await requestWithNothingNew(pipelineCtx);
    // the watch begins here, before the first client: its events, not the skipped request's
    ctx.watch = { started: watchStarted, championVersion, skip: await eventCount(pipelineCtx) };
    println(
      again.answer
        ? `   a retraining asked for before any new data: ${again.answer.type} ${summarize(again.answer)} (${(again.waited / 1000).toFixed(1)} s)`
        : `   a retraining asked for before any new data: no answer within 120 s (see ${pipeline.logFile})`,
    );
    // new customers like the ones the champion learned from: no drift expected
    const records = await simulationRecords(config, { count: 600, seed: 11, scenario: 'none' });
    const simulated = await simulate({
      url: serving.url,
      ...(serving.apiKey ? { apiKey: serving.apiKey } : {}),
      records,
      rate: 60,
      labelDelayMs: 3_000,
      labelCoverage: 1,
      seed: 11,
    });
    println(
      `   sent ${simulated.sent}, answered ${simulated.answered}, errors ${simulated.errors}, labels ${simulated.labelsSent}; latency p50 ${simulated.latencyMs.p50.toFixed(1)} ms, p99 ${simulated.latencyMs.p99.toFixed(1)} ms`,
    );
    await sleep(8_000); // a monitor interval and a Prometheus scrape
    const v = `model_version="${championVersion}"`;
    for (const [label, query] of [
      ['accuracy (last labelled)', `max(bankops_model_accuracy{window=~"last_.*",${v}})`],
      ['F1 (last labelled)', `max(bankops_model_f1{window=~"last_.*",${v}})`],
      ['ROC-AUC (last labelled)', `max(bankops_model_roc_auc{window=~"last_.*",${v}})`],
      ['drifted features', `max(bankops_model_drifted_features{${v}})`],
    ] as const) {
      println(`   Prometheus v${championVersion} ${label.padEnd(26)} ${await promValue(config, query)}`);
    }
  },
};
