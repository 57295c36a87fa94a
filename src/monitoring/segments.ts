/**
 * Quality per segment of customers: a model can hold its overall accuracy while failing one group (the
 * telephone contacts of a drift, the retired). Two bounded dimensions: the contact type and an age band;
 * per (version, variant, dimension, value) the last N labelled predictions. Cardinality is capped: past
 * `maxValues` distinct values a dimension's new values count as `other`, so a client sending odd values
 * cannot grow the metric families without bound.
 */
import { accuracy, confusionAt, rocAuc } from '../training/metrics.js';
import type { LabelledPrediction } from './join.js';
import { LabelledSample } from './window-metrics.js';

export const SEGMENT_DIMENSIONS = ['contact', 'age_band'] as const;
export type SegmentDimension = (typeof SEGMENT_DIMENSIONS)[number];

export interface SegmentReport {
  modelVersion: string;
  variant: string;
  dimension: SegmentDimension;
  value: string;
  labels: number;
  accuracy: number | null;
  rocAuc: number | null;
}

export function ageBand(age: number): string {
  if (age < 30) return '<30';
  if (age < 45) return '30-44';
  if (age < 60) return '45-59';
  return '60+';
}

const CONTACT = /"contact"\s*:\s*"([^"]{1,40})"/;
const AGE = /"age"\s*:\s*(-?\d{1,4})/;

/** The segment values of a served record (from its features JSON, without parsing all of it). */
export function segmentsOf(featuresJson: string): Partial<Record<SegmentDimension, string>> {
  const out: Partial<Record<SegmentDimension, string>> = {};
  const contact = CONTACT.exec(featuresJson)?.[1];
  if (contact !== undefined) out.contact = contact;
  const age = AGE.exec(featuresJson)?.[1];
  if (age !== undefined) out.age_band = ageBand(Number(age));
  return out;
}

export interface SegmentOptions {
  lastN: number;
  minLabels: number;
  maxValues: number;
  /** Predictions waiting for their label, at most (oldest forgotten first). */
  maxPending: number;
}

export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = {
  lastN: 1000,
  minLabels: 100,
  maxValues: 8,
  maxPending: 200_000,
};

export class SegmentTracker {
  readonly #pending = new Map<string, Partial<Record<SegmentDimension, string>>>();
  readonly #samples = new Map<
    string,
    { key: Omit<SegmentReport, 'labels' | 'accuracy' | 'rocAuc'>; sample: LabelledSample }
  >();
  readonly #values = new Map<string, Set<string>>();
  readonly #options: SegmentOptions;

  constructor(options: Partial<SegmentOptions> = {}) {
    this.#options = { ...DEFAULT_SEGMENT_OPTIONS, ...options };
  }

  addPrediction(predictionId: string, featuresJson: string): void {
    this.#pending.set(predictionId, segmentsOf(featuresJson));
    if (this.#pending.size > this.#options.maxPending) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
  }

  /** The value a dimension reports under: itself, or `other` once the dimension is full. */
  #bounded(scope: string, dimension: SegmentDimension, value: string): string {
    const key = `${scope}\u0000${dimension}`;
    let seen = this.#values.get(key);
    if (seen === undefined) {
      seen = new Set();
      this.#values.set(key, seen);
    }
    if (seen.has(value)) return value;
    if (seen.size >= this.#options.maxValues) return 'other';
    seen.add(value);
    return value;
  }

  addLabelled(labelled: LabelledPrediction): void {
    const segments = this.#pending.get(labelled.predictionId);
    if (segments === undefined) return;
    this.#pending.delete(labelled.predictionId);
    const scope = `${labelled.modelVersion}\u0000${labelled.variant}`;
    for (const dimension of SEGMENT_DIMENSIONS) {
      const raw = segments[dimension];
      if (raw === undefined) continue;
      const value = this.#bounded(scope, dimension, raw);
      const key = `${scope}\u0000${dimension}\u0000${value}`;
      let entry = this.#samples.get(key);
      if (entry === undefined) {
        entry = {
          key: { modelVersion: labelled.modelVersion, variant: labelled.variant, dimension, value },
          sample: new LabelledSample(this.#options.lastN),
        };
        this.#samples.set(key, entry);
      }
      entry.sample.push(labelled.probability, labelled.outcome, labelled.decision);
    }
  }

  /** Accuracy and ROC-AUC per segment over its last N labels (null with too few labels or one class). */
  report(): SegmentReport[] {
    const out: SegmentReport[] = [];
    for (const { key, sample } of this.#samples.values()) {
      const labels = sample.length;
      const { scores, outcomes, decisions } = sample.view();
      let positives = 0;
      for (let i = 0; i < labels; i += 1) positives += outcomes[i] as number;
      const enough = labels >= this.#options.minLabels;
      out.push({
        ...key,
        labels,
        accuracy: enough ? accuracy(confusionAt(outcomes, decisions, 0.5)) : null,
        rocAuc: enough && positives > 0 && positives < labels ? rocAuc(outcomes, scores) : null,
      });
    }
    return out;
  }
}
