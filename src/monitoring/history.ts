import type { DriftResult, DriftStatistics } from './drift.js';
import type { MonitoringSnapshot } from './monitor.js';
import type { WindowReport } from './window-metrics.js';

/**
 * Rows for the Iceberg table bank.monitoring_metrics (declared in src/lake/tables.ts): what monitoring showed at `time` (the snapshot's
 * computedAt, epoch ms), one row per metric. A tumbling window is re-emitted by every snapshot while it
 * is the latest closed one, with values that change as late labels arrive: the table is a history of
 * the dashboards, not one row per window (read the latest `time` per window for final values).
 * Insufficient windows emit their volume metrics only, with insufficient = true.
 */
export interface MonitoringMetricRow {
  time: number;
  model_version: string;
  variant: string;
  window: string;
  metric: string;
  value: number;
  feature: string | null;
  insufficient: boolean;
}

const STATISTIC_NAMES: Record<keyof DriftStatistics, string> = {
  ksStatistic: 'ks_statistic',
  ksPValue: 'ks_p_value',
  wassersteinNormed: 'wasserstein_normed',
  chiSquare: 'chi_square',
  chiSquarePValue: 'chi_square_p_value',
  jensenShannon: 'jensen_shannon',
  zPValue: 'z_p_value',
};

function windowValues(report: WindowReport): Array<[string, number | undefined]> {
  const m = report.metrics;
  const e = report.estimate;
  return [
    ['predictions', report.predictions],
    ['labels', report.labels],
    ['label_coverage', report.coverage],
    ['positive_rate', report.positiveRate],
    ['accuracy', m?.accuracy],
    ['precision', m?.precision],
    ['recall', m?.recall],
    ['f1', m?.f1],
    ['roc_auc', m?.rocAuc],
    ['pr_auc', m?.prAuc],
    ['brier', m?.brier],
    ['profit_eur', m?.profit],
    ['profit_per_1000_eur', m?.profitPer1000],
    ['expected_profit_per_1000_eur', m?.expectedProfitPer1000],
    ['ece', m?.ece],
    ['estimated_accuracy', e?.accuracy],
    ['estimated_precision', e?.precision],
    ['estimated_recall', e?.recall],
    ['estimated_f1', e?.f1],
  ];
}

function driftValues(
  result: DriftResult,
  prefix: 'feature' | 'prediction',
): Array<[string, number | undefined]> {
  const values: Array<[string, number | undefined]> = [
    [`${prefix}_drift_score`, result.score],
    [`${prefix}_drift_detected`, result.detected ? 1 : 0],
    [`${prefix}_psi`, result.psi],
  ];
  for (const [key, name] of Object.entries(STATISTIC_NAMES)) {
    values.push([`${prefix}_${name}`, result.statistics[key as keyof DriftStatistics]]);
  }
  return values;
}

export function toHistoryRows(snapshot: MonitoringSnapshot): MonitoringMetricRow[] {
  const rows: MonitoringMetricRow[] = [];
  const push = (
    base: Omit<MonitoringMetricRow, 'metric' | 'value'>,
    values: Array<[string, number | undefined]>,
  ): void => {
    for (const [metric, value] of values) {
      if (value !== undefined && Number.isFinite(value)) rows.push({ ...base, metric, value });
    }
  };
  const time = snapshot.computedAt;
  for (const report of snapshot.windows) {
    const base = { time, model_version: report.modelVersion, variant: report.variant, window: report.window };
    push({ ...base, feature: null, insufficient: report.insufficient }, windowValues(report));
  }
  for (const drift of snapshot.drift) {
    const base = { time, model_version: drift.modelVersion, variant: drift.variant, window: drift.window };
    for (const result of drift.features) {
      push(
        { ...base, feature: result.feature, insufficient: result.insufficient },
        driftValues(result, 'feature'),
      );
    }
    push(
      { ...base, feature: null, insufficient: drift.prediction.insufficient },
      driftValues(drift.prediction, 'prediction'),
    );
    push({ ...base, feature: null, insufficient: false }, [['drifted_features', drift.driftedFeatures]]);
  }
  for (const totals of snapshot.totals) {
    const base = { time, model_version: totals.modelVersion, variant: totals.variant, window: 'all' };
    push({ ...base, feature: null, insufficient: false }, [
      ['predictions_total', totals.predictions],
      ['labels_total', totals.labels],
    ]);
  }
  return rows;
}
