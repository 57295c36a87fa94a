import { chiSquareSurvival, normalSurvival } from './distributions.js';

/**
 * Tests and distances on categorical distributions, and PSI. Categories absent from one side are
 * handled explicitly (a new category in serving traffic is itself a sign of drift, not an error).
 */

/** Floor for empty bins in PSI (an empty bin would make ln(0) infinite); Evidently uses the same 1e-4. */
export const PSI_FLOOR = 1e-4;

export type PsiBand = 'stable' | 'moderate' | 'significant';

/** The usual reading of PSI: < 0.1 no change, 0.1–0.25 moderate, ≥ 0.25 significant. */
export function psiBand(value: number): PsiBand {
  if (value >= 0.25) return 'significant';
  if (value >= 0.1) return 'moderate';
  return 'stable';
}

/** PSI = Σ (current − reference) · ln(current / reference) over matching bins (fractions). */
export function psi(reference: readonly number[], current: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < reference.length; i += 1) {
    const r = Math.max(PSI_FLOOR, reference[i] ?? 0);
    const c = Math.max(PSI_FLOOR, current[i] ?? 0);
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/**
 * Jensen–Shannon distance (the square root of the divergence), natural logarithm as scipy's
 * `distance.jensenshannon` (which Evidently calls) uses by default: 0 for equal distributions, at most
 * √ln 2 ≈ 0.833. Inputs are normalised first.
 */
export function jensenShannon(p: readonly number[], q: readonly number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  if (!(sp > 0 && sq > 0)) return NaN;
  let divergence = 0;
  for (let i = 0; i < p.length; i += 1) {
    const a = (p[i] ?? 0) / sp;
    const b = (q[i] ?? 0) / sq;
    const m = (a + b) / 2;
    if (a > 0) divergence += 0.5 * a * Math.log(a / m);
    if (b > 0) divergence += 0.5 * b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, divergence));
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

/**
 * Pearson's goodness-of-fit test of observed counts against expected proportions (scipy:
 * `chisquare(observed, expected)` with expected scaled to the observed total). df = categories − 1.
 */
export function chiSquareTest(
  observed: readonly number[],
  expectedShares: readonly number[],
): ChiSquareResult {
  const total = observed.reduce((a, b) => a + b, 0);
  const shareSum = expectedShares.reduce((a, b) => a + b, 0);
  const df = observed.length - 1;
  if (total === 0 || df < 1 || !(shareSum > 0)) return { statistic: 0, df: Math.max(0, df), pValue: 1 };
  let statistic = 0;
  for (let i = 0; i < observed.length; i += 1) {
    const expected = (total * (expectedShares[i] ?? 0)) / shareSum;
    const diff = (observed[i] ?? 0) - expected;
    statistic += expected > 0 ? (diff * diff) / expected : diff === 0 ? 0 : Infinity;
  }
  return { statistic, df, pValue: chiSquareSurvival(statistic, df) };
}

/**
 * Two-sided z-test for the difference of two proportions with the pooled variance (the test Evidently
 * applies to binary categorical columns on small data). Returns the p-value.
 */
export function proportionZTest(successes1: number, n1: number, successes2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return NaN;
  const pooled = (successes1 + successes2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  const z = (successes1 / n1 - successes2 / n2) / se;
  return 2 * normalSurvival(Math.abs(z));
}
