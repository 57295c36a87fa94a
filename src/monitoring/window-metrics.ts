import type { Economics } from '../training/metrics.js';
import {
  accuracy,
  brier,
  confusionAt,
  expectedCalibrationError,
  expectedProfitPer1000,
  f1,
  prAuc,
  precision,
  profit,
  recall,
  rocAuc,
} from '../training/metrics.js';
import type { EstimatedMetrics, ExpectedConfusion } from './estimate.js';
import { estimateFromConfusion } from './estimate.js';

/**
 * The labelled predictions of one window in compact typed arrays: growable, or a ring buffer of fixed
 * capacity (the last-N window). Order inside does not matter to any metric.
 */
export class LabelledSample {
  private scores: Float64Array;
  private outcomes: Uint8Array;
  private decisions: Uint8Array;
  private count = 0;
  private next = 0;

  constructor(private readonly capacity?: number) {
    const initial = capacity ?? 64;
    this.scores = new Float64Array(initial);
    this.outcomes = new Uint8Array(initial);
    this.decisions = new Uint8Array(initial);
  }

  get length(): number {
    return this.count;
  }

  /** Appends (or overwrites the oldest, for a ring); returns the slot written. */
  push(probability: number, outcome: boolean, decision: boolean): number {
    if (this.capacity === undefined && this.count === this.scores.length) this.grow();
    const slot = this.capacity === undefined ? this.count : this.next;
    this.scores[slot] = probability;
    this.outcomes[slot] = outcome ? 1 : 0;
    this.decisions[slot] = decision ? 1 : 0;
    if (this.capacity !== undefined) this.next = (this.next + 1) % this.capacity;
    if (this.capacity === undefined || this.count < this.capacity) this.count += 1;
    return slot;
  }

  private grow(): void {
    const size = this.scores.length * 2;
    const scores = new Float64Array(size);
    scores.set(this.scores);
    const outcomes = new Uint8Array(size);
    outcomes.set(this.outcomes);
    const decisions = new Uint8Array(size);
    decisions.set(this.decisions);
    this.scores = scores;
    this.outcomes = outcomes;
    this.decisions = decisions;
  }

  view(): { scores: Float64Array; outcomes: Uint8Array; decisions: Uint8Array } {
    return {
      scores: this.scores.subarray(0, this.count),
      outcomes: this.outcomes.subarray(0, this.count),
      decisions: this.decisions.subarray(0, this.count),
    };
  }

  calledCount(): number {
    let n = 0;
    for (let i = 0; i < this.count; i += 1) n += this.decisions[i] as number;
    return n;
  }
}

export interface QualityMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  prAuc: number;
  brier: number;
  /** Realized campaign profit among labelled predictions: value × subscriptions called − cost × calls. */
  profit: number;
  /** The same per 1,000 labelled predictions (comparable across windows and versions). */
  profitPer1000: number;
  /** What the scores promised for the same calls, per 1,000 (probability × value − cost over calls). */
  expectedProfitPer1000: number;
  /** Expected calibration error over 10 probability bins. */
  ece: number;
}

export interface WindowReport {
  modelVersion: string;
  variant: string;
  /** The `window` label: a tumbling size name ("5m") or "last_<N>". */
  window: string;
  kind: 'tumbling' | 'count';
  /** Tumbling: the window's bounds (ms, end exclusive). Count: the oldest member's event time, end null. */
  start: number | null;
  end: number | null;
  predictions: number;
  labels: number;
  /** Labelled predictions whose outcome was positive (subscribed). */
  positives: number;
  /** labelled / predictions. */
  coverage: number;
  /** Share of predictions decided "call". */
  positiveRate: number;
  insufficient: boolean;
  insufficientReason: 'too_few_labels' | 'single_class' | null;
  /** null when insufficient: a handful of labels would give noise, not a signal. */
  metrics: QualityMetrics | null;
  /** CBPE over the window's still-unlabelled predictions; null if too few (or a count window). */
  estimate: EstimatedMetrics | null;
}

export interface WindowInput {
  modelVersion: string;
  variant: string;
  window: string;
  kind: 'tumbling' | 'count';
  start: number | null;
  end: number | null;
  predictions: number;
  called: number;
  sample: LabelledSample;
  unlabelled: ExpectedConfusion | null;
  economics: Economics;
  minLabels: number;
  minForEstimate: number;
  coverageOverride?: number | null;
}

export function windowReport(input: WindowInput): WindowReport {
  const { sample, predictions } = input;
  const labels = sample.length;
  const { scores, outcomes, decisions } = sample.view();
  let positives = 0;
  for (let i = 0; i < labels; i += 1) positives += outcomes[i] as number;
  const reason =
    labels < input.minLabels
      ? 'too_few_labels'
      : positives === 0 || positives === labels
        ? 'single_class'
        : null;
  let metrics: QualityMetrics | null = null;
  if (reason === null) {
    // The served decision defines the confusion matrix (thresholds may differ between versions): as 0/1
    // scores against a 0.5 threshold it goes through the training code's own confusionAt.
    const confusion = confusionAt(outcomes, decisions, 0.5);
    metrics = {
      accuracy: accuracy(confusion),
      precision: precision(confusion),
      recall: recall(confusion),
      f1: f1(confusion),
      rocAuc: rocAuc(outcomes, scores),
      prAuc: prAuc(outcomes, scores),
      brier: brier(outcomes, scores),
      profit: profit(confusion, input.economics),
      profitPer1000: (profit(confusion, input.economics) / labels) * 1000,
      expectedProfitPer1000: expectedProfitPer1000(scores, decisions, input.economics),
      ece: expectedCalibrationError(outcomes, scores),
    };
  }
  const estimate =
    input.unlabelled !== null && input.unlabelled.count >= input.minForEstimate
      ? estimateFromConfusion(input.unlabelled)
      : null;
  const coverage = input.coverageOverride ?? (predictions === 0 ? 0 : labels / predictions);
  const positiveRate =
    input.kind === 'count'
      ? labels === 0
        ? 0
        : input.called / labels
      : predictions === 0
        ? 0
        : input.called / predictions;
  return {
    modelVersion: input.modelVersion,
    variant: input.variant,
    window: input.window,
    kind: input.kind,
    start: input.start,
    end: input.end,
    predictions,
    labels,
    positives,
    coverage,
    positiveRate,
    insufficient: reason !== null,
    insufficientReason: reason,
    metrics,
    estimate,
  };
}
