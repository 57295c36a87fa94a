import type { Command } from 'commander';
import { getConfig, type Config } from '../../config/index.js';
import { BankopsError } from '../../errors/index.js';
import { createPipelineContext } from '../../pipeline/context.js';
import { promote, rollback } from '../../pipeline/promote.js';
import { runTrainingSession } from '../../pipeline/train-session.js';
import { PROMOTION_METRICS, type PromotionMetric } from '../../registry/index.js';
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
  since?: string;
  split: 'stratified' | 'time';
  includeDuration?: boolean;
  gridLimit?: number;
  threads?: number;
  json?: boolean;
}

export function trainingOptions(config: Config, flags: TrainFlags): Partial<TrainingOptions> {
  const limit = flags.gridLimit ?? config.training.gridLimit;
  return {
    split: flags.split,
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
    .option('--snapshot <id>', 'train on the table as of this Iceberg snapshot (default: current)')
    .option(
      '--since <id>',
      "incremental: only the rows added after this snapshot (the workshop's incremental mode)",
    )
    .option(
      '--split <kind>',
      'stratified (the workshop: random 70/30, seed 42) or time (newest rows as test)',
      'stratified',
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
        const outcome = await runTrainingSession(ctx, {
          trigger: 'manual',
          options: trainingOptions(config, flags),
          ...(flags.snapshot ? { snapshotId: flags.snapshot } : {}),
          ...(flags.since ? { sinceSnapshotId: flags.since } : {}),
          onCandidate: (done, total) => bar.update(done, total),
        });
        bar.stop();
        if (flags.json) {
          printJson(outcome);
          return;
        }
        println(
          `trained ${outcome.candidates.length} candidates on ${outcome.table} @ ${outcome.snapshotId} (${outcome.rows} rows)`,
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
    .option('--margin <x>', 'may be at most this much below the champion', Number)
    .option('--json', 'print JSON')
    .action(
      async (flags: {
        modelVersion?: string;
        metric?: PromotionMetric;
        floor?: number;
        margin?: number;
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
          });
          if (flags.json) {
            printJson(outcome);
            return;
          }
          println(`${outcome.promoted ? 'PROMOTED' : 'REJECTED'} v${outcome.version}: ${outcome.reason}`);
          println(
            `  holdout: ${outcome.holdout.rows} rows (${outcome.holdout.positives} subscribed), ${outcome.holdout.description}`,
          );
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
