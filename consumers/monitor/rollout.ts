import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../../src/config/index.js';
import type { Logger } from '../../src/logging/index.js';
import { decideRollout, type Monitor } from '../../src/monitoring/index.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { activeRollout } from '../../src/pipeline/rollout.js';

/**
 * Every tick: the rollout collecting labels (from the registry), judged on the monitor's labelled traffic;
 * one `rollout.decided` per rollout once the labels (or the time limit) decide. Gauges show the progress.
 * The state lives in the registry and the event log, so a restarted monitor judges the same rollout again
 * from its replay (and the promoter ignores a decision about a rollout that is over).
 */
export class RolloutJudge {
  readonly #decided = new Set<string>();
  readonly #labels: Gauge;
  readonly #interval: Gauge;
  readonly #stage: Gauge;
  readonly #deadline: Gauge;

  constructor(
    private readonly ctx: PipelineContext,
    private readonly monitor: Monitor,
    registry: Registry,
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.#labels = new Gauge({
      name: 'bankops_rollout_labels',
      help: 'Labelled predictions of the rollout collecting labels, per arm (shadow: pairs for the challenger)',
      labelNames: ['policy', 'champion', 'challenger', 'arm'],
      registers: [registry],
    });
    this.#interval = new Gauge({
      name: 'bankops_rollout_difference',
      help: 'The decided rollout: challenger − champion on live labels, and the interval bounds',
      labelNames: ['policy', 'champion', 'challenger', 'metric', 'bound'],
      registers: [registry],
    });
    this.#stage = new Gauge({
      name: 'bankops_rollout_active',
      help: '1 while a rollout collects labels (with its policy, versions and share)',
      labelNames: ['policy', 'champion', 'challenger', 'share'],
      registers: [registry],
    });
    this.#deadline = new Gauge({
      name: 'bankops_rollout_deadline_seconds',
      help: 'When the rollout collecting labels is rolled back undecided (Unix time)',
      labelNames: ['policy', 'champion', 'challenger'],
      registers: [registry],
    });
  }

  async judge(now: number): Promise<void> {
    const active = await activeRollout(this.ctx);
    this.#stage.reset();
    this.#labels.reset();
    this.#deadline.reset();
    if (!active) return;
    const { state } = active;
    const key = `${state.challenger}@${state.startedAt}`;
    const about = { policy: state.policy, champion: state.champion, challenger: state.challenger };
    this.#stage.set({ ...about, share: String(state.share) }, 1);
    this.#deadline.set(about, Date.parse(state.deadline) / 1000);
    const verdict = decideRollout(this.monitor.rollout, state, {
      now,
      replicates: this.config.promotion.replicates,
      confidence: this.config.promotion.confidence,
      economics: this.config.economics,
      margin: this.config.promotion.margin,
    });
    this.#labels.set({ ...about, arm: 'champion' }, verdict.labels.champion);
    this.#labels.set({ ...about, arm: 'challenger' }, verdict.labels.challenger);
    if (verdict.status !== 'decided' || this.#decided.has(key)) return;
    this.#decided.add(key);
    if (verdict.comparison) {
      const c = verdict.comparison;
      for (const [bound, value] of [
        ['difference', c.difference],
        ['low', c.low],
        ['high', c.high],
      ] as const) {
        this.#interval.set({ ...about, metric: c.metric, bound }, value);
      }
    }
    await this.ctx.emit(
      'rollout.decided',
      {
        model: this.ctx.names.modelName,
        version: state.challenger,
        champion: state.champion,
        action: verdict.action,
        by: verdict.by,
        reason: verdict.reason,
        labels: verdict.labels,
        comparison: verdict.comparison,
        rollout: state,
      },
      state.correlationId ?? `rollout-v${state.challenger}`,
    );
    this.log.warn(
      { version: state.challenger, action: verdict.action, reason: verdict.reason },
      'rollout decided',
    );
  }
}
