import type { GroundTruth, Prediction } from '../kafka/generated/types.js';
import type { BundleMeta } from '../training/bundle.js';
import { calibrate, type CalibrationMap } from '../training/calibration.js';
import type { Economics } from '../training/metrics.js';
import { DEFAULT_ECONOMICS } from '../training/metrics.js';
import type { FeatureReference, PredictionReference } from '../training/reference.js';
import type { DriftOptions, DriftResult } from './drift.js';
import { DEFAULT_DRIFT_OPTIONS, dataDrift, predictionDrift } from './drift.js';
import type { JoinCounters, JoinOptions, JoinOutcome, RejectReason } from './join.js';
import { JoinState } from './join.js';
import type { WindowReport } from './window-metrics.js';
import type { WindowOptions } from './windows.js';
import { PerformanceWindows } from './windows.js';
import { RolloutEvidence } from './rollout.js';
import { SegmentTracker, type SegmentReport } from './segments.js';

/**
 * The pure core of the monitoring consumer: feed it decoded prediction and ground-truth records (from
 * Kafka, or rows of the lake when rebuilding), register each served version's bundle statistics, and
 * take snapshots for the exporter and the history table. No I/O, no clock: time is the records'.
 */

export interface ModelReference {
  modelVersion: string;
  features: FeatureReference;
  predictions: PredictionReference;
  /** The bundle's held-out test scores, for the "dropped relative to its test score" alert. */
  testAccuracy: number;
  testF1: number;
  economics: Economics;
  /** Score → observed rate on the training validation rows: CBPE calibrates on the reference first. */
  calibration?: CalibrationMap;
}

export function modelReferenceFromBundle(
  modelVersion: string,
  meta: Pick<BundleMeta, 'reference' | 'metrics' | 'economics' | 'calibration'>,
): ModelReference {
  return {
    ...(meta.calibration ? { calibration: meta.calibration } : {}),
    modelVersion,
    features: meta.reference.features,
    predictions: meta.reference.predictions,
    testAccuracy: meta.metrics.test.accuracy,
    testF1: meta.metrics.test.f1,
    economics: meta.economics,
  };
}

export interface MonitorOptions {
  join: Partial<JoinOptions>;
  windows: Partial<Omit<WindowOptions, 'economics'>>;
  drift: Partial<DriftOptions>;
  /** How many recent predictions per (version, variant) the drift tests look at. */
  driftSample: number;
}

export interface DriftReport {
  modelVersion: string;
  variant: string;
  window: string;
  /** Records in the sample (some may lack a feature; see each result's n/missing). */
  n: number;
  features: DriftResult[];
  prediction: DriftResult;
  driftedFeatures: number;
  /** Records whose features_json did not parse (left out). */
  unparsable: number;
  /** The oldest prediction time in the sample (epoch ms): where the period the verdict is about begins. */
  since: number | null;
}

export interface KeyTotals {
  modelVersion: string;
  variant: string;
  predictions: number;
  labels: number;
}

export interface MonitoringSnapshot {
  computedAt: number;
  watermark: number;
  windows: WindowReport[];
  drift: DriftReport[];
  totals: KeyTotals[];
  rejected: Record<RejectReason, number>;
  references: Array<Pick<ModelReference, 'modelVersion' | 'testAccuracy' | 'testF1'>>;
  join: JoinCounters & { pendingPredictions: number; pendingLabels: number };
  lateLabels: number;
  /** Accuracy and ROC-AUC per customer segment (contact type, age band) over the last N labels. */
  segments: SegmentReport[];
}

class RecentRecords {
  private readonly features: string[] = [];
  private readonly probabilities: number[] = [];
  private readonly times: number[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {}
  push(featuresJson: string, probability: number, time: number): void {
    if (this.features.length < this.capacity) {
      this.features.push(featuresJson);
      this.probabilities.push(probability);
      this.times.push(time);
      return;
    }
    this.features[this.next] = featuresJson;
    this.probabilities[this.next] = probability;
    this.times[this.next] = time;
    this.next = (this.next + 1) % this.capacity;
  }
  get items(): { features: readonly string[]; probabilities: readonly number[] } {
    return { features: this.features, probabilities: this.probabilities };
  }
  /** The oldest prediction time in the sample. */
  get since(): number | null {
    let oldest = Infinity;
    for (const t of this.times) if (t < oldest) oldest = t;
    return Number.isFinite(oldest) ? oldest : null;
  }
}

const keyOf = (modelVersion: string, variant: string): string => `${modelVersion}\u0000${variant}`;

export class Monitor {
  readonly join: JoinState;
  readonly windows: PerformanceWindows;
  private readonly driftOptions: DriftOptions;
  private readonly driftSample: number;
  private readonly references = new Map<string, ModelReference>();
  private readonly totals = new Map<string, KeyTotals>();
  private readonly recent = new Map<string, RecentRecords>();
  /** Labelled predictions and shadow scores a rollout is decided on. */
  readonly rollout = new RolloutEvidence();
  readonly segments: SegmentTracker;

