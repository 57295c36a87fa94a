import type { Command } from 'commander';
import { getConfig, type Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { createPipelineContext } from '../../pipeline/context.js';
import { promote, rollback } from '../../pipeline/promote.js';
import { describeSources, runTrainingSession } from '../../pipeline/train-session.js';
import { parseSources } from '../../pipeline/training-set.js';
import { parsePolicy, PROMOTION_METRICS, type PromotionMetric } from '../../registry/index.js';
import type { TrainingOptions } from '../../training/index.js';
import { byteProgress, printJson, println } from '../output.js';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new BankopsError('USAGE', `"${value}" is not a positive whole number`);
  return n;
}

function metric(value: string): PromotionMetric {
  if ((PROMOTION_METRICS as readonly string[]).includes(value)) return value as PromotionMetric;
  throw new BankopsError('USAGE', `unknown metric "${value}"`, {
    hint: `Metrics: ${PROMOTION_METRICS.join(', ')}`,
  });
}

const fixed = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(4));

interface TrainFlags {
  snapshot?: string;
  predictionsSnapshot?: string;
  groundTruthSnapshot?: string;
  sources?: string;
  force?: boolean;
  since?: string;
  split: 'stratified' | 'time';
  thresholdObjective?: string;
  includeDuration?: boolean;
  gridLimit?: number;
  threads?: number;
  json?: boolean;
}

export function trainingOptions(config: Config, flags: TrainFlags): Partial<TrainingOptions> {
  const limit = flags.gridLimit ?? config.training.gridLimit;
  const objective = flags.thresholdObjective ?? config.training.thresholdObjective;
  if (objective !== 'f1' && objective !== 'profit') {
    throw new BankopsError('USAGE', `--threshold-objective must be f1 or profit, got "${objective}"`);
  }
  return {
    split: flags.split,
    thresholdObjective: objective,
    includeDuration: flags.includeDuration === true,
    nthread: flags.threads ?? config.training.threads,
    costPerCall: config.economics.costPerCall,
    valuePerSubscription: config.economics.valuePerSubscription,
    ...(limit !== undefined ? { gridLimit: limit } : {}),
  };
}

