/**
 * The monitoring consumer on the real stack: a serving API in-process on topics of the test's own, the
 * simulator sending test-part customers and their outcomes, the monitor joining both topics. Gauges are
 * compared with the training code's `evaluate` on the same joined rows read back from Kafka.
 *
 * Restart strategy under test: every start replays both topics from (now − horizon − orphan grace) with a
 * fresh consumer group and feeds the replay sorted by event time, so a killed monitor comes back with the
 * same join and metrics. A restart here is `close()` + `startMonitor()`: the only thing a SIGKILL skips
 * is deleting the per-start consumer group, which the next start never reads.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landCustomers, type LandedCustomers } from './helpers/customers-table.js';
import { request } from 'undici';
import { startMonitor, type RunningMonitor, type StartMonitorOptions } from '../../consumers/monitor/main.js';
import { simulationRecords } from '../../producers/simulator/records.js';
import { simulate, type SimulationSummary } from '../../producers/simulator/run.js';
import type { RunningServing } from '../../serving/start.js';
import type { Config } from '../../src/config/index.js';
import { eventPayload } from '../../src/kafka/events.js';
import type { DeadLetter, GroundTruth, PipelineEvent } from '../../src/kafka/generated/types.js';
import { withLake } from '../../src/lake/duckdb.js';
import { evaluate, expectedCalibrationError } from '../../src/training/metrics.js';
import {
  joinedFromTopics,
  metricValue,
  monitorConfig,
  monitorTopics,
  startTestServing,
  type MonitorTopics,
} from './helpers/monitor-stack.js';
import { API_KEY, config, readTopic, servingFixture, type ServingFixture } from './helpers/serving.js';
import { waitFor } from './helpers/wait.js';

const LAST_N = 'last_1000';
let fixture: ServingFixture;
let topics: MonitorTopics;
let serving: RunningServing;
let monitor: RunningMonitor;
let summary: SimulationSummary;
let customers: LandedCustomers;
const cfg: Config = monitorConfig({ minLabels: 30, cooldownMs: 600_000, driftSizeBasis: 'reference' });
const cleanup: Array<() => Promise<void>> = [];

function monitorOptions(t: MonitorTopics, extra: Partial<StartMonitorOptions> = {}): StartMonitorOptions {
  return {
    topics: t,
    groupId: `bankops-test-monitor-${fixture.id}`,
    metricsPort: 0,
    scrapeTarget: null,
    historyTable: `test_${fixture.id}.monitoring_metrics`,
    intervalMs: 3_600_000, // the test ticks by hand
    orphanGraceMs: 2_000,
    lagGroups: [],
    ...extra,
  };
}

async function settle(m: RunningMonitor, labels: number, predictions: number) {
  await m.replayed;
  await waitFor(
    () => m.tick({ history: false }),
    (s) => s.join.predictions === predictions && s.join.labels >= labels,
    { what: 'the monitor to consume every prediction and label', timeoutMs: 60_000 },
  );
  await m.referencesLoaded();
  return m.tick({ history: false });
}

const gauges = async (m: RunningMonitor) => {
  const read = (name: string, labels: Record<string, string> = { window: LAST_N }) =>
    metricValue(m.registry, `bankops_model_${name}`, labels);
  return {
    accuracy: await read('accuracy'),
    f1: await read('f1'),
    precision: await read('precision'),
    recall: await read('recall'),
    rocAuc: await read('roc_auc'),
    prAuc: await read('pr_auc'),
    brier: await read('brier'),
    profitPer1000: await read('profit_per_1000_eur'),
    ece: await read('ece'),
    labels: await read('window_labels'),
    predictions: await read('window_predictions'),
    insufficient: await read('window_insufficient'),
    predictionsTotal: await read('predictions_total', {}),
    labelsTotal: await read('labels_total', {}),
    duplicate: await read('labels_rejected_total', { reason: 'duplicate' }),
    unknown: await read('labels_rejected_total', { reason: 'unknown_prediction' }),
  };
};

async function postLabels(labels: Array<{ predictionId: string; outcome: boolean }>) {
  const response = await request(`${serving.url}/v1/ground-truth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ labels }),
  });
  expect(response.statusCode).toBe(200);
  await response.body.text();
}

beforeAll(async () => {
  customers = await landCustomers();
  fixture = await servingFixture();
  topics = await monitorTopics(fixture);
  serving = await startTestServing(fixture, topics);
  monitor = await startMonitor(cfg, monitorOptions(topics));
  const records = await simulationRecords(config, { count: 200, seed: 1, table: customers.table });
  summary = await simulate({
    url: serving.url,
    apiKey: API_KEY,
    records,
    rate: 100,
    labelDelayMs: 500,
    labelCoverage: 0.8,
    seed: 3,
  });
});

afterAll(async () => {
  for (const close of cleanup.reverse()) await close().catch(() => undefined);
  await monitor?.close();
  await serving?.close();
});

describe('monitor', () => {
  it('exports the metrics a reference computation gives on the same joined rows', async () => {
    expect(summary.errors).toBe(0);
    expect(summary.answered).toBe(200);
    expect(summary.labelsSent).toBeGreaterThan(100);
    const snapshot = await settle(monitor, summary.labelsSent, summary.answered);
    expect(snapshot.join.joined).toBe(summary.labelsSent);

    const rows = await joinedFromTopics(fixture, topics);
    expect(rows).toHaveLength(summary.labelsSent);
    const threshold = rows[0]?.threshold ?? 0.5;
    const outcomes = rows.map((r) => (r.outcome ? 1 : 0));
    const expected = evaluate(
      outcomes,
      rows.map((r) => r.probability),
      threshold,
      config.economics,
    );
    // The served decision is probability ≥ threshold: the same confusion matrix.
    const byDecision = evaluate(
      outcomes,
      rows.map((r) => (r.decision ? 1 : 0)),
      0.5,
    );
    expect(byDecision.accuracy).toBe(expected.accuracy);

    const g = await gauges(monitor);
    expect(g.labels).toBe(rows.length);
    expect(g.predictions).toBe(summary.answered);
    expect(g.insufficient).toBe(0);
    expect(g.accuracy).toBeCloseTo(expected.accuracy, 12);
    expect(g.f1).toBeCloseTo(expected.f1, 12);
    expect(g.precision).toBeCloseTo(expected.precision, 12);
    expect(g.recall).toBeCloseTo(expected.recall, 12);
    expect(g.rocAuc).toBeCloseTo(expected.rocAuc, 9);
    expect(g.prAuc).toBeCloseTo(expected.prAuc, 9);
    expect(g.brier).toBeCloseTo(expected.brier, 12);
    // realized profit per 1,000 labelled predictions and calibration, against the training code's own
    expect(g.profitPer1000).toBeCloseTo(expected.profitPer1000, 9);
    expect(g.ece).toBeCloseTo(
      expectedCalibrationError(
        outcomes,
        rows.map((r) => r.probability),
      ),
      12,
    );
    expect(await metricValue(monitor.registry, 'bankops_model_champion_test_accuracy')).toBeGreaterThan(0.5);

    // performance.degraded is emitted exactly when the floors say so, over a full last-N window.
    const degraded =
      rows.length >= cfg.monitor.lastN &&
      (expected.accuracy < cfg.monitor.accuracyFloor || expected.f1 < cfg.monitor.f1Floor);
    if (degraded) expect(monitor.emitted.map((e) => e.type)).toContain('performance.degraded');

    // History: the same value lands in the Iceberg table.
    await monitor.tick({ history: true });
    const [row] = await withLake(config, (lake) =>
      lake.all<{ value: number; n: bigint }>(
        `SELECT value, count(*) OVER () AS n FROM lake."test_${fixture.id}"."monitoring_metrics"
         WHERE metric = 'accuracy' AND "window" = '${LAST_N}' ORDER BY time DESC LIMIT 1`,
      ),
    );
    expect(row?.value).toBeCloseTo(expected.accuracy, 12);
  });

  it('counts and dead-letters duplicate labels and labels of unknown predictions', async () => {
    const labelled = summary.predictions.find((p) => p.labelled);
    if (!labelled) throw new Error('no labelled prediction');
    const unknownId = randomUUID();
    await postLabels([
      { predictionId: labelled.predictionId, outcome: !labelled.outcome },
      { predictionId: unknownId, outcome: false },
    ]);
    await waitFor(
      () => monitor.tick(),
      (s) => s.rejected.duplicate === 1,
      { what: 'the duplicate' },
    );
    // The unknown id waits `orphanGraceMs` (event time) for its prediction: move the watermark past it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const more = await simulate({
      url: serving.url,
      apiKey: API_KEY,
      records: await simulationRecords(config, { count: 10, seed: 2, table: customers.table }),
      rate: 50,
      labelDelayMs: 100,
      labelCoverage: 1,
    });
    summary = {
      ...summary,
      answered: summary.answered + more.answered,
      labelsSent: summary.labelsSent + more.labelsSent,
    };
    const snapshot = await waitFor(
      () => monitor.tick(),
      (s) => s.rejected.unknown_prediction === 1 && s.join.joined === summary.labelsSent,
      { what: 'the unknown label to be rejected' },
    );
    expect(snapshot.rejected).toMatchObject({ duplicate: 1, unknown_prediction: 1, expired: 0 });
    const g = await gauges(monitor);
    expect(g.duplicate).toBe(1);
    expect(g.unknown).toBe(1);

    const letters = await waitFor(
      () => readTopic<DeadLetter>(fixture, `${topics.groundTruth}.dlq`),
      (l) => l.length >= 2,
      { what: 'two dead letters' },
    );
    expect(letters.map((l) => l.error_code).sort()).toEqual(['LABEL_DUPLICATE', 'LABEL_UNKNOWN_PREDICTION']);
    for (const letter of letters) {
      expect(letter.component).toBe('monitor');
      expect(letter.source_topic).toBe(topics.groundTruth);
      const original = (await fixture.registry.decode(letter.value as Buffer)) as GroundTruth;
      expect(original.prediction_id).toBe(
        letter.error_code === 'LABEL_DUPLICATE' ? labelled.predictionId : unknownId,
      );
    }
  });

  it('comes back with the same metrics after a restart', async () => {
    const before = await gauges(monitor);
    await monitor.close();
    monitor = await startMonitor(cfg, monitorOptions(topics));
    expect(await monitor.replayed).toBeGreaterThan(summary.answered);
    await settle(monitor, summary.labelsSent, summary.answered);
    const after = await gauges(monitor);
    // Counts are exact; float sums may differ in the last bit (the replay feeds in event-time order).
    for (const [key, value] of Object.entries(before)) {
      const now = after[key as keyof typeof after];
      if (value === undefined || Number.isInteger(value)) expect(now, key).toBe(value);
      else expect(now, key).toBeCloseTo(value, 12);
    }
    // Replayed rejections are not dead-lettered a second time.
    expect(await readTopic<DeadLetter>(fixture, `${topics.groundTruth}.dlq`)).toHaveLength(2);
  });

  it('marks a window with too few labels insufficient and exports no accuracy for it', async () => {
    const strict = await startMonitor(
      monitorConfig({ minLabels: 100_000 }),
      monitorOptions(topics, { groupId: `bankops-test-strict-${fixture.id}`, historyTable: null }),
    );
    cleanup.push(() => strict.close());
    const snapshot = await settle(strict, summary.labelsSent, summary.answered);
    const report = snapshot.windows.find((w) => w.window === LAST_N);
    expect(report).toMatchObject({ insufficient: true, insufficientReason: 'too_few_labels', metrics: null });
    expect(await metricValue(strict.registry, 'bankops_model_window_insufficient', { window: LAST_N })).toBe(
      1,
    );
    expect(await metricValue(strict.registry, 'bankops_model_accuracy', { window: LAST_N })).toBeUndefined();
    expect(await metricValue(strict.registry, 'bankops_model_window_labels', { window: LAST_N })).toBe(
      summary.labelsSent,
    );
  });

  async function driftRun(scenario: 'older' | 'none') {
    const t = await monitorTopics(fixture);
    const server = await startTestServing(fixture, t);
    cleanup.push(() => server.close());
    const m = await startMonitor(cfg, monitorOptions(t, { historyTable: null }));
    cleanup.push(() => m.close());
    const records = await simulationRecords(config, {
      count: 600,
      scenario,
      seed: 11,
      table: customers.table,
    });
    const run = await simulate({
      url: server.url,
      apiKey: API_KEY,
      records,
      rate: 200,
      labelDelayMs: 0,
      labelCoverage: 0,
    });
    expect(run.answered).toBe(600);
    await settle(m, 0, 600);
    const events = (await readTopic<PipelineEvent>(fixture, t.pipelineEvents)).filter(
      (e) => e.type === 'drift.detected',
    );
    return { m, events };
  }

  it('detects the age drift of an older customer base and emits drift.detected', async () => {
    const { m, events } = await driftRun('older');
    expect(await metricValue(m.registry, 'bankops_model_feature_drift_detected', { feature: 'age' })).toBe(1);
    expect(
      await metricValue(m.registry, 'bankops_model_feature_drift_detected', { feature: 'marital' }),
    ).toBe(0);
    expect(events).toHaveLength(1);
    const payload = eventPayload(events[0] as PipelineEvent);
    expect(payload['features']).toContain('age');
    expect(payload['features']).not.toContain('marital');
  });

  it('reports no drift and emits nothing for traffic like the training data', async () => {
    const { m, events } = await driftRun('none');
    const metric = (await m.registry.getMetricsAsJSON()).find(
      (x) => x.name === 'bankops_model_feature_drift_detected',
    );
    const values = (metric?.values ?? []).map((v) => v.value);
    expect(values.length).toBeGreaterThanOrEqual(15);
    expect(values.every((v) => v === 0)).toBe(true);
    expect(events).toHaveLength(0);
    expect(m.emitted.filter((e) => e.type === 'drift.detected')).toHaveLength(0);
  });
});
