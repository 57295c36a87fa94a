import { describe, expect, it } from 'vitest';
import { monitorEvents, type AlertOptions, type Cooldowns } from '../../consumers/monitor/alerts.js';
import type { MonitoringSnapshot } from '../../src/monitoring/monitor.js';
import type { DriftResult } from '../../src/monitoring/drift.js';
import type { WindowReport } from '../../src/monitoring/window-metrics.js';

const options: AlertOptions = {
  accuracyFloor: 0.8,
  f1Floor: 0.3,
  maxDrop: 0.1,
  cooldownMs: 60_000,
  lastN: 400,
};

const drift = (feature: string, detected: boolean): DriftResult => ({
  feature,
  kind: 'numeric',
  n: 500,
  missing: 0,
  insufficient: false,
  method: 'wasserstein',
  score: detected ? 0.5 : 0.01,
  threshold: 0.1,
  detected,
  psi: 0,
  psiBand: 'none' as DriftResult['psiBand'],
  statistics: {},
});

function snapshot(accuracy: number, f1: number, drifted: string[]): MonitoringSnapshot {
  const window = {
    modelVersion: '3',
    variant: 'champion',
    window: 'last_1000',
    kind: 'count',
    start: 0,
    end: null,
    predictions: 500,
    labels: 400,
    positives: 50,
    coverage: 0.8,
    positiveRate: 0.1,
    insufficient: false,
    insufficientReason: null,
    metrics: { accuracy, f1 },
    estimate: null,
  } as unknown as WindowReport;
  return {
    computedAt: 0,
    watermark: 0,
    windows: [window],
    drift: [
      {
        modelVersion: '3',
        variant: 'champion',
        window: 'last_1000',
        n: 500,
        features: ['age', 'job'].map((f) => drift(f, drifted.includes(f))),
        prediction: drift('prediction', false),
        driftedFeatures: drifted.length,
        unparsable: 0,
        since: 1_000,
      },
    ],
    totals: [],
    rejected: { expired: 0, unknown_prediction: 0, duplicate: 0, invalid: 0 },
    references: [{ modelVersion: '3', testAccuracy: 0.9, testF1: 0.5 }],
    join: {} as MonitoringSnapshot['join'],
    lateLabels: 0,
    segments: [],
  };
}

describe('monitor events', () => {
  it('emits nothing for a healthy, stable model', () => {
    expect(monitorEvents(snapshot(0.89, 0.48, []), options, new Map(), 0)).toEqual([]);
  });

  it('names the drifted features and respects the cooldown', () => {
    const cooldowns: Cooldowns = new Map();
    const [event] = monitorEvents(snapshot(0.89, 0.48, ['age']), options, cooldowns, 0);
    expect(event?.type).toBe('drift.detected');
    expect(event?.payload['features']).toEqual(['age']);
    expect(monitorEvents(snapshot(0.89, 0.48, ['age']), options, cooldowns, 59_999)).toEqual([]);
    expect(monitorEvents(snapshot(0.89, 0.48, ['age']), options, cooldowns, 60_000)).toHaveLength(1);
  });

  it('reports degraded performance below a floor or far below the test score', () => {
    const below = monitorEvents(snapshot(0.75, 0.48, []), options, new Map(), 0);
    expect(below.map((e) => e.type)).toEqual(['performance.degraded']);
    const dropped = monitorEvents(snapshot(0.85, 0.35, []), options, new Map(), 0);
    expect(dropped[0]?.payload['reasons']).toEqual(['f1 0.3500 more than 0.1 below the test score 0.5000']);
  });

  it('waits for a full last-N window before calling performance degraded', () => {
    expect(monitorEvents(snapshot(0.75, 0.2, []), { ...options, lastN: 1_000 }, new Map(), 0)).toEqual([]);
  });
});
