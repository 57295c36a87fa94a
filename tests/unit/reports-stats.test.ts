import { describe, expect, it } from 'vitest';
import { informationValue, ivStrength, mutualInformation } from '../../src/reports/stats.js';
import { binPlan, cutPoints, type NumericSummary } from '../../src/reports/eda-queries.js';

describe('feature screening', () => {
  it('scores an uninformative feature near zero', () => {
    const buckets = [
      { bucket: 'a', positives: 100, negatives: 900 },
      { bucket: 'b', positives: 200, negatives: 1800 },
    ];
    expect(informationValue(buckets)).toBeCloseTo(0, 4);
    expect(mutualInformation(buckets)).toBeCloseTo(0, 10);
  });

  it('gives a perfectly separating feature the whole entropy of y', () => {
    const buckets = [
      { bucket: 'yes', positives: 500, negatives: 0 },
      { bucket: 'no', positives: 0, negatives: 500 },
    ];
    expect(mutualInformation(buckets)).toBeCloseTo(1, 10); // H(y) = 1 bit for a 50/50 target
    expect(informationValue(buckets)).toBeGreaterThan(0.5);
    expect(ivStrength(informationValue(buckets))).toMatch(/suspicious/);
  });

  it('matches a hand-computed information value', () => {
    // shares of positives 0.25/0.75, of negatives 0.75/0.25 (before smoothing, which is tiny here)
    const buckets = [
      { bucket: 'a', positives: 25_000, negatives: 75_000 },
      { bucket: 'b', positives: 75_000, negatives: 25_000 },
    ];
    expect(informationValue(buckets)).toBeCloseTo(2 * 0.5 * Math.log(3), 4);
  });
});

describe('histogram bins', () => {
  const summary = (min: number, q99: number, max: number): NumericSummary => ({
    column: 'x',
    count: 1,
    nulls: 0,
    mean: 0,
    std: 0,
    min,
    q25: 0,
    median: 0,
    q75: 0,
    q99,
    max,
    distinct: 1,
    zeros: 0,
    cuts: [],
  });

  it('uses whole-number widths up to the 99th percentile', () => {
    expect(binPlan(summary(1, 31, 31))).toEqual({ lo: 1, width: 2 });
    expect(binPlan(summary(-8019, 13000, 102127))).toEqual({ lo: -8019, width: 701 });
  });

  it('falls back to the maximum when the 99th percentile equals the minimum', () => {
    expect(binPlan(summary(0, 0, 275))).toEqual({ lo: 0, width: 10 });
  });
});

describe('rate buckets', () => {
  it('keeps the deduplicated deciles when no value dominates', () => {
    expect(cutPoints([30, 33, 33, 36, 39], 32, 0.04, [31, 34])).toEqual([30, 33, 36, 39]);
  });

  it('gives a dominant value (pdays = -1) a bucket of its own', () => {
    expect(cutPoints([-1, -1, -1, -1, 92, 185], -1, 0.82, [90, 180, 360])).toEqual([-1, 0, 90, 180, 360]);
  });
});
