import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { DriftResult } from './drift.js';
import type { RejectReason } from './join.js';
import { REJECT_REASONS } from './join.js';
import type { MonitoringSnapshot } from './monitor.js';
import type { WindowReport } from './window-metrics.js';

/**
 * Prometheus gauges (prefix bankops_model_) from a monitoring snapshot. Every update first resets the
 * per-window and per-feature gauges and then sets what the snapshot holds, so a window that became
 * insufficient, or a version no longer served, disappears instead of freezing at its last value (an
 * alert on a stale accuracy would never resolve). Totals are real counters, advanced by the snapshot's
 * growth since the previous update.
 */

export const METRIC_PREFIX = 'bankops_model_';
const WINDOW_LABELS = ['model_version', 'variant', 'window'] as const;
const FEATURE_LABELS = [...WINDOW_LABELS, 'feature'] as const;

/** Window gauges: metric suffix → how to read it from a report (undefined: not set). */
const WINDOW_GAUGES: Record<string, { help: string; read: (r: WindowReport) => number | undefined }> = {
  accuracy: { help: 'Realized accuracy over the window', read: (r) => r.metrics?.accuracy },
  precision: { help: 'Realized precision over the window', read: (r) => r.metrics?.precision },
  recall: { help: 'Realized recall over the window', read: (r) => r.metrics?.recall },
  f1: { help: 'Realized F1 over the window', read: (r) => r.metrics?.f1 },
  roc_auc: { help: 'Realized ROC-AUC over the window', read: (r) => r.metrics?.rocAuc },
  pr_auc: { help: 'Realized PR-AUC (average precision) over the window', read: (r) => r.metrics?.prAuc },
  brier: { help: 'Brier score over the window', read: (r) => r.metrics?.brier },
  profit_eur: {
    help: 'Realized campaign profit among labelled predictions, EUR',
    read: (r) => r.metrics?.profit,
  },
  profit_per_1000_eur: {
    help: 'Realized campaign profit per 1,000 labelled predictions, EUR (value × subscriptions called − cost × calls)',
    read: (r) => r.metrics?.profitPer1000,
  },
  expected_profit_per_1000_eur: {
    help: 'Profit per 1,000 labelled predictions the scores promised for the same calls, EUR',
    read: (r) => r.metrics?.expectedProfitPer1000,
  },
  ece: {
    help: 'Expected calibration error over 10 probability bins (0: calibrated)',
    read: (r) => r.metrics?.ece,
  },
  label_coverage: { help: 'Labelled predictions / predictions in the window', read: (r) => r.coverage },
  positive_rate: { help: 'Share of predictions decided "call"', read: (r) => r.positiveRate },
  window_predictions: { help: 'Predictions in the window', read: (r) => r.predictions },
  window_labels: { help: 'Labelled predictions in the window', read: (r) => r.labels },
  window_insufficient: {
    help: '1 when the window has too few labels or one class only (no quality metrics then)',
    read: (r) => (r.insufficient ? 1 : 0),
  },
  estimated_accuracy: {
    help: 'CBPE expected accuracy of unlabelled predictions',
    read: (r) => r.estimate?.accuracy,
  },
  estimated_precision: {
    help: 'CBPE expected precision of unlabelled predictions',
    read: (r) => r.estimate?.precision,
  },
  estimated_recall: {
    help: 'CBPE expected recall of unlabelled predictions',
    read: (r) => r.estimate?.recall,
  },
  estimated_f1: { help: 'CBPE expected F1 of unlabelled predictions', read: (r) => r.estimate?.f1 },
};

