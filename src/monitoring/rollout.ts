/**
 * The evidence a rollout is decided on, and the decision: pure. The monitor feeds every labelled
 * prediction (and every shadow score with the answer it shadows); a rollout reads the labelled traffic of
 * its two versions since it began.
 *
 * - canary: each version answered its own customers; a two-sample bootstrap of metric(challenger) −
 *   metric(champion) over each version's own labelled predictions.
 * - shadow: the challenger scored the very customers the champion answered; the answer's outcome labels
 *   both scores, and a paired bootstrap compares them on the same rows.
 */
import type { RolloutState } from '../registry/rollout.js';
import {
  pairedBootstrap,
  twoSampleBootstrap,
  type Arm,
  type CompareMetric,
  type Economics,
  type PairedComparison,
  type TwoSampleComparison,
} from '../training/index.js';
import type { LabelledPrediction } from './join.js';

interface ShadowScore {
  modelVersion: string;
  probability: number;
  decision: boolean;
}

/** Bounded memory of labelled predictions and shadow scores (oldest first out). */
export class RolloutEvidence {
  readonly #labelled: LabelledPrediction[] = [];
  readonly #shadows = new Map<string, ShadowScore>();

  constructor(private readonly capacity = 200_000) {}

  addLabelled(labelled: LabelledPrediction): void {
    this.#labelled.push(labelled);
    if (this.#labelled.length > this.capacity)
      this.#labelled.splice(0, this.#labelled.length - this.capacity);
  }

  /** A shadow score of the answer `shadowOf`. */
  addShadow(shadowOf: string, score: ShadowScore): void {
    this.#shadows.set(shadowOf, score);
    if (this.#shadows.size > this.capacity) {
      const oldest = this.#shadows.keys().next().value;
      if (oldest !== undefined) this.#shadows.delete(oldest);
    }
  }

  /** Labelled predictions of `version` answered as `variant` from `since` on, oldest first. */
  labelled(version: string, variant: string, since: number): LabelledPrediction[] {
    return this.#labelled
      .filter((l) => l.modelVersion === version && l.variant === variant && l.eventTime >= since)
      .sort((a, b) => a.eventTime - b.eventTime || (a.predictionId < b.predictionId ? -1 : 1));
  }

  shadowOf(predictionId: string): ShadowScore | undefined {
    return this.#shadows.get(predictionId);
  }
}

export interface RolloutDecisionOptions {
  now: number;
  replicates: number;
  confidence: number;
  economics: Economics;
  /** The lower bound must exceed this for a promotion (the promotion margin). */
  margin: number;
}

export type RolloutVerdict =
  | {
      status: 'collecting';
      /** Labelled predictions so far: each arm (canary), or pairs on both (shadow). */
      labels: { champion: number; challenger: number };
    }
  | {
      status: 'decided';
      action: 'promote' | 'rollback';
      by: 'labels' | 'time-limit';
      reason: string;
      labels: { champion: number; challenger: number };
      comparison: PairedComparison | TwoSampleComparison | null;
    };

const bothOutcomes = (rows: readonly { outcome: boolean }[]) =>
  rows.some((r) => r.outcome) && rows.some((r) => !r.outcome);

/** For rank metrics the probability; for threshold metrics the decision served (threshold 0.5 on 0/1). */
function scored(metric: CompareMetric, rows: readonly { probability: number; decision: boolean }[]) {
  const rank = metric === 'roc_auc' || metric === 'pr_auc';
  return {
    scores: rows.map((r) => (rank ? r.probability : r.decision ? 1 : 0)),
    threshold: 0.5,
  };
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

/**
 * Collecting until each arm (canary) or the pairs (shadow) hold `minLabels` labelled predictions with
 * both outcomes; then promote when the interval's lower bound clears the margin, else roll back. Past
 * the deadline an undecided rollout is rolled back. The first `minLabels` of each arm by prediction time
 * decide, so a monitor that replays after a restart reaches the same rows.
 */
export function decideRollout(
  evidence: RolloutEvidence,
  rollout: RolloutState,
  options: RolloutDecisionOptions,
): RolloutVerdict {
  const since = Date.parse(rollout.startedAt);
  const metric = rollout.metric as CompareMetric;
  const n = rollout.minLabels;
  const common = {
    replicates: options.replicates,
    confidence: options.confidence,
    economics: options.economics,
    metric,
  };
  let labels: { champion: number; challenger: number };
  let comparison: PairedComparison | TwoSampleComparison | undefined;
  if (rollout.policy === 'canary') {
    const champion = evidence.labelled(rollout.champion, 'champion', since);
    const challenger = evidence.labelled(rollout.challenger, 'challenger', since);
    labels = { champion: champion.length, challenger: challenger.length };
    const a = champion.slice(0, n);
    const b = challenger.slice(0, n);
    if (a.length >= n && b.length >= n && bothOutcomes(a) && bothOutcomes(b)) {
      const arm = (rows: LabelledPrediction[]): Arm => ({
        labels: rows.map((r) => (r.outcome ? 1 : 0)),
        ...scored(metric, rows),
      });
      comparison = twoSampleBootstrap({ ...common, candidate: arm(b), champion: arm(a) });
    }
  } else {
    const answered = evidence.labelled(rollout.champion, 'champion', since);
    const pairs = answered.flatMap((l) => {
      const shadow = evidence.shadowOf(l.predictionId);
      return shadow && shadow.modelVersion === rollout.challenger ? [{ answer: l, shadow }] : [];
    });
    labels = { champion: answered.length, challenger: pairs.length };
    const used = pairs.slice(0, n);
    if (used.length >= n && bothOutcomes(used.map((p) => p.answer))) {
      comparison = pairedBootstrap({
        ...common,
        labels: used.map((p) => (p.answer.outcome ? 1 : 0)),
        candidate: scored(
          metric,
          used.map((p) => p.shadow),
        ),
        champion: scored(
          metric,
          used.map((p) => p.answer),
        ),
      });
    }
  }
  if (comparison) {
    const promote = comparison.low > options.margin + 1e-12;
    const what = `${metric} v${rollout.challenger} ${comparison.candidate.toFixed(3)} vs v${rollout.champion} ${comparison.champion.toFixed(3)} on live labels: ${signed(comparison.difference)}, ${Math.round(comparison.confidence * 100)} % CI [${signed(comparison.low)}, ${signed(comparison.high)}] (${rollout.policy}, ${labels.challenger} challenger / ${labels.champion} champion labels; first ${n} each)`;
    return {
      status: 'decided',
      action: promote ? 'promote' : 'rollback',
      by: 'labels',
      reason: `${what}; ${promote ? `lower bound above margin ${options.margin}` : `not better (lower bound ≤ margin ${options.margin})`}`,
      labels,
      comparison,
    };
  }
  if (options.now >= Date.parse(rollout.deadline)) {
    return {
      status: 'decided',
      action: 'rollback',
      by: 'time-limit',
      reason: `time limit: no decision by ${rollout.deadline} (${labels.challenger} challenger / ${labels.champion} champion labels of ${n} needed)`,
      labels,
      comparison: null,
    };
  }
  return { status: 'collecting', labels };
}
