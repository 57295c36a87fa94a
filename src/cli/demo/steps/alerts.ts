import { summarize } from '../../../pipeline/history.js';
import { println } from '../../output.js';
import { need, took, type DemoContext, type DemoStep } from '../context.js';
import {
  ALERT_WAIT_MS,
  eventLine,
  firedAfter,
  firedSince,
  firingAlerts,
  promValue,
  waitForEvents,
} from '../events.js';
import { waitForLanded } from '../loop.js';

/** The drifted clients stop here: their tally, and the newest labelled answer the lineage follows back. */
async function stopDriftedClients(ctx: DemoContext): Promise<void> {
  const summary = await need(ctx.drift, 'the drifted clients of step 12').traffic.stop();
  println(
    `   drifted clients: sent ${summary.sent}, answered ${summary.answered}, errors ${summary.errors}, labels ${summary.labelsSent}`,
  );
  const traced = summary.predictions.filter((p) => p.labelled).at(-1)?.predictionId;
  if (traced !== undefined && (await waitForLanded(ctx.config, traced))) ctx.traced = traced;
}

export const alertsStep: DemoStep = {
  name: 'alerts',
  title: 'alerts: Prometheus rules → Alertmanager → the bankops webhook → alert.fired events',
  async run(ctx) {
    const { config } = ctx;
    const watch = need(ctx.watch, 'the watch of step 11');
    const drift = need(ctx.drift, 'the drifted clients of step 12');
    const fired = await waitForEvents(
      need(ctx.pipeline, 'the pipeline context'),
      watch.skip,
      (fresh) => {
        const names = firedSince(fresh, watch.started, drift.servedVersions);
        return (
          names.has('BankopsFeatureDrift') &&
          (names.has('BankopsModelAccuracyLow') || names.has('BankopsModelAccuracyBelowTest'))
        );
      },
      Math.max(30_000, drift.started + ALERT_WAIT_MS - Date.now()),
    );
    const shown = new Set<string>();
    for (const e of fired.events.filter((x) => firedAfter(x, watch.started, drift.servedVersions))) {
      const line = summarize(e);
      if (shown.has(line)) continue;
      shown.add(line);
      println(eventLine(e));
    }
    println(
      `   firing in Prometheus now: ${(await firingAlerts(config)).join(', ') || 'none'} (${took(drift.started)} after the drift began)`,
    );
    if (!fired.done) {
      // e.g. a champion whose training data already holds concept rows from an earlier run
      for (const version of drift.servedVersions) {
        const v = `model_version="${version}"`;
        println(
          `   v${version}: accuracy (last labelled) ${await promValue(config, `min(bankops_model_accuracy{window=~"last_.*",${v}})`)}, ` +
            `test accuracy ${await promValue(config, `max(bankops_model_champion_test_accuracy{${v}})`)}`,
        );
      }
    }
    await stopDriftedClients(ctx);
  },
};