  constructor(options: Partial<MonitorOptions> = {}, join?: JoinState) {
    this.join = join ?? new JoinState(options.join);
    this.windows = new PerformanceWindows({
      retentionMs: this.join.options.horizonMs,
      ...options.windows,
      economics: (version) => this.references.get(version)?.economics ?? DEFAULT_ECONOMICS,
    });
    this.driftOptions = { ...DEFAULT_DRIFT_OPTIONS, ...options.drift };
    this.driftSample = options.driftSample ?? 1000;
    this.segments = new SegmentTracker({
      ...(options.windows?.lastN !== undefined ? { lastN: options.windows.lastN } : {}),
      ...(options.windows?.minLabels !== undefined ? { minLabels: options.windows.minLabels } : {}),
    });
  }

  setReference(reference: ModelReference): void {
    this.references.set(reference.modelVersion, reference);
  }

  private totalsFor(modelVersion: string, variant: string): KeyTotals {
    const key = keyOf(modelVersion, variant);
    let totals = this.totals.get(key);
    if (totals === undefined) {
      totals = { modelVersion, variant, predictions: 0, labels: 0 };
      this.totals.set(key, totals);
    }
    return totals;
  }

  ingestPrediction(record: Prediction): JoinOutcome {
    if (record.variant === 'shadow' && record.shadow_of) {
      this.rollout.addShadow(record.shadow_of, {
        modelVersion: record.model_version,
        probability: record.probability,
        decision: record.decision,
      });
    }
    const calibration = this.references.get(record.model_version)?.calibration;
    const prediction = {
      predictionId: record.prediction_id,
      eventTime: record.event_time,
      modelVersion: record.model_version,
      variant: record.variant,
      probability: record.probability,
      decision: record.decision,
      ...(calibration ? { estimateProbability: calibrate(calibration, record.probability) } : {}),
    };
    const outcome = this.join.addPrediction(prediction);
    if (!outcome.accepted) return outcome;
    this.windows.addPrediction(prediction);
    this.totalsFor(record.model_version, record.variant).predictions += 1;
    const key = keyOf(record.model_version, record.variant);
    let recent = this.recent.get(key);
    if (recent === undefined) {
      recent = new RecentRecords(this.driftSample);
      this.recent.set(key, recent);
    }
    recent.push(record.features_json, record.probability, record.event_time);
    if (record.variant !== 'shadow') this.segments.addPrediction(record.prediction_id, record.features_json);
    this.absorb(outcome);
    return outcome;
  }

  ingestGroundTruth(record: GroundTruth): JoinOutcome {
    const outcome = this.join.addLabel({
      predictionId: record.prediction_id,
      eventTime: record.event_time,
      outcome: record.outcome,
    });
    this.absorb(outcome);
    return outcome;
  }

  private absorb(outcome: JoinOutcome): void {
    for (const labelled of outcome.joined) {
      this.windows.addLabelled(labelled);
      this.rollout.addLabelled(labelled);
      this.segments.addLabelled(labelled);
      this.totalsFor(labelled.modelVersion, labelled.variant).labels += 1;
    }
  }

  private driftReports(): DriftReport[] {
    const reports: DriftReport[] = [];
    for (const [key, recent] of this.recent) {
      const totals = this.totals.get(key);
      const reference = totals === undefined ? undefined : this.references.get(totals.modelVersion);
      if (totals === undefined || reference === undefined) continue;
      const { features, probabilities } = recent.items;
      const records: Array<Record<string, unknown>> = [];
      let unparsable = 0;
      for (const json of features) {
        try {
          const parsed: unknown = JSON.parse(json);
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
            records.push(parsed as Record<string, unknown>);
          } else unparsable += 1;
        } catch {
          unparsable += 1;
        }
      }
      const results = dataDrift(reference.features, records, this.driftOptions);
      reports.push({
        modelVersion: totals.modelVersion,
        variant: totals.variant,
        window: `last_${this.driftSample}`,
        n: features.length,
        features: results,
        prediction: predictionDrift(reference.predictions, probabilities, this.driftOptions),
        driftedFeatures: results.filter((r) => r.detected).length,
        unparsable,
        since: recent.since,
      });
    }
    return reports;
  }

  /** Everything the exporter and the history need; `computedAt` defaults to the watermark. */
  snapshot(computedAt?: number, asOf?: number): MonitoringSnapshot {
    const counters = this.join.stats();
    const size = this.join.size;
    const watermark = Math.max(this.join.currentWatermark, this.windows.currentWatermark);
    return {
      computedAt: computedAt ?? watermark,
      watermark,
      windows: this.windows.report(asOf),
      drift: this.driftReports(),
      totals: [...this.totals.values()].map((t) => ({ ...t })),
      rejected: { ...counters.rejected },
      references: [...this.references.values()].map((r) => ({
        modelVersion: r.modelVersion,
        testAccuracy: r.testAccuracy,
        testF1: r.testF1,
      })),
      join: { ...counters, pendingPredictions: size.predictions, pendingLabels: size.orphans },
      lateLabels: this.windows.lateLabels,
      segments: this.segments.report(),
    };
  }
}
