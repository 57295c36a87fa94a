import { describe, expect, it } from 'vitest';
import { estimateFromConfusion, expectedConfusion } from '../../src/monitoring/estimate.js';
import { calibrate, fitIsotonic, mulberry32 } from '../../src/training/index.js';

describe('isotonic calibration', () => {
  it('is a non-decreasing map to observed rates, the identity without a map', () => {
    const map = fitIsotonic([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0, 1, 0, 0, 1, 1]);
    expect(map?.y).toEqual([0, 1 / 3, 1, 1]);
    for (let k = 1; k < (map?.y.length ?? 0); k += 1)
      expect(map?.y[k]).toBeGreaterThanOrEqual(map?.y[k - 1] ?? 0);
    expect(calibrate(map, 0)).toBe(0);
    expect(calibrate(map, 0.99)).toBe(1);
    expect(calibrate(undefined, 0.42)).toBe(0.42);
  });

  it('lets CBPE estimate what overconfident scores would otherwise overstate', () => {
    // true probability q, served score sqrt(q): the model calls too many customers "likely"
    const random = mulberry32(3);
    const draw = (n: number) =>
      Array.from({ length: n }, () => {
        const q = random() ** 2;
        return { score: Math.sqrt(q), outcome: random() < q ? 1 : 0 };
      });
    const reference = draw(20_000);
    const map = fitIsotonic(
      reference.map((r) => r.score),
      reference.map((r) => r.outcome),
    );
    const traffic = draw(20_000);
    const threshold = 0.5;
    const realizedTp = traffic.filter((r) => r.score >= threshold && r.outcome === 1).length;
    const realizedPrecision = realizedTp / traffic.filter((r) => r.score >= threshold).length;
    const raw = estimateFromConfusion(
      expectedConfusion(
        traffic.map((r) => r.score),
        threshold,
      ),
    );
    const sums = expectedConfusion([], threshold);
    for (const r of traffic) {
      const p = calibrate(map, r.score);
      const called = r.score >= threshold;
      sums.count += 1;
      if (called) {
        sums.tp += p;
        sums.fp += 1 - p;
      } else {
        sums.fn += p;
        sums.tn += 1 - p;
      }
    }
    const calibrated = estimateFromConfusion(sums);
    expect(Math.abs(calibrated.precision - realizedPrecision)).toBeLessThan(0.02);
    expect(Math.abs(raw.precision - realizedPrecision)).toBeGreaterThan(0.1);
  });
});
