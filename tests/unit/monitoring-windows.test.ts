import { describe, expect, it } from 'vitest';
import { estimateFromConfusion, expectedConfusion } from '../../src/monitoring/estimate.js';
import type { JoinPrediction } from '../../src/monitoring/join.js';
import { PerformanceWindows } from '../../src/monitoring/windows.js';
import { brier, confusionAt, f1, prAuc, rocAuc } from '../../src/training/metrics.js';
import { mulberry32 } from '../../src/training/split.js';

const MIN = 60_000;

interface Row extends JoinPrediction {
  outcome: boolean;
}

function rows(count: number, start: number, seed: number, modelVersion = '1', variant = 'champion'): Row[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const probability = random();
    return {
      predictionId: `${modelVersion}-${variant}-${seed}-${i}`,
      eventTime: start + Math.floor((i / count) * MIN),
      modelVersion,
      variant,
      probability,
      decision: probability >= 0.5,
      outcome: random() < probability,
    };
  });
}

const labelled = (r: Row) => ({ ...r, labelTime: r.eventTime + 1000 });
const options = { tumbling: [{ name: '1m', ms: MIN }], lastN: 200, minLabels: 100, minForEstimate: 20 };

describe('PerformanceWindows', () => {
  it('computes the metrics of the latest closed window with the training metric code', () => {
    const windows = new PerformanceWindows({
      ...options,
      economics: (v) =>
        v === '1'
          ? { costPerCall: 2, valuePerSubscription: 50 }
          : { costPerCall: 5, valuePerSubscription: 100 },
    });
    const data = rows(300, 0, 1);
    data.forEach((r) => windows.addPrediction(r));
    const labelledRows = data.slice(0, 250);
    labelledRows.forEach((r) => windows.addLabelled(labelled(r)));
    windows.addPrediction(rows(1, MIN, 2)[0] as Row); // opens minute 1: minute 0 is closed
    const report = windows.report().find((r) => r.window === '1m');
    const outcomes = Uint8Array.from(labelledRows, (r) => (r.outcome ? 1 : 0));
    const scores = Float64Array.from(labelledRows, (r) => r.probability);
    const c = confusionAt(outcomes, scores, 0.5);
    expect(report).toMatchObject({
      modelVersion: '1',
      variant: 'champion',
      start: 0,
      end: MIN,
      predictions: 300,
      labels: 250,
    });
    expect(report?.insufficient).toBe(false);
    expect(report?.coverage).toBeCloseTo(250 / 300, 12);
    expect(report?.positiveRate).toBeCloseTo(data.filter((r) => r.decision).length / 300, 12);
    expect(report?.metrics?.f1).toBeCloseTo(f1(c), 12);
    expect(report?.metrics?.rocAuc).toBeCloseTo(rocAuc(outcomes, scores), 12);
    expect(report?.metrics?.prAuc).toBeCloseTo(prAuc(outcomes, scores), 12);
    expect(report?.metrics?.brier).toBeCloseTo(brier(outcomes, scores), 12);
    expect(report?.metrics?.profit).toBeCloseTo(50 * c.tp - 2 * (c.tp + c.fp), 9);
    // CBPE over the 50 still-unlabelled predictions of the window.
    const unlabelled = data.slice(250).map((r) => r.probability);
    expect(report?.estimate?.count).toBe(50);
    expect(report?.estimate?.f1).toBeCloseTo(estimateFromConfusion(expectedConfusion(unlabelled, 0.5)).f1, 9);
  });

  it('marks windows with too few labels or one class insufficient, without quality metrics', () => {
    const windows = new PerformanceWindows(options);
    const data = rows(150, 0, 3);
    data.forEach((r) => windows.addPrediction(r));
    data.slice(0, 99).forEach((r) => windows.addLabelled(labelled(r)));
    const few = windows.report(MIN).find((r) => r.window === '1m');
    expect(few).toMatchObject({
      insufficient: true,
      insufficientReason: 'too_few_labels',
      metrics: null,
      labels: 99,
    });
    expect(few?.coverage).toBeCloseTo(99 / 150, 12);

    const single = new PerformanceWindows(options);
    const negatives = rows(120, 0, 4).map((r) => ({ ...r, outcome: false }));
    negatives.forEach((r) => single.addPrediction(r));
    negatives.forEach((r) => single.addLabelled(labelled(r)));
    expect(single.report(MIN).find((r) => r.window === '1m')).toMatchObject({
      insufficient: true,
      insufficientReason: 'single_class',
      metrics: null,
    });
  });

  it("puts a late label into its prediction's window, and counts it when that window is gone", () => {
    const windows = new PerformanceWindows({ ...options, retentionMs: 5 * MIN });
    const early = rows(120, 0, 5);
    early.forEach((r) => windows.addPrediction(r));
    rows(10, 3 * MIN, 6).forEach((r) => windows.addPrediction(r));
    early.forEach((r) => windows.addLabelled({ ...labelled(r), labelTime: 3 * MIN }));
    // Minute 0 is not the latest closed window any more, but its labels landed there.
    expect(windows.report(MIN).find((r) => r.window === '1m')?.labels).toBe(120);
    rows(1, 20 * MIN, 7).forEach((r) => windows.addPrediction(r)); // minute 0 falls out of retention
    windows.addLabelled(labelled(early[0] as Row));
    expect(windows.lateLabels).toBe(1);
  });

  it('keeps the last N labelled predictions per version and variant, with coverage over their span', () => {
    const windows = new PerformanceWindows(options);
    const champion = rows(500, 0, 8);
    const challenger = rows(300, 0, 9, '2', 'challenger');
    [...champion, ...challenger].forEach((r) => windows.addPrediction(r));
    champion.slice(0, 400).forEach((r) => windows.addLabelled(labelled(r)));
    challenger.slice(0, 50).forEach((r) => windows.addLabelled(labelled(r)));
    const reports = windows.report(MIN);
    const last = reports.find((r) => r.window === 'last_200' && r.variant === 'champion');
    expect(last).toMatchObject({ kind: 'count', labels: 200, insufficient: false });
    // The last 200 labelled predictions span the 1-minute window 0: 400 labels of 500 predictions there.
    expect(last?.coverage).toBeCloseTo(400 / 500, 12);
    const members = champion.slice(200, 400);
    const outcomes = Uint8Array.from(members, (r) => (r.outcome ? 1 : 0));
    const decisions = Uint8Array.from(members, (r) => (r.decision ? 1 : 0));
    expect(last?.metrics?.f1).toBeCloseTo(f1(confusionAt(outcomes, decisions, 0.5)), 12);
    expect(last?.estimate).toBeNull();
    const small = reports.find((r) => r.window === 'last_200' && r.variant === 'challenger');
    expect(small).toMatchObject({ modelVersion: '2', labels: 50, insufficient: true });
  });

  it('refuses nonsensical options', () => {
    expect(() => new PerformanceWindows({ lastN: 0 })).toThrow(/window options/);
    expect(() => new PerformanceWindows({ tumbling: [{ name: '', ms: 1 }] })).toThrow(/window options/);
  });
});