interface MetricSet {
  window: Map<string, Gauge<string>>;
  featureScore: Gauge<string>;
  featureDetected: Gauge<string>;
  featurePsi: Gauge<string>;
  predictionScore: Gauge<string>;
  predictionDetected: Gauge<string>;
  predictionPsi: Gauge<string>;
  drifted: Gauge<string>;
  championAccuracy: Gauge<string>;
  championF1: Gauge<string>;
  pending: Gauge<string>;
  segmentAccuracy: Gauge<string>;
  segmentRocAuc: Gauge<string>;
  segmentLabels: Gauge<string>;
  predictions: Counter<string>;
  labels: Counter<string>;
  rejected: Counter<string>;
  /** Counter values already exported, to advance by the difference. */
  seen: Map<string, number>;
}

const sets = new WeakMap<Registry, MetricSet>();

function createMetricSet(registry: Registry): MetricSet {
  const gauge = (suffix: string, help: string, labelNames: readonly string[]): Gauge<string> =>
    new Gauge({
      name: `${METRIC_PREFIX}${suffix}`,
      help,
      labelNames: [...labelNames],
      registers: [registry],
    });
  const counter = (suffix: string, help: string, labelNames: readonly string[]): Counter<string> =>
    new Counter({
      name: `${METRIC_PREFIX}${suffix}`,
      help,
      labelNames: [...labelNames],
      registers: [registry],
    });
  const window = new Map<string, Gauge<string>>();
  for (const [suffix, spec] of Object.entries(WINDOW_GAUGES))
    window.set(suffix, gauge(suffix, spec.help, WINDOW_LABELS));
  const keyLabels = ['model_version', 'variant'];
  const set: MetricSet = {
    window,
    featureScore: gauge(
      'feature_drift_score',
      'Drift score per feature: a p-value (method ks, chisquare, ztest) or a distance (wasserstein, jensenshannon)',
      [...FEATURE_LABELS, 'method'],
    ),
    featureDetected: gauge(
      'feature_drift_detected',
      '1 when the feature drifted from the training reference',
      FEATURE_LABELS,
    ),
    featurePsi: gauge(
      'feature_psi',
      'Population stability index of the feature (0.1 moderate, 0.25 significant)',
      FEATURE_LABELS,
    ),
    predictionScore: gauge('prediction_drift_score', 'Drift score of the predicted probabilities', [
      ...WINDOW_LABELS,
      'method',
    ]),
    predictionDetected: gauge(
      'prediction_drift_detected',
      '1 when the predicted probabilities drifted',
      WINDOW_LABELS,
    ),
    predictionPsi: gauge('prediction_psi', 'PSI of the predicted probabilities', WINDOW_LABELS),
    drifted: gauge('drifted_features', 'Number of features whose drift was detected', WINDOW_LABELS),
    championAccuracy: gauge('champion_test_accuracy', "Test-set accuracy in the model version's bundle", [
      'model_version',
    ]),
    championF1: gauge('champion_test_f1', "Test-set F1 in the model version's bundle", ['model_version']),
    pending: gauge('join_pending', 'Entries held by the prediction/label join', ['kind']),
    segmentAccuracy: gauge(
      'segment_accuracy',
      'Realized accuracy over the last N labelled predictions of a customer segment (contact type, age band; at most 8 values per segment, then "other")',
      ['model_version', 'variant', 'segment', 'value'],
    ),
    segmentRocAuc: gauge(
      'segment_roc_auc',
      'Realized ROC-AUC over the last N labelled predictions of a segment',
      ['model_version', 'variant', 'segment', 'value'],
    ),
    segmentLabels: gauge('segment_labels', 'Labelled predictions of a segment in its last-N window', [
      'model_version',
      'variant',
      'segment',
      'value',
    ]),
    predictions: counter('predictions_total', 'Predictions consumed by monitoring', keyLabels),
    labels: counter('labels_total', 'Ground-truth labels joined to their prediction', keyLabels),
    rejected: counter('labels_rejected_total', 'Labels rejected by the join (dead-lettered)', ['reason']),
    seen: new Map(),
  };
  return set;
}

function metricSet(registry: Registry): MetricSet {
  let set = sets.get(registry);
  if (set === undefined) {
    set = createMetricSet(registry);
    sets.set(registry, set);
  }
  return set;
}

