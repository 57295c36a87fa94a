import path from 'node:path';
import type { Command } from 'commander';
import { buildEdaReport } from '../../reports/eda.js';
import { buildStakeholderReport } from '../../reports/report.js';
import { writeReport } from '../../reports/write.js';
import { getConfig, type Config } from '../../config/index.js';
import { createKafka } from '../../kafka/client.js';
import { createRegistry } from '../../kafka/registry.js';
import { applyTopics } from '../../kafka/topics.js';
import { withLake } from '../../lake/duckdb.js';
import { batchIdsBySnapshot, snapshots } from '../../lake/snapshots.js';
import { readBundledDataset } from '../../data/index.js';
import { logger } from '../../logging/index.js';
import { stackDown } from '../../stack/stack.js';
import { createPipelineContext } from '../../pipeline/context.js';
import { summarize } from '../../pipeline/history.js';
import { promote } from '../../pipeline/promote.js';
import { describeSources, runTrainingSession } from '../../pipeline/train-session.js';
import { lineage } from '../../pipeline/lineage.js';
import { lineageLines } from './lineage.js';
import { canaryOfTheFirstModel, decisionLines, requestWithNothingNew, waitForLanded } from '../demo/loop.js';
import { println } from '../output.js';
import { spawnBankops } from '../demo/processes.js';
import { simulationRecords } from '../../../producers/simulator/records.js';
import { simulate, type SimulationSummary } from '../../../producers/simulator/run.js';
import { servedVersion, startDemoServing, traffic, workshopCall } from '../demo/serving.js';
import { labelledTraffic } from '../demo/drift.js';
import {
  ALERT_WAIT_MS,
  EVIDENCE_TRIGGERS,
  eventCount,
  chainEvent,
  firedAfter,
  firedSince,
  firingAlerts,
  promotedVersions,
  promValue,
  retrainDecided,
  waitForEvents,
} from '../demo/events.js';
import { readCustomers } from '../../lake/readers.js';
import { trainingOptions } from './train.js';
import { printServiceTable, runStackUp } from './stack.js';
import { publishSyntheticBatch } from '../../../producers/batch.js';
import { batchRowsInLake, fileBatchId, loadDataset } from '../../../producers/loader.js';
import { TOPICS } from '../../../topics/specs.js';

export interface DemoOptions {
  keepRunning: boolean;
  /** Rows of the synthetic batch (the end-to-end test uses fewer). */
  batchRows: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForBatch(
  config: Config,
  batchId: string,
  rows: number,
  timeoutMs = 180_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const landed = await batchRowsInLake(config, batchId);
    if (landed >= rows || Date.now() > deadline) return landed;
    await sleep(500);
  }
}

function step(n: number, title: string): number {
  println('');
  println(`${n}. ${title}`);
  return Date.now();
}

const took = (start: number) => `${((Date.now() - start) / 1000).toFixed(1)} s`;
const fmt = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(3));

