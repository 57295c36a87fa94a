import { describe, expect, it } from 'vitest';
import { ageBand, SegmentTracker, segmentsOf } from '../../src/monitoring/segments.js';

const labelled = (id: string, outcome: boolean, probability: number) => ({
  predictionId: id,
  eventTime: 0,
  modelVersion: '3',
  variant: 'champion',
  probability,
  decision: probability >= 0.5,
  outcome,
  labelTime: 1,
});

describe('quality per customer segment', () => {
  it('reads the contact type and the age band of a served record', () => {
    expect(segmentsOf('{"age":61,"job":"retired","contact":"telephone"}')).toEqual({
      contact: 'telephone',
      age_band: '60+',
    });
    expect(segmentsOf('{"job":"x"}')).toEqual({});
    expect([29, 30, 44, 45, 59, 60].map(ageBand)).toEqual(['<30', '30-44', '30-44', '45-59', '45-59', '60+']);
  });

  it('measures each segment on its own labels, and nothing with too few', () => {
    const tracker = new SegmentTracker({ minLabels: 4, lastN: 100 });
    const rows: Array<[string, boolean, number]> = [
      ['telephone', true, 0.9],
      ['telephone', false, 0.8],
      ['telephone', true, 0.7],
      ['telephone', false, 0.1],
      ['cellular', true, 0.9],
    ];
    rows.forEach(([contact, outcome, p], i) => {
      tracker.addPrediction(`p${i}`, JSON.stringify({ age: 35, contact }));
      tracker.addLabelled(labelled(`p${i}`, outcome, p));
    });
    const report = tracker.report();
    const telephone = report.find((r) => r.dimension === 'contact' && r.value === 'telephone');
    expect(telephone).toMatchObject({ labels: 4, accuracy: 0.75, rocAuc: 0.75 });
    expect(report.find((r) => r.value === 'cellular')).toMatchObject({
      labels: 1,
      accuracy: null,
      rocAuc: null,
    });
    expect(report.find((r) => r.dimension === 'age_band')).toMatchObject({ value: '30-44', labels: 5 });
  });

  it('caps the values of a segment, counting the rest as other', () => {
    const tracker = new SegmentTracker({ maxValues: 2, minLabels: 1 });
    ['a', 'b', 'c', 'd'].forEach((contact, i) => {
      tracker.addPrediction(`p${i}`, JSON.stringify({ contact }));
      tracker.addLabelled(labelled(`p${i}`, i % 2 === 0, 0.6));
    });
    const values = tracker
      .report()
      .filter((r) => r.dimension === 'contact')
      .map((r) => `${r.value}:${r.labels}`)
      .sort();
    expect(values).toEqual(['a:1', 'b:1', 'other:2']);
  });
});
