/**
 * The Grafana dashboards in grafana/dashboards are exactly what grafana/dashboards-src generates, are
 * well-formed, and every query parses and names a metric that something in bankops exports.
 * The queries themselves: `dashboardQueries()` from grafana/dashboards-src/index.ts (runnable form with
 * variables substituted), for an integration test that runs each against Prometheus.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { JsonObject } from '../../grafana/dashboards-src/builder.js';
import { DASHBOARDS, dashboardQueries, renderDashboards } from '../../grafana/dashboards-src/index.js';
import { getConfig } from '../../src/config/index.js';
import { updateGauges } from '../../src/monitoring/exporter.js';
import { Monitor } from '../../src/monitoring/monitor.js';
import { runPromtool } from '../../src/stack/services/prometheus.js';

const config = getConfig();
const dashboardsDir = path.join(config.repoRoot, 'grafana', 'dashboards');
let work = '';

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'bankops-dashboards-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Metrics exported elsewhere (serving, lake writer, the lead's pipeline and lag gauges). */
const EXTERNAL_METRICS = [
  'bankops_serving_http_requests_total',
  'bankops_serving_http_request_duration_seconds_bucket',
  'bankops_serving_predictions_total',
  'bankops_serving_model_load_failures_total',
  'bankops_serving_model_info',
  'bankops_lake_rows_written_total',
  'bankops_lake_commits_total',
  'bankops_lake_dead_letters_total',
  'bankops_lake_buffered_messages',
  'bankops_pipeline_events_total',
  'bankops_consumer_lag',
  // the monitor's rollout judge (consumers/monitor/rollout.ts)
  'bankops_rollout_active',
  'bankops_rollout_labels',
  'bankops_rollout_deadline_seconds',
  'bankops_rollout_difference',
];

async function knownMetrics(): Promise<Set<string>> {
  const registry = new Registry();
  updateGauges(registry, new Monitor().snapshot(0));
  const exported = (await registry.getMetricsAsJSON()).map((m) => m.name);
  const rules = parse(
    await readFile(path.join(config.repoRoot, 'grafana/prometheus/rules/monitoring.yml'), 'utf8'),
  ) as {
    groups: Array<{ rules: Array<{ record?: string }> }>;
  };
  const recorded = rules.groups.flatMap((g) =>
    g.rules.map((r) => r.record).filter((r): r is string => r !== undefined),
  );
  return new Set([...exported, ...recorded, ...EXTERNAL_METRICS]);
}

describe('Grafana dashboards as code', () => {
  it('the committed JSON is what generate:dashboards writes (run it after editing dashboards-src)', async () => {
    const rendered = renderDashboards();
    const committed = (await readdir(dashboardsDir)).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual(Object.keys(rendered).sort());
    for (const [file, text] of Object.entries(rendered)) {
      expect(
        await readFile(path.join(dashboardsDir, file), 'utf8'),
        `${file} is stale: npm run generate:dashboards`,
      ).toBe(text);
    }
  });

  it('every dashboard is schema 39 on the Prometheus datasource, with unique ids and a sane layout', () => {
    const uids = new Set<string>();
    for (const { build } of DASHBOARDS) {
      const dashboard = build();
      expect(dashboard['schemaVersion']).toBe(39);
      uids.add(String(dashboard['uid']));
      const panels = dashboard['panels'] as JsonObject[];
      const ids = panels.map((p) => p['id']);
      expect(new Set(ids).size).toBe(ids.length);
      const cells = new Set<string>();
      for (const panel of panels) {
        const { x, y, w, h } = panel['gridPos'] as { x: number; y: number; w: number; h: number };
        expect(x + w).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i += 1) {
          for (let j = y; j < y + h; j += 1) {
            expect(cells.has(`${i},${j}`), `${String(panel['title'])} overlaps another panel`).toBe(false);
            cells.add(`${i},${j}`);
          }
        }
        if (panel['type'] !== 'row')
          expect(panel['datasource']).toEqual({ type: 'prometheus', uid: 'prometheus' });
      }
      const annotations = (dashboard['annotations'] as { list: JsonObject[] }).list;
      expect(annotations.some((a) => String(a['expr']).includes('bankops_serving_model_info'))).toBe(true);
    }
    expect(uids.size).toBe(DASHBOARDS.length);
  });

  it('lists every query, runnable without Grafana variables', () => {
    const queries = dashboardQueries();
    const panels = DASHBOARDS.flatMap(({ build }) => build()['panels'] as JsonObject[]).filter(
      (p) => p['type'] !== 'row',
    );
    const targets = panels.reduce((n, p) => n + (p['targets'] as JsonObject[]).length, 0);
    expect(queries.length).toBe(targets + DASHBOARDS.length); // + one promotion annotation each
    for (const q of queries) expect(q.runnable, q.panel).not.toMatch(/\$/);
  });

  it('every query parses (promtool check rules) and every metric it names is exported somewhere', async () => {
    const queries = dashboardQueries();
    const file = path.join(work, 'dashboard-queries.yml');
    const rules = queries.map(
      (q, i) => `      - record: dashboard_query_${i}\n        expr: ${JSON.stringify(q.runnable)}`,
    );
    await writeFile(file, `groups:\n  - name: dashboard-queries\n    rules:\n${rules.join('\n')}\n`);
    const checked = await runPromtool(config, ['check', 'rules', file]);
    expect(checked.code, checked.output).toBe(0);

    const known = await knownMetrics();
    const unknown = new Set<string>();
    for (const q of queries) {
      for (const name of q.runnable.match(/\b[a-z_:]*bankops_[a-z0-9_:]+/g) ?? []) {
        if (!known.has(name)) unknown.add(`${name} (${q.dashboard} / ${q.panel})`);
      }
    }
    expect([...unknown]).toEqual([]);
  });
});
