import { describe, expect, it } from 'vitest';
import type { JoinPrediction } from '../../src/monitoring/join.js';
import { JoinState } from '../../src/monitoring/join.js';

const MIN = 60_000;
const prediction = (id: string, eventTime: number, extra: Partial<JoinPrediction> = {}): JoinPrediction => ({
  predictionId: id,
  eventTime,
  modelVersion: '3',
  variant: 'champion',
  probability: 0.7,
  decision: true,
  ...extra,
});
const label = (id: string, eventTime: number, outcome = true) => ({ predictionId: id, eventTime, outcome });

describe('JoinState', () => {
  it('joins a label that follows its prediction', () => {
    const join = new JoinState({ horizonMs: 60 * MIN });
    expect(join.addPrediction(prediction('a', 0)).joined).toEqual([]);
    const outcome = join.addLabel(label('a', 5 * MIN, false));
    expect(outcome.joined).toEqual([{ ...prediction('a', 0), outcome: false, labelTime: 5 * MIN }]);
    expect(outcome.rejected).toEqual([]);
    expect(join.stats()).toMatchObject({ predictions: 1, labels: 1, joined: 1 });
  });

  it('holds a label that arrives before its prediction, and joins when the prediction comes', () => {
    const join = new JoinState();
    expect(join.addLabel(label('b', 1000)).joined).toEqual([]);
    expect(join.size.orphans).toBe(1);
    const outcome = join.addPrediction(prediction('b', 900));
    expect(outcome.joined).toHaveLength(1);
    expect(outcome.joined[0]).toMatchObject({ predictionId: 'b', outcome: true, labelTime: 1000 });
    expect(join.size.orphans).toBe(0);
  });

  it('counts a duplicate label once: the first wins, the repeat is reported', () => {
    const join = new JoinState();
    join.addPrediction(prediction('c', 0));
    join.addLabel(label('c', 10, true));
    const again = join.addLabel(label('c', 20, false));
    expect(again.joined).toEqual([]);
    expect(again.rejected).toEqual([expect.objectContaining({ reason: 'duplicate' })]);
    // Two labels before the prediction: the second is the duplicate.
    join.addLabel(label('d', 30, true));
    expect(join.addLabel(label('d', 31, false)).rejected[0]?.reason).toBe('duplicate');
    expect(join.addPrediction(prediction('d', 25)).joined[0]?.outcome).toBe(true);
    expect(join.stats()).toMatchObject({ joined: 2, rejected: { duplicate: 2 } });
  });

  it('rejects labels later than the horizon and evicts old predictions, reporting both', () => {
    const join = new JoinState({ horizonMs: 10 * MIN });
    join.addPrediction(prediction('old', 0));
    join.addPrediction(prediction('kept', 5 * MIN));
    // A label 11 min after its prediction: too late even though the prediction is still held.
    const late = join.addLabel(label('kept', 16 * MIN));
    expect(late.rejected.map((r) => r.reason)).toEqual(['expired']);
    // The label moved the watermark to 16 min: both predictions (0 and 5 min) left the horizon.
    expect(late.evicted).toEqual([
      { predictionId: 'old', eventTime: 0, labelled: false, cause: 'horizon' },
      { predictionId: 'kept', eventTime: 5 * MIN, labelled: false, cause: 'horizon' },
    ]);
    // Its label now is expired (remembered by a tombstone), not unknown.
    expect(join.addLabel(label('old', 17 * MIN)).rejected[0]?.reason).toBe('expired');
    expect(join.stats()).toMatchObject({ evicted: 2, evictedUnlabelled: 2, rejected: { expired: 2 } });
  });

  it('rejects a label whose prediction never arrives as unknown after the grace period', () => {
    const join = new JoinState({ orphanGraceMs: MIN });
    join.addLabel(label('ghost', 0));
    const later = join.addPrediction(prediction('other', 2 * MIN));
    expect(later.rejected).toEqual([
      expect.objectContaining({ reason: 'unknown_prediction', label: label('ghost', 0) }),
    ]);
    expect(join.addLabel({ predictionId: '', eventTime: 1, outcome: true }).rejected[0]?.reason).toBe(
      'invalid',
    );
  });

  it('bounds memory by count whatever the clock says', () => {
    const join = new JoinState({ maxPredictions: 100, maxOrphans: 10 });
    let evicted = 0;
    for (let i = 0; i < 250; i += 1) evicted += join.addPrediction(prediction(`p${i}`, i)).evicted.length;
    expect(join.size.predictions).toBe(100);
    expect(evicted).toBe(150);
    for (let i = 0; i < 30; i += 1) join.addLabel(label(`x${i}`, 300));
    expect(join.size.orphans).toBe(10);
    expect(join.stats().rejected.unknown_prediction).toBe(20);
  });

  it('ignores a repeated prediction id', () => {
    const join = new JoinState();
    expect(join.addPrediction(prediction('r', 0)).accepted).toBe(true);
    expect(join.addPrediction(prediction('r', 1)).accepted).toBe(false);
    expect(join.stats()).toMatchObject({ predictions: 1, duplicatePredictions: 1 });
  });

  it('survives a JSON round trip of its snapshot and carries on identically', () => {
    const build = (): JoinState => {
      const join = new JoinState({ horizonMs: 10 * MIN });
      join.addPrediction(prediction('s1', 0));
      join.addPrediction(prediction('s2', MIN));
      join.addLabel(label('s1', 2 * MIN));
      join.addLabel(label('s3', 2 * MIN)); // waits for its prediction
      join.addPrediction(prediction('s4', 12 * MIN)); // evicts s1 (labelled) into a tombstone
      return join;
    };
    const original = build();
    const restored = JoinState.restore(JSON.parse(JSON.stringify(original.snapshot())));
    expect(restored.snapshot()).toEqual(original.snapshot());
    for (const join of [original, restored]) {
      expect(join.addPrediction(prediction('s3', 90_000)).joined).toHaveLength(1);
      expect(join.addLabel(label('s1', 13 * MIN)).rejected[0]?.reason).toBe('duplicate');
    }
    expect(restored.snapshot()).toEqual(original.snapshot());
    expect(() => JoinState.restore({ ...original.snapshot(), version: 2 as 1 })).toThrow(/join snapshot/);
  });

  it('an empty state round-trips too (its watermark is −∞, null in JSON)', () => {
    const restored = JoinState.restore(JSON.parse(JSON.stringify(new JoinState().snapshot())));
    expect(restored.currentWatermark).toBe(-Infinity);
  });
});