function setIfFinite(gauge: Gauge<string>, labels: Record<string, string>, value: number | undefined): void {
  if (value !== undefined && Number.isFinite(value)) gauge.set(labels, value);
}

function advance(
  set: MetricSet,
  counter: Counter<string>,
  id: string,
  labels: Record<string, string>,
  total: number,
): void {
  const previous = set.seen.get(id) ?? 0;
  counter.inc(labels, Math.max(0, total - previous));
  set.seen.set(id, Math.max(previous, total));
}

function setDrift(set: MetricSet, base: Record<string, string>, result: DriftResult): void {
  if (result.insufficient) return;
  const labels = { ...base, feature: result.feature };
  setIfFinite(set.featureScore, { ...labels, method: result.method }, result.score);
  set.featureDetected.set(labels, result.detected ? 1 : 0);
  setIfFinite(set.featurePsi, labels, result.psi);
}

/** Sets every bankops_model_* metric in `registry` (created on first use) from `snapshot`. */
export function updateGauges(registry: Registry, snapshot: MonitoringSnapshot): void {
  const set = metricSet(registry);
  for (const gauge of set.window.values()) gauge.reset();
  for (const gauge of [
    set.featureScore,
    set.featureDetected,
    set.featurePsi,
    set.predictionScore,
    set.predictionDetected,
    set.predictionPsi,
    set.drifted,
    set.championAccuracy,
    set.championF1,
    set.segmentAccuracy,
    set.segmentRocAuc,
    set.segmentLabels,
  ]) {
    gauge.reset();
  }
  for (const segment of snapshot.segments ?? []) {
    const labels = {
      model_version: segment.modelVersion,
      variant: segment.variant,
      segment: segment.dimension,
      value: segment.value,
    };
    set.segmentLabels.set(labels, segment.labels);
    setIfFinite(set.segmentAccuracy, labels, segment.accuracy ?? undefined);
    setIfFinite(set.segmentRocAuc, labels, segment.rocAuc ?? undefined);
  }
  for (const report of snapshot.windows) {
    const labels = { model_version: report.modelVersion, variant: report.variant, window: report.window };
    for (const [suffix, spec] of Object.entries(WINDOW_GAUGES)) {
      setIfFinite(set.window.get(suffix) as Gauge<string>, labels, spec.read(report));
    }
  }
  for (const drift of snapshot.drift) {
    const base = { model_version: drift.modelVersion, variant: drift.variant, window: drift.window };
    for (const result of drift.features) setDrift(set, base, result);
    set.drifted.set(base, drift.driftedFeatures);
    if (!drift.prediction.insufficient) {
      setIfFinite(set.predictionScore, { ...base, method: drift.prediction.method }, drift.prediction.score);
      set.predictionDetected.set(base, drift.prediction.detected ? 1 : 0);
      setIfFinite(set.predictionPsi, base, drift.prediction.psi);
    }
  }
  for (const reference of snapshot.references) {
    setIfFinite(set.championAccuracy, { model_version: reference.modelVersion }, reference.testAccuracy);
    setIfFinite(set.championF1, { model_version: reference.modelVersion }, reference.testF1);
  }
  set.pending.set({ kind: 'predictions' }, snapshot.join.pendingPredictions);
  set.pending.set({ kind: 'labels' }, snapshot.join.pendingLabels);
  for (const totals of snapshot.totals) {
    const labels = { model_version: totals.modelVersion, variant: totals.variant };
    const id = `${totals.modelVersion}\u0000${totals.variant}`;
    advance(set, set.predictions, `p\u0000${id}`, labels, totals.predictions);
    advance(set, set.labels, `l\u0000${id}`, labels, totals.labels);
  }
  for (const reason of REJECT_REASONS) {
    advance(set, set.rejected, `r\u0000${reason}`, { reason }, snapshot.rejected[reason as RejectReason]);
  }
}

export { toHistoryRows } from './history.js';
export type { MonitoringMetricRow } from './history.js';
