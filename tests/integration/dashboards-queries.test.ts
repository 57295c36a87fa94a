/**
 * Every query of the Grafana dashboards returns data from the real Prometheus after a short simulation:
 * a serving API (scraped as `serving-<port>`), the monitor (scraped as `monitor-test-<id>`), and the lake
 * writer of the running stack (scraped as `lake-writer`).
 *
 * Queries evaluated at another time, or allowed to be empty (each one named below, with the reason):
 * - "annotation: Model loaded" (`... unless ... offset 1m`) marks the minute after a model was loaded:
 *   it is evaluated 30 s after the test server's first scrape, when it must hold the test model.
 * - The drift panels "Test p-values" (ks|chisquare|ztest) and "Distances" (wasserstein|jensenshannon):
 *   the monitor uses one family or the other (BANKOPS_MONITOR_DRIFT_SIZE_BASIS, and at most 1000 recent
 *   records per key), so exactly one of the two has data; asserted as such.
 * - `increase(bankops_serving_model_load_failures_total[10m])`: the labelled counter has no series until
 *   a model load failed.
 * - `bankops_lake_dead_letters_total` (pipeline "Iceberg commits and dead letters"): no series until the
 *   lake writer dead-lettered a message.
 */
import { randomUUID } from 'node:crypto';
import { landCustomers, type LandedCustomers } from './helpers/customers-table.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { dashboardQueries } from '../../grafana/dashboards-src/index.js';
import { startMonitor, type RunningMonitor } from '../../consumers/monitor/main.js';
import { simulationRecords } from '../../producers/simulator/records.js';
import { simulate } from '../../producers/simulator/run.js';
import { startServing, type RunningServing } from '../../serving/start.js';
import { monitorConfig, monitorTopics } from './helpers/monitor-stack.js';
import { createPipelineContext } from '../../src/pipeline/context.js';
import { startRollout } from '../../src/pipeline/rollout.js';
import { API_KEY, config, servingFixture, servingTestConfig } from './helpers/serving.js';
import { waitFor } from './helpers/wait.js';

interface QueryResult {
  status: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  error?: string;
}

async function query(expr: string, time?: number): Promise<QueryResult> {
  const body = new URLSearchParams({ query: expr, ...(time ? { time: String(time / 1000) } : {}) });
  const response = await request(`${config.urls.prometheus}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  return (await response.body.json()) as QueryResult;
}

const ANNOTATION = 'annotation: Model loaded';
/** Expressions (as runnable) that may be empty without a failure, for the reasons in the header. */
const MAY_BE_EMPTY = [
  'bankops_serving_model_load_failures_total',
  'bankops_lake_dead_letters_total',
  // set once the labels decide a rollout; the test's canary needs more labels than it gets
  'bankops_rollout_difference',
];
const DRIFT_FAMILIES = ['method=~"ks|chisquare|ztest"', 'method=~"wasserstein|jensenshannon"'];
let serving: RunningServing;
let customers: LandedCustomers;
let monitor: RunningMonitor;
let firstScrape = 0;
const scrapeName = `monitor-test-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  // customers to simulate with, and a lake writer whose /metrics Prometheus scrapes (the pipeline panels)
  customers = await landCustomers({ keepWriter: true });
  // The rule files (recording rules the serving dashboard reads) may have changed since Prometheus started.
  const reload = await request(`${config.urls.prometheus}/-/reload`, { method: 'POST' });
  expect(reload.statusCode).toBe(200);
  await reload.body.text();
  const fixture = await servingFixture();
  const topics = await monitorTopics(fixture);
  serving = await startServing(servingTestConfig(fixture, { topics, scrapeTarget: true }), { port: 0 });
  monitor = await startMonitor(monitorConfig({ minLabels: 30, intervalMs: 2_000 }), {
    topics,
    groupId: `bankops-test-dash-${fixture.id}`,
    metricsPort: 0,
    scrapeTarget: scrapeName,
    historyTable: null,
    modelName: fixture.modelName,
  });
  // a canary of the second version for the rollout dashboard: half the customers, never decided here
  const ctx = createPipelineContext(config, 'test-dashboards', {
    modelName: fixture.modelName,
    eventsTopic: topics.pipelineEvents,
  });
  await startRollout(ctx, {
    version: fixture.good[1].version,
    champion: fixture.good[0].version,
    policy: 'canary',
    share: 0.5,
    minLabels: 100_000,
    maxMs: 3_600_000,
    metric: 'roc_auc',
    reason: 'the rollout dashboard test',
  });
  await ctx.close();
  await waitFor(
    async () => (await request(`${serving.url}/v1/model`)).body.json() as Promise<{ mode: string }>,
    (m) => m.mode === 'ab',
    { what: 'serving to split for the canary' },
  );
  const port = new URL(serving.url).port;
  const info = await waitFor(
    () => query(`bankops_serving_model_info{instance=~".*:${port}"}`),
    (r) => r.data.result.length > 0,
    { what: 'Prometheus to scrape the test server', timeoutMs: 60_000 },
  );
  firstScrape = (info.data.result[0]?.value[0] ?? Date.now() / 1000) * 1000;
  // 90 s at 12/s with half of the outcomes reported: at least one closed 1-minute window holds enough
  // unlabelled predictions for the estimate (CBPE) and enough labels for the realized metrics.
  const records = await simulationRecords(config, { count: 1080, seed: 5, table: customers.table });
  const summary = await simulate({
    url: serving.url,
    apiKey: API_KEY,
    records,
    rate: 12,
    labelDelayMs: 1_000,
    labelCoverage: 0.5,
  });
  expect(summary.errors).toBe(0);
  await waitFor(
    () => query(`bankops_model_estimated_accuracy{job="${scrapeName}"}`),
    (r) => r.data.result.length > 0,
    { what: 'the estimated accuracy to be scraped', timeoutMs: 60_000 },
  );
  // Two more scrapes after the last tick, so that rate() sees the final counters.
  await new Promise((resolve) => setTimeout(resolve, 12_000));
}, 600_000);

afterAll(async () => {
  await monitor?.close();
  await serving?.close();
  await customers?.writer?.close();
});

describe('dashboard queries against the real Prometheus', () => {
  const queries = dashboardQueries();

  it('has queries to check', () => {
    expect(queries.length).toBeGreaterThan(40);
  });

  it('every query returns data', async () => {
    const empty: string[] = [];
    const families: boolean[] = [];
    for (const q of queries) {
      const at = q.panel === ANNOTATION ? firstScrape + 30_000 : undefined;
      const result = await query(q.runnable, at);
      expect(result.status, `${q.dashboard} / ${q.panel}: ${result.error ?? ''}`).toBe('success');
      const hasData = result.data.result.length > 0;
      if (DRIFT_FAMILIES.some((f) => q.runnable.includes(f))) families.push(hasData);
      else if (!hasData && !MAY_BE_EMPTY.some((m) => q.runnable.includes(m)))
        empty.push(`${q.dashboard} / ${q.panel}: ${q.runnable}`);
    }
    expect(empty).toEqual([]);
    expect(families.sort()).toEqual([false, true]);
  });
});
