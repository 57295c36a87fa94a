import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { getConfig, type Config } from '../../config/index.js';
import { logger } from '../../logging/index.js';
import { createPipelineContext, type PipelineContext } from '../../pipeline/context.js';
import { readPipelineEvents, summarize } from '../../pipeline/history.js';
import type { RunningConsumer } from '../../kafka/consumer.js';
import type { TrainingOptions } from '../../training/index.js';
import type { RolloutPolicy } from '../../registry/index.js';
import { printJson, println } from '../output.js';
import { trainingOptions } from './train.js';
import { GROUP } from '../../../topics/specs.js';
import { startPromoter } from '../../../consumers/promoter/main.js';
import { startRetrainTrigger } from '../../../consumers/retrain-trigger/main.js';
import { startTrainer } from '../../../consumers/trainer/main.js';

export interface RunningPipeline {
  contexts: PipelineContext[];
  consumers: RunningConsumer[];
  close(): Promise<void>;
}

/** The retrain trigger, the trainer and the promoter, each with its own consumer group. */
export async function startPipeline(
  config: Config,
  options: {
    names?: Partial<PipelineContext['names']>;
    training?: Partial<TrainingOptions>;
    threshold?: number;
    minDriftLabels?: number;
    rollout?: RolloutPolicy;
    groupSuffix?: string;
  } = {},
): Promise<RunningPipeline> {
  const suffix = options.groupSuffix ? `-${options.groupSuffix}` : '';
  const trigger = createPipelineContext(config, 'retrain-trigger', options.names);
  const trainer = createPipelineContext(config, 'trainer', options.names);
  const promoter = createPipelineContext(config, 'promoter', options.names);
  const contexts = [trigger, trainer, promoter];
  const consumers = await Promise.all([
    startRetrainTrigger(trigger, {
      threshold: options.threshold ?? config.retrain.thresholdRows,
      cooldownMs: config.retrain.cooldownMs,
      // the monitor repeats evidence that still holds once per its cooldown; a minute of slack
      evidenceMaxAgeMs: config.monitor.cooldownMs + 60_000,
      minDriftLabels: options.minDriftLabels ?? config.retrain.minDriftLabels,
      groupId: `${GROUP.retrainTrigger}${suffix}`,
    }),
    startTrainer(trainer, {
      training: { ...trainingOptions(config, { split: 'stratified' }), ...options.training },
      groupId: `${GROUP.trainer}${suffix}`,
    }),
    startPromoter(promoter, {
      metric: config.promotion.metric,
      floor: config.promotion.floor,
      margin: config.promotion.margin,
      rollout: options.rollout ?? config.rollout.policy,
      groupId: `${GROUP.promoter}${suffix}`,
    }),
  ]);
  return {
    contexts,
    consumers,
    async close() {
      await Promise.all(consumers.map((c) => c.close()));
      await Promise.all(contexts.map((c) => c.close()));
    },
  };
}

export function registerPipeline(program: Command): void {
  const pipeline = program
    .command('pipeline')
    .description('the event-driven chain: new batch → retrain → promote');
  pipeline
    .command('run')
    .description('run the retrain trigger, the trainer and the promoter until SIGTERM')
    .option(
      '--threshold <rows>',
      'customers rows and labelled predictions since the last training that trigger a retraining',
      Number,
    )
    .action(async (opts: { threshold?: number }) => {
      const config = getConfig();
      const running = await startPipeline(config, opts.threshold ? { threshold: opts.threshold } : {});
      println(`pipeline running (retrain threshold ${opts.threshold ?? config.retrain.thresholdRows} rows)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      logger('pipeline').info('stopping');
      await running.close();
    });

  pipeline
    .command('history')
    .description('every pipeline step with its time, inputs and outcome')
    .option('--limit <n>', 'only the last N events', Number)
    .option('--json', 'print JSON')
    .action(async (opts: { limit?: number; json?: boolean }) => {
      const ctx = createPipelineContext(getConfig(), 'history');
      try {
        const all = await readPipelineEvents(ctx.kafka, ctx.registry, ctx.names.eventsTopic);
        const shown = opts.limit ? all.slice(-opts.limit) : all;
        if (opts.json) {
          printJson(shown);
          return;
        }
        for (const e of shown)
          println(`${e.time}  ${e.type.padEnd(18)} ${e.component.padEnd(15)} ${summarize(e)}`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('retrain')
    .description(
      'request a retraining now (emits retrain.requested; `pipeline run` trains, or answers retrain.skipped when nothing is new)',
    )
    .action(async () => {
      const ctx = createPipelineContext(getConfig(), 'cli');
      try {
        const correlationId = `retrain-${randomUUID()}`;
        await ctx.emit(
          'retrain.requested',
          { trigger: 'manual', reason: 'requested from the command line' },
          correlationId,
        );
        println(`requested ${correlationId}`);
      } finally {
        await ctx.close();
      }
    });
}
