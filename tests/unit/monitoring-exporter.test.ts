import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../producers/synthetic.js';
import type { BankRecord } from '../../src/bank/columns.js';
import type { Prediction } from '../../src/kafka/generated/types.js';
import { toHistoryRows, updateGauges } from '../../src/monitoring/exporter.js';
import type { ModelReference } from '../../src/monitoring/monitor.js';
import { Monitor } from '../../src/monitoring/monitor.js';
import { loadBundledBank } from '../../src/training/data.js';
import { featureReference, predictionReference } from '../../src/training/reference.js';
import { mulberry32 } from '../../src/training/split.js';

const MIN = 60_000;
let records: BankRecord[] = [];
let reference: ModelReference;

beforeAll(async () => {
  ({ records } = await loadBundledBank());
  const random = mulberry32(1);
  reference = {
    modelVersion: '4',
    features: featureReference(records),
    predictions: predictionReference(Array.from({ length: 5000 }, () => random())),
    testAccuracy: 0.88,
    testF1: 0.47,
    economics: { costPerCall: 5, valuePerSubscription: 100 },
  };
});

function predictions(rows: readonly BankRecord[], start: number, seed: number): Prediction[] {
  const random = mulberry32(seed);
  return rows.map((row, i) => {
    const probability = random();
    return {
      prediction_id: `p-${seed}-${i}`,
      event_time: start + Math.floor((i / rows.length) * MIN),
      model_name: 'bank-marketing',
      model_version: '4',
      variant: 'champion',
      customer_key: null,
      features_json: JSON.stringify(row),
      probability,
      decision: probability >= 0.5,
      threshold: 0.5,
      latency_ms: 3,
      route: '/predict',
      shadow_of: null,
    };
  });
}

/** Sample lines of one metric from the exposition text, as "labels value". */
async function series(registry: Registry, name: string): Promise<string[]> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => line.slice(name.length));
}

describe('exporter', () => {
  it('exports window metrics, drift, totals and rejections, and drops what no longer holds', async () => {
    const monitor = new Monitor({
      windows: { tumbling: [{ name: '1m', ms: MIN }], lastN: 300, minLabels: 100 },
      driftSample: 600,
    });
    monitor.setReference(reference);
    const traffic = predictions(synthesize(records, { rows: 600, seed: 2, scenario: 'older' }), 0, 3);
    const random = mulberry32(4);
    for (const p of traffic) monitor.ingestPrediction(p);
    for (const p of traffic.slice(0, 400)) {
      monitor.ingestGroundTruth({
        prediction_id: p.prediction_id,
        event_time: p.event_time + 1000,
        outcome: random() < p.probability,
        source: 'test',
      });
    }
    monitor.ingestGroundTruth({
      prediction_id: 'nobody',
      event_time: 2 * MIN,
      outcome: true,
      source: 'test',
    });
    monitor.ingestGroundTruth({ prediction_id: 'p-3-0', event_time: 2 * MIN, outcome: true, source: 'test' });
    monitor.ingestPrediction(predictions(records.slice(0, 1), 30 * MIN, 5)[0] as Prediction); // closes minute 0, expires the orphan

    const registry = new Registry();
    const snapshot = monitor.snapshot(1_700_000_000_000);
    updateGauges(registry, snapshot);

    const accuracy = await series(registry, 'bankops_model_accuracy');
    expect(accuracy).toEqual([
      expect.stringMatching(/^\{model_version="4",variant="champion",window="last_300"\} 0\.\d+$/),
    ]);
    expect(await series(registry, 'bankops_model_window_insufficient')).toEqual(
      expect.arrayContaining(['{model_version="4",variant="champion",window="last_300"} 0']),
    );
    expect(await series(registry, 'bankops_model_feature_drift_detected')).toEqual(
      expect.arrayContaining(['{model_version="4",variant="champion",window="last_600",feature="age"} 1']),
    );
    expect(
      (await series(registry, 'bankops_model_feature_drift_score')).some((s) =>
        s.includes('feature="age",method="ks"'),
      ),
    ).toBe(true);
    expect((await series(registry, 'bankops_model_drifted_features'))[0]).toMatch(
      /window="last_600"\} [1-9]/,
    );
    expect(await series(registry, 'bankops_model_feature_psi')).toHaveLength(16);
    expect(await series(registry, 'bankops_model_prediction_drift_score')).toHaveLength(1);
    expect(await series(registry, 'bankops_model_champion_test_accuracy')).toEqual([
      '{model_version="4"} 0.88',
    ]);
    expect(await series(registry, 'bankops_model_predictions_total')).toEqual([
      '{model_version="4",variant="champion"} 601',
    ]);
    expect(await series(registry, 'bankops_model_labels_total')).toEqual([
      '{model_version="4",variant="champion"} 400',
    ]);
    expect(await series(registry, 'bankops_model_labels_rejected_total')).toEqual(
      expect.arrayContaining([
        '{reason="duplicate"} 1',
        '{reason="unknown_prediction"} 1',
        '{reason="expired"} 0',
      ]),
    );

    // The next snapshot has minute 30 as the latest closed window: minute 0's series must go, and the
    // counters only move by what happened since.
    monitor.ingestPrediction(predictions(records.slice(0, 1), 31 * MIN, 6)[0] as Prediction);
    updateGauges(registry, monitor.snapshot());
    expect(await series(registry, 'bankops_model_predictions_total')).toEqual([
      '{model_version="4",variant="champion"} 602',
    ]);
    const windows = (await series(registry, 'bankops_model_window_predictions')).map(
      (s) => s.split('window=')[1],
    );
    // The count window's predictions are those made over its span (since its oldest member): 602.
    expect(windows).toEqual(['"1m"} 1', '"last_300"} 602']);
  });

  it('turns a snapshot into history rows for bank.monitoring_metrics', () => {
    const monitor = new Monitor({
      windows: { tumbling: [{ name: '1m', ms: MIN }], lastN: 100, minLabels: 50, minForEstimate: 50 },
      driftSample: 100,
    });
    monitor.setReference(reference);
    const traffic = predictions(records.slice(0, 100), 0, 7);
    for (const p of traffic) monitor.ingestPrediction(p);
    for (const p of traffic.slice(0, 10))
      monitor.ingestGroundTruth({
        prediction_id: p.prediction_id,
        event_time: p.event_time,
        outcome: p.decision,
        source: 't',
      });
    const rows = toHistoryRows(monitor.snapshot(123, MIN));
    expect(rows.every((r) => r.time === 123 && Number.isFinite(r.value))).toBe(true);
    // Insufficient (10 labels < 50): volume rows only, flagged.
    const minute = rows.filter((r) => r.window === '1m');
    expect(minute.map((r) => r.metric).sort()).toEqual([
      'estimated_accuracy',
      'estimated_f1',
      'estimated_precision',
      'estimated_recall',
      'label_coverage',
      'labels',
      'positive_rate',
      'predictions',
    ]);
    expect(minute.every((r) => r.insufficient && r.feature === null)).toBe(true);
    const age = rows.filter((r) => r.feature === 'age').map((r) => r.metric);
    expect(age).toEqual(
      expect.arrayContaining([
        'feature_drift_score',
        'feature_drift_detected',
        'feature_psi',
        'feature_ks_p_value',
      ]),
    );
    expect(rows.find((r) => r.metric === 'predictions_total')).toMatchObject({ window: 'all', value: 100 });
  });
});