export function registerTraining(program: Command): void {
  program
    .command('train')
    .description(
      'train the candidate grid on bank.customers, log every run to MLflow, register the best as challenger',
    )
    .option(
      '--sources <list>',
      'what to learn from: customers, traffic (labelled predictions) or both (default BANKOPS_TRAIN_SOURCES)',
    )
    .option('--snapshot <id>', 'bank.customers as of this Iceberg snapshot (default: current)')
    .option('--predictions-snapshot <id>', 'bank.predictions as of this snapshot (default: current)')
    .option('--ground-truth-snapshot <id>', 'bank.ground_truth as of this snapshot (default: current)')
    .option('--force', 'train even when nothing was added since the last training')
    .option(
      '--since <id>',
      "incremental: only the rows added after this snapshot (the workshop's incremental mode)",
    )
    .option(
      '--split <kind>',
      'without a champion: stratified (the workshop: 70/30 by customer, seed 42) or time (newest rows as test); against a champion the holdout is always the newest new rows',
      'stratified',
    )
    .option(
      '--threshold-objective <o>',
      'the decision threshold: f1 (best F1 on validation) or profit (most profit at the campaign economics; default BANKOPS_THRESHOLD_OBJECTIVE)',
    )
    .option(
      '--include-duration',
      "use `duration` (known only after the call; reproduces the workshop's scores)",
    )
    .option('--grid-limit <n>', 'train only the first N of the 18 grid candidates', wholeNumber)
    .option('--threads <n>', 'XGBoost threads', wholeNumber)
    .option('--json', 'print JSON')
    .action(async (flags: TrainFlags) => {
      if (flags.split !== 'stratified' && flags.split !== 'time') {
        throw new BankopsError('USAGE', `--split must be stratified or time, got "${String(flags.split)}"`);
      }
      const config = getConfig();
      const ctx = createPipelineContext(config, 'trainer');
      const bar = byteProgress('candidates');
      try {
        const sources = flags.sources === undefined ? undefined : parseSources(flags.sources);
        const snapshots = {
          ...(flags.snapshot ? { customers: flags.snapshot } : {}),
          ...(flags.predictionsSnapshot ? { predictions: flags.predictionsSnapshot } : {}),
          ...(flags.groundTruthSnapshot ? { groundTruth: flags.groundTruthSnapshot } : {}),
        };
        const outcome = await runTrainingSession(ctx, {
          trigger: 'manual',
          options: trainingOptions(config, flags),
          ...(sources ? { sources } : {}),
          snapshots,
          ...(flags.force ? { force: true } : {}),
          ...(flags.since ? { sinceSnapshotId: flags.since } : {}),
          onCandidate: (done, total) => bar.update(done, total),
        });
        bar.stop();
        if (flags.json) {
          printJson(outcome);
          return;
        }
        if (outcome.status === 'skipped') {
          println(`skipped: ${outcome.reason} (--force trains anyway)`);
          return;
        }
        println(
          `trained ${outcome.candidates.length} candidates on ${outcome.rows} rows: ${describeSources(outcome.sources)}`,
        );
        const left = outcome.excluded;
        println(
          `  ${outcome.newRows} rows new since the last training; left out: ${left.reserved} reserved for simulation, ${left.invalidTraffic} traffic rows with invalid features, ${left.duplicatePredictions + left.duplicateLabels} duplicates`,
        );
        println(
          `  holdout: ${outcome.holdout.rows} rows (${outcome.holdout.positives} subscribed, ${outcome.holdout.traffic} from traffic): ${outcome.holdout.description}`,
        );
        println(
          '  candidate                                   valid PR-AUC  test ROC-AUC  test PR-AUC  test F1  threshold',
        );
        for (const c of outcome.candidates) {
          const mark = c.runId === outcome.best.runId ? '*' : ' ';
          println(
            ` ${mark}${c.name.padEnd(43)} ${fixed(c.metrics['valid_pr_auc']).padStart(12)}  ${fixed(c.metrics['test_roc_auc']).padStart(12)}  ${fixed(c.metrics['test_pr_auc']).padStart(11)}  ${fixed(c.metrics['test_f1']).padStart(7)}  ${fixed(c.metrics['test_threshold']).padStart(9)}`,
          );
        }
        println(
          `best: ${outcome.best.name} → ${ctx.names.modelName} v${outcome.best.version} (alias challenger)`,
        );
        println(
          `MLflow: ${config.urls.mlflow}/#/experiments/${outcome.experimentId}/runs/${outcome.parentRunId}`,
        );
        println(
          `time: ${(outcome.timings.totalMs / 1000).toFixed(1)} s, ${((100 * outcome.timings.outsideMs) / outcome.timings.totalMs).toFixed(1)} % outside XGBoost`,
        );
      } finally {
        bar.stop();
        await ctx.close();
      }
    });

  program
    .command('promote')
    .description(
      'compare the challenger (or --model-version) with the champion on the same holdout; move the aliases if it passes',
    )
    .option('--model-version <v>', 'the model version to consider (default: the challenger alias)')
    .option(
      '--metric <m>',
      `gate metric: ${PROMOTION_METRICS.join(', ')} (accuracy reproduces the workshop)`,
      metric,
    )
    .option('--floor <x>', 'the metric must reach this value', Number)
    .option(
      '--margin <x>',
      "the interval's lower bound of (candidate − champion) must exceed this (0: significantly better)",
      Number,
    )
    .option(
      '--rollout <policy>',
      'after the gate: direct (promote now), shadow or canary (live labels decide; default BANKOPS_ROLLOUT)',
    )
    .option('--json', 'print JSON')
    .action(
      async (flags: {
        modelVersion?: string;
        metric?: PromotionMetric;
        floor?: number;
        margin?: number;
        rollout?: string;
        json?: boolean;
      }) => {
        const config = getConfig();
        const ctx = createPipelineContext(config, 'promoter');
        try {
          const outcome = await promote(ctx, {
            ...(flags.modelVersion ? { version: flags.modelVersion } : {}),
            metric: flags.metric ?? config.promotion.metric,
            floor: flags.floor ?? config.promotion.floor,
            margin: flags.margin ?? config.promotion.margin,
            rollout: parsePolicy(flags.rollout ?? config.rollout.policy),
          });
          if (flags.json) {
            printJson(outcome);
            return;
          }
          println(
            `${outcome.rollout ? `${outcome.rollout.policy.toUpperCase()} STARTED` : outcome.promoted ? 'PROMOTED' : 'REJECTED'} v${outcome.version}: ${outcome.reason}`,
          );
          println(
            `  holdout: ${outcome.holdout.rows} rows (${outcome.holdout.positives} subscribed, ${outcome.holdout.traffic} from traffic), ${outcome.holdout.description}`,
          );
          if (outcome.comparison) {
            const c = outcome.comparison;
            println(
              `  ${c.metric} difference ${c.difference.toFixed(4)}, ${Math.round(c.confidence * 100)} % interval [${c.low.toFixed(4)}, ${c.high.toFixed(4)}] (${c.method}, ${c.replicates} replicates, seed ${c.seed})`,
            );
          }
          const keys = Object.keys(outcome.candidateMetrics);
          println(
            `  ${'metric'.padEnd(10)} ${`v${outcome.version}`.padStart(10)} ${outcome.champion ? `v${outcome.champion}`.padStart(10) : ''}`,
          );
          for (const k of keys) {
            const champion = outcome.championMetrics?.[k];
            println(
              `  ${k.padEnd(10)} ${fixed(outcome.candidateMetrics[k]).padStart(10)} ${champion === undefined ? '' : fixed(champion).padStart(10)}`,
            );
          }
        } finally {
          await ctx.close();
        }
      },
    );

  program
    .command('rollback')
    .description("move the champion alias back to 'previous'")
    .action(async () => {
      const ctx = createPipelineContext(getConfig(), 'promoter');
      try {
        const done = await rollback(ctx);
        println(`champion is v${done.champion} again (was v${done.from ?? '?'})`);
      } finally {
        await ctx.close();
      }
    });
}
