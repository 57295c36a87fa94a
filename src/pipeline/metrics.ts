import type { ClassificationMetrics } from '../training/index.js';

/** MLflow metric names (snake case, as MLflow's UI and the promotion gates use them). */
export function metricRecord(prefix: string, m: ClassificationMetrics): Record<string, number> {
  const p = prefix ? `${prefix}_` : '';
  return {
    [`${p}accuracy`]: m.accuracy,
    [`${p}precision`]: m.precision,
    [`${p}recall`]: m.recall,
    [`${p}f1`]: m.f1,
    [`${p}roc_auc`]: m.rocAuc,
    [`${p}pr_auc`]: m.prAuc,
    [`${p}log_loss`]: m.logLoss,
    [`${p}brier`]: m.brier,
    [`${p}profit`]: m.profit,
    [`${p}profit_per_1000`]: m.profitPer1000,
    [`${p}threshold`]: m.threshold,
    [`${p}rows`]: m.rows,
  };
}
