import type { JsonObject } from './builder.js';
import { queriesOf } from './builder.js';
import { dataDrift } from './data-drift.js';
import { modelPerformance } from './model-performance.js';
import { pipeline } from './pipeline.js';
import { rollout } from './rollout.js';
import { serving } from './serving.js';

/** The dashboards and the file each is written to in grafana/dashboards/. */
export const DASHBOARDS: ReadonlyArray<{ file: string; build: () => JsonObject }> = [
  { file: 'model-performance.json', build: modelPerformance },
  { file: 'data-drift.json', build: dataDrift },
  { file: 'serving.json', build: serving },
  { file: 'pipeline.json', build: pipeline },
  { file: 'rollout.json', build: rollout },
];

/** File name → JSON text exactly as committed (two-space indent, final newline). */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(DASHBOARDS.map((d) => [d.file, `${JSON.stringify(d.build(), null, 2)}\n`]));
}

/** Values that stand in for dashboard variables when a query is run outside Grafana. */
const SUBSTITUTES: Record<string, string> = {
  $__rate_interval: '1m',
  $__interval: '1m',
  $model_version: '.*',
  $variant: '.*',
  $window: '.*',
  $feature: '.*',
};

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  /** As written in the dashboard. */
  expr: string;
  /** With variables substituted: runnable against Prometheus as is. */
  runnable: string;
}

/** Every panel and annotation query of every dashboard (for an integration test against Prometheus). */
export function dashboardQueries(): DashboardQuery[] {
  return DASHBOARDS.flatMap((d) =>
    queriesOf(d.build()).map((q) => ({
      ...q,
      runnable: Object.entries(SUBSTITUTES).reduce((expr, [from, to]) => expr.split(from).join(to), q.expr),
    })),
  );
}
