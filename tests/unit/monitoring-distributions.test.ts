/**
 * The hand-written distributions and tests against reference values computed with SciPy 1.10.1
 * (Debian python3-scipy), stated next to each assertion.
 */
import { describe, expect, it } from 'vitest';
import {
  chiSquareSurvival,
  kolmogorovSurvival,
  ksPValue,
  logGamma,
  normalSurvival,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../src/monitoring/distributions.js';
import { ksStatistic } from '../../src/monitoring/reference-cdf.js';
import {
  chiSquareTest,
  jensenShannon,
  proportionZTest,
  psi,
  psiBand,
} from '../../src/monitoring/stattests.js';

const close = (actual: number, expected: number, relative = 1e-9): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1e-300, Math.abs(expected)));
};

describe('special functions', () => {
  it('log-gamma matches scipy.special.gammaln', () => {
    close(logGamma(0.3), 1.0957979948180756); // gammaln(0.3)
    close(logGamma(10), 12.801827480081469); // gammaln(10) = ln 9!
    close(logGamma(100.5), 361.43554046777757); // gammaln(100.5)
  });

  it('regularized incomplete gamma matches scipy.special.gammainc / gammaincc', () => {
    close(regularizedGammaP(2.5, 1.5), 0.3000141641213724); // gammainc(2.5, 1.5)
    close(regularizedGammaQ(0.5, 4), 0.004677734981047276); // gammaincc(0.5, 4)
    expect(regularizedGammaP(3, 0)).toBe(0);
    expect(regularizedGammaQ(3, 0)).toBe(1);
  });

  it('chi-square survival matches scipy.stats.chi2.sf', () => {
    close(chiSquareSurvival(3.84, 1), 0.05004352124870519);
    close(chiSquareSurvival(10, 5), 0.07523524614651217);
    close(chiSquareSurvival(100, 80), 0.064570368921133);
    close(chiSquareSurvival(0.5, 3), 0.9188914116546758);
    close(chiSquareSurvival(200, 10), 1.6139305336977317e-37, 1e-8); // far tail stays relative-exact
  });

  it('normal survival matches scipy.stats.norm.sf', () => {
    close(normalSurvival(1.96), 0.024997895148220435);
    close(normalSurvival(-1), 0.8413447460685429);
    close(normalSurvival(5), 2.866515718791933e-7);
  });

  it('the Kolmogorov survival function matches scipy.stats.kstwobign.sf on both series', () => {
    const expected: Array<[number, number]> = [
      [0.3, 0.9999906941986655],
      [0.5, 0.9639452436648751],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.1, 0.1777181926064012],
      [1.2, 0.11224966667072497],
      [1.36, 0.049485876755377876],
      [1.5, 0.022217962616525127],
      [2.0, 0.0006709252557796953],
      [3.0, 3.045995948942526e-8],
    ];
    for (const [lambda, sf] of expected) close(kolmogorovSurvival(lambda), sf, 1e-8);
    expect(kolmogorovSurvival(0)).toBe(1);
  });
});

describe('two-sample KS', () => {
  const a = [
    0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09,
    -1.28, 2.36, 1.31,
  ];
  const b = [1.24, 0.52, 1.94, 0.77, 2.55, 0.07, 1.65, 1.81, -0.28, 1.34, 0.93, 2.13, 0.12, 1.74, 0.44];

  it('statistic matches scipy.stats.ks_2samp and the p-value is the limiting distribution', () => {
    const d = ksStatistic(a, b);
    close(d, 0.4166666666666667); // ks_2samp(a, b).statistic
    // kstwobign.sf(sqrt(20·15/35) · D). (ks_2samp(method='asymp') in SciPy ≥ 1.5 gives 0.0627 instead: it
    // uses the finite-n distribution kstwo with n = round(nm/(n+m)); the limiting form is the classic one.)
    close(ksPValue(d, a.length, b.length), 0.10195988252804271, 1e-8);
  });
});

describe('categorical tests', () => {
  it('chi-square goodness of fit matches scipy.stats.chisquare', () => {
    const uniform = chiSquareTest([18, 25, 32, 25], [1, 1, 1, 1]);
    close(uniform.statistic, 3.92);
    close(uniform.pValue, 0.27023327098554034, 1e-8);
    expect(uniform.df).toBe(3);
    // chisquare([30,14,34,45,57,20], [20,20,30,40,60,30]): expected shares are rescaled to the total.
    const shares = chiSquareTest([30, 14, 34, 45, 57, 20], [0.1, 0.1, 0.15, 0.2, 0.3, 0.15]);
    close(shares.statistic, 11.441666666666666);
    close(shares.pValue, 0.04329313031580497, 1e-8);
  });

  it('Jensen–Shannon distance matches scipy.spatial.distance.jensenshannon (natural log)', () => {
    close(jensenShannon([0.1, 0.4, 0.5], [0.3, 0.3, 0.4]), 0.1803596560271257);
    close(jensenShannon([1, 0], [0, 1]), 0.8325546111576977); // √ln 2, the maximum
    expect(jensenShannon([2, 2], [5, 5])).toBe(0); // normalised first
  });

  it('two-proportion z-test matches the pooled formula with scipy.stats.norm.sf', () => {
    // 120/1000 vs 80/500: z = −2.148344622118299, p = 2·norm.sf(|z|)
    close(proportionZTest(120, 1000, 80, 500), 0.03168638853979372, 1e-8);
    expect(proportionZTest(0, 10, 0, 10)).toBe(1);
  });

  it('PSI is zero for equal bins, floors empty bins and reads in the usual bands', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    // (0.6 − 0.5)·ln(0.6/0.5) + (0.4 − 0.5)·ln(0.4/0.5)
    close(psi([0.5, 0.5], [0.6, 0.4]), 0.1 * Math.log(1.2) - 0.1 * Math.log(0.8));
    expect(Number.isFinite(psi([0.5, 0.5, 0], [0.4, 0.4, 0.2]))).toBe(true);
    expect([psiBand(0.05), psiBand(0.1), psiBand(0.2), psiBand(0.25)]).toEqual([
      'stable',
      'moderate',
      'moderate',
      'significant',
    ]);
  });
});
