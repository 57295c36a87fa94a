import { quoteLiteral, type Lake } from '../lake/duckdb.js';
import { tableExists, tableRef } from '../lake/snapshots.js';

/**
 * Aggregates over bank.monitoring_metrics (see src/monitoring/history.ts). The table is a history of the
 * dashboards: a window is re-emitted by every snapshot, so values are averaged per time bucket rather
 * than summed, and "latest" means the newest `time` per series.
 */

export const MONITORING_TABLE = 'bank.monitoring_metrics';

/** Quality metrics charted over time (window metrics without a feature). */
export const PERFORMANCE_METRICS = [
  'roc_auc',
  'pr_auc',
  'f1',
  'precision',
  'recall',
  'accuracy',
  'estimated_f1',
  'brier',
];
/** Buckets per chart: enough for a trend, few enough for a light page. */
const TARGET_BUCKETS = 120;

export interface MonitoringOverview {
  rows: number;
  first: Date | null;
  last: Date | null;
  versions: string[];
  windows: Array<{ window: string; rows: number }>;
  /** The window the over-time charts use: the one with the most non-insufficient quality rows. */
  window: string | null;
  bucketSeconds: number;
}

export interface SeriesPoint {
  time: Date;
  modelVersion: string;
  variant: string;
  metric: string;
  value: number;
}

export interface FeaturePoint {
  time: Date;
  feature: string;
  value: number;
}

export interface LatestRow {
  modelVersion: string;
  variant: string;
  window: string;
  time: Date;
  metrics: Record<string, number>;
}

const num = (v: unknown): number => Number(v ?? 0);

export async function monitoringOverview(lake: Lake, table: string): Promise<MonitoringOverview | undefined> {
  if (!(await tableExists(lake, table))) return undefined;
  const ref = tableRef(table);
  const [o] = await lake.all<Record<string, unknown>>(
    `SELECT count(*) AS n, min(time) AS first, max(time) AS last,
       list(DISTINCT model_version ORDER BY model_version) AS versions FROM ${ref}`,
  );
  const rows = num(o?.['n']);
  if (rows === 0) return undefined;
  const windows = await lake.all<{ window: string; n: bigint; quality: bigint }>(
    `SELECT "window", count(*) AS n,
       count(*) FILTER (WHERE metric = 'roc_auc' AND NOT insufficient) AS quality
     FROM ${ref} GROUP BY ALL ORDER BY quality DESC, n DESC`,
  );
  const first = (o?.['first'] as Date | null) ?? null;
  const last = (o?.['last'] as Date | null) ?? null;
  const span = first && last ? (last.getTime() - first.getTime()) / 1000 : 0;
  return {
    rows,
    first,
    last,
    versions: ((o?.['versions'] as unknown[] | undefined) ?? []).map(String),
    windows: windows.map((w) => ({ window: w.window, rows: num(w.n) })),
    window: windows.find((w) => w.window !== 'all')?.window ?? null,
    bucketSeconds: Math.max(1, Math.ceil(span / TARGET_BUCKETS)),
  };
}

function bucket(seconds: number): string {
  return `time_bucket(INTERVAL '${Math.max(1, Math.floor(seconds))} seconds', time)`;
}

/** Mean value per time bucket, model version, variant and metric, for one window. */
export async function metricSeries(
  lake: Lake,
  table: string,
  overview: MonitoringOverview,
  metrics: readonly string[],
  options: { includeInsufficient?: boolean; window?: string } = {},
): Promise<SeriesPoint[]> {
  const window = options.window ?? overview.window;
  if (window === null || metrics.length === 0) return [];
  const rows = await lake.all<{ t: Date; model_version: string; variant: string; metric: string; v: number }>(
    `SELECT ${bucket(overview.bucketSeconds)} AS t, model_version, variant, metric, avg(value) AS v
     FROM ${tableRef(table)}
     WHERE "window" = ${quoteLiteral(window)} AND feature IS NULL
       AND metric IN (${metrics.map(quoteLiteral).join(', ')})
       ${options.includeInsufficient ? '' : 'AND NOT insufficient'}
     GROUP BY ALL ORDER BY t`,
  );
  return rows.map((r) => ({
    time: r.t,
    modelVersion: r.model_version,
    variant: r.variant,
    metric: r.metric,
    value: Number(r.v),
  }));
}

/** The highest drift score per feature and time bucket, over versions, variants and windows. */
export async function featureDrift(
  lake: Lake,
  table: string,
  overview: MonitoringOverview,
): Promise<FeaturePoint[]> {
  const rows = await lake.all<{ t: Date; feature: string; v: number }>(
    `SELECT ${bucket(Math.max(overview.bucketSeconds, 60))} AS t, feature, max(value) AS v FROM ${tableRef(table)}
     WHERE metric = 'feature_drift_score' AND feature IS NOT NULL AND NOT insufficient
     GROUP BY ALL ORDER BY t, feature`,
  );
  return rows.map((r) => ({ time: r.t, feature: r.feature, value: Number(r.v) }));
}

/** The newest values per model version, variant and window (what the dashboards show now). */
export async function latestValues(
  lake: Lake,
  table: string,
  metrics: readonly string[],
): Promise<LatestRow[]> {
  const rows = await lake.all<{
    model_version: string;
    variant: string;
    window: string;
    t: Date;
    metric: string;
    value: number;
  }>(
    `WITH latest AS (SELECT model_version, variant, "window", max(time) AS t FROM ${tableRef(table)}
       WHERE feature IS NULL GROUP BY ALL)
     SELECT m.model_version, m.variant, m."window", l.t, m.metric, m.value FROM ${tableRef(table)} m
     JOIN latest l ON m.model_version = l.model_version AND m.variant = l.variant AND m."window" = l."window" AND m.time = l.t
     WHERE m.feature IS NULL AND m.metric IN (${metrics.map(quoteLiteral).join(', ')})
     ORDER BY m.model_version, m.variant, m."window"`,
  );
  const out = new Map<string, LatestRow>();
  for (const r of rows) {
    const key = `${r.model_version}\u0000${r.variant}\u0000${r.window}`;
    const row = out.get(key) ?? {
      modelVersion: r.model_version,
      variant: r.variant,
      window: r.window,
      time: r.t,
      metrics: {},
    };
    row.metrics[r.metric] = Number(r.value);
    out.set(key, row);
  }
  return [...out.values()];
}