/** The whole lifecycle in one command. Each capability adds its steps here. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const config = getConfig();
  const started = Date.now();
  let edaFile: string | undefined;
  let traced: string | undefined;
  println('bankops demo');
  println(`BANKOPS_HOME ${config.home}`);

  let t = step(
    1,
    'the local stack (Kafka, schema registry, Iceberg REST catalog, MLflow, Prometheus, Alertmanager)',
  );
  printServiceTable(await runStackUp(undefined));
  println(`   ready in ${took(t)}`);

  step(2, 'topics and Avro schemas');
  const applied = await applyTopics(
    config,
    createKafka(config, 'bankops-demo'),
    createRegistry(config),
    TOPICS,
  );
  for (const a of applied)
    println(`   ${a.created ? 'created' : 'exists '} ${a.name} (schema id ${a.schemaId})`);

  step(3, 'the lake writer (Kafka → Iceberg through DuckDB), in its own process');
  const writer = await spawnBankops(config, 'lake-writer', ['lake', 'write'], /lake writer running/);
  println(
    `   pid ${writer.child.pid}, log ${writer.logFile}; /metrics at ${config.host}:${config.lakeWriter.metricsPort}`,
  );
  try {
    t = step(4, 'the UCI Bank Marketing data (seed steps 1 and 2)');
    const uciBatch = fileBatchId(await readBundledDataset());
    const already = await batchRowsInLake(config, uciBatch);
    if (already > 0) {
      println(`   batch ${uciBatch} is already in the lake (${already} rows)`);
    } else {
      const loaded = await loadDataset(config);
      println(`   published ${loaded.rows} rows as batch ${loaded.batchId}`);
      const landed = await waitForBatch(config, loaded.batchId, loaded.rows);
      println(`   landed in Iceberg bank.customers: ${landed} rows (${took(t)})`);
    }

    t = step(5, `a synthetic batch of new customers with drift (seed step 6.1)`);
    const batch = await publishSyntheticBatch(config, {
      rows: options.batchRows,
      seed: Date.now() % 100_000,
      scenario: 'older',
    });
    const landed = await waitForBatch(config, batch.batchId, batch.rows);
    println(
      `   published ${batch.rows} rows (scenario "older") as ${batch.batchId}; landed ${landed} (${took(t)})`,
    );

    step(6, 'Iceberg snapshots of bank.customers (one per commit)');
    await withLake(config, async (lake) => {
      const list = await snapshots(lake, config, 'bank.customers');
      const shown = list.slice(-5);
      const before =
        list.length > shown.length ? (list[list.length - shown.length - 1]?.snapshotId ?? null) : null;
      const batches = await batchIdsBySnapshot(lake, 'bank.customers', shown, before);
      for (const s of list.slice(-5)) {
        println(
          `   #${s.sequenceNumber} ${s.snapshotId} +${s.summary['added-records'] ?? '?'} rows, total ${s.summary['total-records'] ?? '?'}: ${(batches.get(s.snapshotId) ?? []).join(', ')}`,
        );
      }
    });

    t = step(7, 'the EDA report from the Iceberg table (seed step 3)');
    const eda = await buildEdaReport(config, { table: 'bank.customers' });
    edaFile = await writeReport(path.join(config.home, 'reports', 'eda.html'), eda.html);
    println(
      `   ${eda.charts} charts on ${eda.rows} rows @ snapshot ${eda.snapshotId}: ${edaFile} (${took(t)})`,
    );

    t = step(
      8,
      'train the candidate grid on bank.customers (and any labelled traffic), every run in MLflow (seed step 4)',
    );
    const ctx = createPipelineContext(config, 'demo');
    try {
      const trained = await runTrainingSession(ctx, {
        trigger: 'demo',
        options: trainingOptions(config, { split: 'stratified' }),
      });
      if (trained.status === 'skipped') {
        println(`   skipped: ${trained.reason}`);
      } else {
        const best = trained.best;
        println(
          `   ${trained.candidates.length} candidates on ${trained.rows} rows: ${describeSources(trained.sources)} (${took(t)})`,
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

        step(9, 'register the best and promote it if it passes the gates (seed step 5)');
        const decision = await promote(ctx, { ...config.promotion });
        println(`   ${decision.promoted ? 'promoted' : 'rejected'} v${decision.version}: ${decision.reason}`);
        if (!decision.comparison) {
          println(
            `   (no champion to compare with: the floor decides; later decisions rest on a paired bootstrap interval)`,
          );
        }
      }

      t = step(
        10,
        'serve the champion over HTTP (Fastify), the workshop payload on /invocations (seed step 5)',
      );
      const serving = await startDemoServing(config);
      try {
        const sample = await withLake(config, (lake) => readCustomers(lake, { sample: 2_000, seed: 7 }));
        println(`   serving at ${serving.url} (docs ${serving.url}/docs) in ${took(t)}`);
        const call = await workshopCall(serving, sample.slice(0, 3));
        println(
          `   POST /invocations {"dataframe_split": …3 customers…} → ${call.status} ${JSON.stringify(call.body).slice(0, 160)}`,
        );

        t = step(
          11,
          'simulate clients with delayed ground truth (seed step 7); the monitor feeds Prometheus (seed step 8)',
        );
        const championVersion = await servedVersion(serving);
        // The monitor watches this run's clients only (--since): a champion kept from an earlier run has
        // that run's drifted traffic in its history. The pipeline starts first, because its trigger's new
        // consumer group begins at the newest events and must have joined before the first drift.detected.
        const watchStarted = Date.now();
        // a challenger that passes the offline gate meets live clients first: a canary of half the customers
        const pipeline = await spawnBankops(config, 'pipeline', ['pipeline', 'run'], /pipeline running/, {
          BANKOPS_ROLLOUT: 'canary',
          BANKOPS_ROLLOUT_SHARE: '0.5',
        });
        const monitor = await spawnBankops(
          config,
          'monitor',
          ['monitor', '--interval', '2', '--since', new Date(watchStarted).toISOString()],
          /monitoring \(replayed/,
          // evidence the trigger passed over comes again within a minute; history every 10 s, so that the
          // report draws each version as a series over a few minutes
          { BANKOPS_MONITOR_COOLDOWN_S: '60', BANKOPS_MONITOR_HISTORY_S: '10' },
        );
        const receiver = await spawnBankops(config, 'alerts', ['alerts', 'receive'], /receiving alerts at/);
        try {
          const again = await requestWithNothingNew(ctx);
          // the watch begins here, before the first client: its events, not the skipped request's
          const watchSkip = await eventCount(ctx);
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
            println(
              `   Prometheus v${championVersion} ${label.padEnd(26)} ${await promValue(config, query)}`,
            );
          }

          t = step(
            12,
            'clients drift (telephone contact, and who subscribes changes): the monitor sees it and asks for a retraining',
          );
          const driftStarted = Date.now();
          // the versions that answer the watched clients: the champion now, and whatever is promoted meanwhile
          const servedDuringDrift = new Set([championVersion, await servedVersion(serving)]);
          const drifted = await labelledTraffic(config, serving, {
            scenario: ['telephone', 'concept'],
            rate: 40,
            maxSeconds: 600,
            labelDelayMs: 2_000,
            seed: (Date.now() + 3) % 100_000,
          });
          let driftSummary: SimulationSummary | undefined;
          try {
            // from the start of the watch: if the baseline's own records already drift, that counts too
            const evidence = await waitForEvents(
              ctx,
              watchSkip,
              retrainDecided((e) => EVIDENCE_TRIGGERS.has(String(e.payload['trigger']))),
              240_000,
            );
            promotedVersions(evidence.events).forEach((v) => servedDuringDrift.add(v));
            for (const e of evidence.events.filter(chainEvent))
              println(`   ${e.time}  ${e.type.padEnd(20)} ${summarize(e)}`);
            for (const line of decisionLines(evidence.events)) println(line);
            if (!evidence.done)
              println(
                `   no retraining from monitoring evidence within 240 s; the trigger's decisions are in ${pipeline.logFile}`,
              );
            println(`   (${took(t)})`);

            t = step(
              13,
              'the chain under traffic: a concept-drift batch past the threshold → retrain → promote or reject → swap (seed step 6)',
            );
            const load = traffic(serving, sample);
            const skip = await eventCount(ctx);
            const batch = await publishSyntheticBatch(config, {
              rows: config.retrain.thresholdRows,
              seed: (Date.now() + 1) % 100_000,
              scenario: 'concept',
            });
            println(`   published ${batch.rows} rows (scenario "concept") as ${batch.batchId}`);
            const chain = await waitForEvents(
              ctx,
              skip,
              retrainDecided((e) => e.payload['trigger'] === 'rows'),
              300_000,
            );
            promotedVersions(chain.events).forEach((v) => servedDuringDrift.add(v));
            for (const e of chain.events.filter(chainEvent))
              println(`   ${e.time}  ${e.type.padEnd(20)} ${summarize(e)}`);
            for (const line of decisionLines(chain.events)) println(line);
            // let serving pick up a promotion before the traffic stops
            if (chain.events.some((e) => e.type === 'model.promoted')) await sleep(3_000);
            const summary = await load.stop();
            println(
              `   traffic during the chain: ${summary.sent} requests, ${summary.ok} answered, ${summary.failed} failed; answers by model version: ${JSON.stringify(summary.versions)} (${took(t)})`,
            );
            // A worse model in front of the same clients: the labels roll it back by themselves.
            for (const line of await canaryOfTheFirstModel(ctx)) println(line);
            // The pipeline keeps running through the alerts: evidence the monitor reports meanwhile is consumed
            // (and ignored within the cooldown) instead of being left to the next run's trigger.

            t = step(
              14,
              'alerts: Prometheus rules → Alertmanager → the bankops webhook → alert.fired events',
            );
            const fired = await waitForEvents(
              ctx,
              watchSkip,
              (fresh) => {
                const names = firedSince(fresh, watchStarted, servedDuringDrift);
                return (
                  names.has('BankopsFeatureDrift') &&
                  (names.has('BankopsModelAccuracyLow') || names.has('BankopsModelAccuracyBelowTest'))
                );
              },
              Math.max(30_000, driftStarted + ALERT_WAIT_MS - Date.now()),
            );
            const shown = new Set<string>();
            for (const e of fired.events.filter((x) => firedAfter(x, watchStarted, servedDuringDrift))) {
              const line = summarize(e);
              if (shown.has(line)) continue;
              shown.add(line);
              println(`   ${e.time}  ${e.type.padEnd(20)} ${line}`);
            }
            println(
              `   firing in Prometheus now: ${(await firingAlerts(config)).join(', ') || 'none'} (${took(driftStarted)} after the drift began)`,
            );
            if (!fired.done) {
              // e.g. a champion whose training data already holds concept rows from an earlier run
              for (const version of servedDuringDrift) {
                const v = `model_version="${version}"`;
                println(
                  `   v${version}: accuracy (last labelled) ${await promValue(config, `min(bankops_model_accuracy{window=~"last_.*",${v}})`)}, ` +
                    `test accuracy ${await promValue(config, `max(bankops_model_champion_test_accuracy{${v}})`)}`,
                );
              }
            }
          } finally {
            driftSummary = await drifted.stop();
          }
          println(
            `   drifted clients: sent ${driftSummary.sent}, answered ${driftSummary.answered}, errors ${driftSummary.errors}, labels ${driftSummary.labelsSent}`,
          );
          // the newest labelled answer: the lineage at the end follows it back to its data
          traced = driftSummary.predictions.filter((p) => p.labelled).at(-1)?.predictionId;
          if (traced !== undefined && !(await waitForLanded(config, traced))) traced = undefined;
        } finally {
          await Promise.all([monitor.stop(), receiver.stop(), pipeline.stop()]);
        }
      } finally {
        await serving.process.stop();
      }
    } finally {
      await ctx.close();
    }
  } finally {
    await writer.stop();
  }

  step(15, 'the stakeholder report (seed step 8)');
  const report = await buildStakeholderReport(config, {
    monitoringTable: 'bank.monitoring_metrics',
    modelName: 'bank-marketing',
  });
  const reportFile = await writeReport(path.join(config.home, 'reports', 'report.html'), report.html);
  println(`   ${report.charts} charts, ${report.monitoringRows} monitoring rows: ${reportFile}`);

  step(16, 'lineage: one prediction back to the data its model learned from');
  if (traced === undefined) {
    println('   no labelled prediction landed in the lake to follow');
  } else {
    const lineageCtx = createPipelineContext(config, 'demo');
    try {
      for (const line of lineageLines(await lineage(lineageCtx, traced))) println(`   ${line}`);
      println(`   (bin/bankops lineage ${traced} --json gives the same as JSON)`);
    } finally {
      await lineageCtx.close();
    }
  }

  println('');
  println('Where to look:');
  if (edaFile) println(`  EDA report           ${edaFile}`);
  println(`  Stakeholder report   ${reportFile}`);
  println(`  MLflow UI            ${config.urls.mlflow}`);
  println(
    `  API docs             http://${config.serving.host}:${config.serving.port}/docs (the demo's server has stopped: bin/bankops serve)`,
  );
  println(`  Prometheus           ${config.urls.prometheus}`);
  println(`  Alertmanager         ${config.urls.alertmanager}`);
  println(`  Schema registry      ${config.urls.schemaRegistry}/subjects`);
  println(`  Iceberg REST catalog ${config.urls.catalog}/v1/namespaces`);
  println(`  Kafka bootstrap      ${config.kafka.brokers.join(',')}`);
  println(`  Lake                 bin/bankops lake query "select count(*) from lake.bank.customers"`);
  println('');
  println(`demo finished in ${took(started)}`);
  if (options.keepRunning) {
    println(
      'the stack keeps running, so every UI above answers; stop it with `bin/bankops stack down` (or `make stack-down`)',
    );
  } else {
    await stackDown({ config, log: logger('demo') });
    println('stack stopped (--stop-stack); the UIs above answer again after `bin/bankops stack up`');
  }
}

/** Ctrl-C (or a closed output pipe) ends the demo through 'exit', which stops its component processes. */
function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => process.exit(130));
  process.stdout.on('error', () => process.exit(1));
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole lifecycle on the local stack')
    .option('--keep-running', 'leave the stack running afterwards (the default)')
    .option('--stop-stack', 'stop the stack at the end')
    .option('--batch-rows <n>', 'rows of the synthetic batch', (v) => Number(v), 2_000)
    .action(async (opts: { keepRunning?: boolean; stopStack?: boolean; batchRows: number }) => {
      exitOnSignals();
      await runDemo({ keepRunning: opts.stopStack !== true, batchRows: opts.batchRows });
    });
}
