import { BankopsError } from '../errors/index.js';
import { accuracy, DEFAULT_ECONOMICS, f1, profit } from './metrics.js';
import type { Confusion, Economics } from './metrics.js';
import { quantile } from './reference.js';
import { mulberry32 } from './split.js';

/**
 * Paired comparison of two models scored on the same rows: a label-stratified percentile bootstrap of the
 * difference of one metric (candidate − champion).
 *
 * A replicate is a vector of integer weights (how often each row was drawn), so the rank metrics never
 * re-sort: each model's rows are sorted by score once, tied scores grouped once, and every replicate is
 * one weighted pass over that order. With all weights 1 the weighted metrics equal `rocAuc` / `prAuc`
 * from metrics.ts, and integer weights equal those metrics on the data with rows duplicated.
 */

export type CompareMetric = 'roc_auc' | 'pr_auc' | 'f1' | 'accuracy' | 'profit';

export const COMPARE_METRICS: readonly CompareMetric[] = ['roc_auc', 'pr_auc', 'f1', 'accuracy', 'profit'];

export interface ScoredModel {
  scores: ArrayLike<number>;
  /** A row is predicted positive when its score is ≥ this threshold (as in `confusionAt`). */
  threshold: number;
}

export interface PairedInput {
  /** 0/1 per row. */
  labels: ArrayLike<number>;
  candidate: ScoredModel;
  champion: ScoredModel;
  metric: CompareMetric;
  /** For 'profit', reported per 1,000 rows (metrics' profitPer1000). Default DEFAULT_ECONOMICS. */
  economics?: Economics;
  /** Default 1000. */
  replicates?: number;
  /** Default 0.95. */
  confidence?: number;
  /** Default 42. */
  seed?: number;
}

export interface PairedComparison {
  metric: CompareMetric;
  /** Metric of the candidate on all rows (point estimate). */
  candidate: number;
  /** Metric of the champion on all rows. */
  champion: number;
  /** candidate − champion (point estimate). */
  difference: number;
  /** Percentile interval of the bootstrap differences at `confidence`. */
  low: number;
  high: number;
  confidence: number;
  replicates: number;
  seed: number;
  rows: number;
  positives: number;
  method: 'paired stratified bootstrap (percentile)';
}

export const PAIRED_BOOTSTRAP_METHOD = 'paired stratified bootstrap (percentile)';

/** One model's rows sorted by score ascending, with tied scores grouped; built once per model. */
interface Ranking {
  /** Row indices, ascending by score. */
  order: Uint32Array;
  /** 1 where the row at that sorted position is a positive (saves a lookup through `order`). */
  positive: Uint8Array;
  /** Group g is sorted positions [groupStart[g], groupStart[g + 1]); length = groups + 1. */
  groupStart: Uint32Array;
}

function rank(labels: ArrayLike<number>, scores: ArrayLike<number>): Ranking {
  const n = scores.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const x = scores[a] as number;
    const y = scores[b] as number;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const positive = new Uint8Array(n);
  const starts: number[] = [];
  for (let k = 0; k < n; k += 1) {
    const row = order[k] as number;
    positive[k] = labels[row] === 1 ? 1 : 0;
    // === like metrics.ts: -0 and 0 tie, ±Infinity tie with themselves (NaN is rejected up front).
    if (k === 0 || scores[row] !== scores[order[k - 1] as number]) starts.push(k);
  }
  starts.push(n);
  return { order, positive, groupStart: Uint32Array.from(starts) };
}

/**
 * Weighted Mann–Whitney: Σ over positives of w × (negative weight below + half the negative weight tied),
 * over (positive weight × negative weight). With unit weights the numerator is the same integer-or-half
 * as `rocAuc`'s rank sum minus P(P+1)/2, so the two agree to the last bit.
 */
function rankedRocAuc(r: Ranking, weights: ArrayLike<number>): number {
  const { order, positive, groupStart } = r;
  let negativesBelow = 0;
  let positives = 0;
  let numerator = 0;
  for (let g = 0; g + 1 < groupStart.length; g += 1) {
    // Branch-free: labels are random with respect to the sort, so an if/else would mispredict.
    let p = 0;
    let total = 0;
    const end = groupStart[g + 1] as number;
    for (let k = groupStart[g] as number; k < end; k += 1) {
      const w = weights[order[k] as number] as number;
      total += w;
      p += (positive[k] as number) * w;
    }
    const q = total - p;
    numerator += p * (negativesBelow + q / 2);
    negativesBelow += q;
    positives += p;
  }
  if (positives === 0 || negativesBelow === 0) return NaN;
  return numerator / (positives * negativesBelow);
}

/**
 * Weighted step-wise average precision: groups in descending score order, each adding
 * (positive weight gained / total positive weight) × (positive weight so far / weight so far).
 * Same operations, in the same order, as `prAuc` when the weights are 1.
 */
function rankedPrAuc(r: Ranking, weights: ArrayLike<number>): number {
  const { order, positive, groupStart } = r;
  let positives = 0;
  for (let k = 0; k < order.length; k += 1) {
    positives += (positive[k] as number) * (weights[order[k] as number] as number);
  }
  if (positives === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let area = 0;
  for (let g = groupStart.length - 2; g >= 0; g -= 1) {
    let gained = 0;
    let total = 0;
    const end = groupStart[g + 1] as number;
    for (let k = groupStart[g] as number; k < end; k += 1) {
      const w = weights[order[k] as number] as number;
      total += w;
      gained += (positive[k] as number) * w;
    }
    tp += gained;
    seen += total;
    // Skipping gained = 0 adds nothing prAuc would not (it adds +0), and avoids 0/0 when a group and
    // everything above it has weight 0.
    if (gained > 0) area += (gained / positives) * (tp / seen);
  }
  return area;
}

/**
 * Weighted confusion matrix from per-row 0/1 flags: `positive` (label 1) and `called` (score ≥ the model's
 * threshold). Branch-free sums; all counts are exact for integer weights.
 */
function weightedConfusion(positive: Uint8Array, called: Uint8Array, weights: ArrayLike<number>): Confusion {
  let total = 0;
  let positives = 0;
  let calls = 0;
  let tp = 0;
  for (let i = 0; i < called.length; i += 1) {
    const w = weights[i] as number;
    const isPositive = positive[i] as number;
    const isCalled = called[i] as number;
    total += w;
    positives += isPositive * w;
    calls += isCalled * w;
    tp += isPositive * isCalled * w;
  }
  return { tp, fp: calls - tp, fn: positives - tp, tn: total - positives - calls + tp };
}

function checkLabels(labels: ArrayLike<number>): void {
  for (let i = 0; i < labels.length; i += 1) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new BankopsError('DATA_INVALID', `label of row ${i} is ${labels[i]}, expected 0 or 1`);
    }
  }
}

/**
 * NaN scores are refused: metrics.ts gives each NaN its own group at the bottom, so the result would
 * depend on the sort's placement of NaN rows relative to each other. ±Infinity is fine.
 */
function checkScores(scores: ArrayLike<number>, n: number, what: string): void {
  if (scores.length !== n) {
    throw new BankopsError('DATA_INVALID', `${n} labels but ${scores.length} ${what}`);
  }
  for (let i = 0; i < n; i += 1) {
    if (Number.isNaN(scores[i])) throw new BankopsError('DATA_INVALID', `${what}: row ${i} is NaN`);
  }
}

function checkWeighted(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number>,
): void {
  if (labels.length === 0) throw new BankopsError('DATA_INVALID', 'no rows to evaluate');
  checkLabels(labels);
  checkScores(scores, labels.length, 'scores');
  if (weights.length !== labels.length) {
    throw new BankopsError('DATA_INVALID', `${labels.length} labels but ${weights.length} weights`);
  }
  for (let i = 0; i < weights.length; i += 1) {
    const w = weights[i] as number;
    if (!(Number.isFinite(w) && w >= 0)) {
      throw new BankopsError('DATA_INVALID', `weight of row ${i} is ${w}, expected a finite number ≥ 0`);
    }
  }
}

/**
 * ROC-AUC with row weights (a weight k counts the row k times; ties count one half). NaN if either
 * class has total weight 0. Unit weights give exactly `rocAuc`.
 */
export function weightedRocAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number>,
): number {
  checkWeighted(labels, scores, weights);
  return rankedRocAuc(rank(labels, scores), weights);
}

/**
 * Step-wise average precision with row weights (tied scores form one threshold). NaN if the positives
 * have total weight 0. Unit weights give exactly `prAuc`.
 */
export function weightedPrAuc(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  weights: ArrayLike<number>,
): number {
  checkWeighted(labels, scores, weights);
  return rankedPrAuc(rank(labels, scores), weights);
}

/**
 * One stratified bootstrap draw as counts: `positiveRows.length` draws with replacement from the
 * positive rows and `negativeRows.length` from the negative rows (in that order, each index
 * floor(random() × size)), so every replicate keeps the class counts. Overwrites `weights`.
 */
export function drawStratifiedWeights(
  positiveRows: ArrayLike<number>,
  negativeRows: ArrayLike<number>,
  random: () => number,
  weights: Uint32Array,
): void {
  weights.fill(0);
  for (const rows of [positiveRows, negativeRows]) {
    const size = rows.length;
    for (let d = 0; d < size; d += 1) {
      const row = rows[Math.floor(random() * size)] as number;
      weights[row] = (weights[row] as number) + 1;
    }
  }
}

function checkOptions(input: PairedInput): { replicates: number; confidence: number; seed: number } {
  const { replicates = 1000, confidence = 0.95, seed = 42, metric } = input;
  if (!COMPARE_METRICS.includes(metric)) {
    throw new BankopsError('USAGE', `metric must be one of ${COMPARE_METRICS.join(', ')}, got ${metric}`);
  }
  if (!(Number.isInteger(replicates) && replicates > 0)) {
    throw new BankopsError('USAGE', `replicates must be a positive integer, got ${replicates}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new BankopsError('USAGE', `confidence must be between 0 and 1 (exclusive), got ${confidence}`);
  }
  if (!Number.isInteger(seed)) throw new BankopsError('USAGE', `seed must be an integer, got ${seed}`);
  const economics = input.economics;
  if (
    economics !== undefined &&
    !(Number.isFinite(economics.costPerCall) && Number.isFinite(economics.valuePerSubscription))
  ) {
    throw new BankopsError('USAGE', 'economics: costPerCall and valuePerSubscription must be finite numbers');
  }
  return { replicates, confidence, seed };
}

/** Evaluates one model's metric under any weights (all 1 for the point estimate). */
type Evaluator = (weights: ArrayLike<number>) => number;

function evaluator(
  positive: Uint8Array,
  model: ScoredModel,
  metric: CompareMetric,
  economics: Economics,
): Evaluator {
  if (metric === 'roc_auc' || metric === 'pr_auc') {
    const ranking = rank(positive, model.scores);
    return metric === 'roc_auc' ? (w) => rankedRocAuc(ranking, w) : (w) => rankedPrAuc(ranking, w);
  }
  const called = new Uint8Array(positive.length);
  for (let i = 0; i < called.length; i += 1) {
    called[i] = (model.scores[i] as number) >= model.threshold ? 1 : 0; // confusionAt's rule
  }
  if (metric === 'f1') return (w) => f1(weightedConfusion(positive, called, w));
  if (metric === 'accuracy') return (w) => accuracy(weightedConfusion(positive, called, w));
  return (w) => {
    const c = weightedConfusion(positive, called, w);
    // Total weight is the row count in every replicate; divide by it as profitPer1000 does.
    return (profit(c, economics) / (c.tp + c.fp + c.tn + c.fn)) * 1000;
  };
}

/**
 * Paired, label-stratified percentile bootstrap of candidate − champion. Each replicate resamples rows
 * with replacement within the positives and within the negatives and scores both models on that same
 * resample, so what the two share (the rows) cancels out of the difference. The interval is the
 * (1 − c)/2 and (1 + c)/2 quantiles of the replicate differences, by linear interpolation between order
 * statistics (`quantile` in reference.ts: position (R − 1)·q, Hyndman–Fan type 7, numpy's default).
 * Deterministic for a given seed (mulberry32).
 */
export function pairedBootstrap(input: PairedInput): PairedComparison {
  const { labels, candidate, champion, metric } = input;
  const { replicates, confidence, seed } = checkOptions(input);
  const n = labels.length;
  if (n === 0) throw new BankopsError('DATA_INVALID', 'no rows to compare');
  checkLabels(labels);
  checkScores(candidate.scores, n, 'candidate scores');
  checkScores(champion.scores, n, 'champion scores');
  for (const [what, model] of [
    ['candidate', candidate],
    ['champion', champion],
  ] as const) {
    if (Number.isNaN(model.threshold)) throw new BankopsError('DATA_INVALID', `${what} threshold is NaN`);
  }

  const positiveRows: number[] = [];
  const negativeRows: number[] = [];
  for (let i = 0; i < n; i += 1) (labels[i] === 1 ? positiveRows : negativeRows).push(i);
  if (positiveRows.length === 0 || negativeRows.length === 0) {
    throw new BankopsError(
      'DATA_INVALID',
      `both classes must be present to compare models: ${positiveRows.length} positive and ${negativeRows.length} negative rows`,
    );
  }

  const economics = input.economics ?? DEFAULT_ECONOMICS;
  const positive = Uint8Array.from(labels);
  const evalCandidate = evaluator(positive, candidate, metric, economics);
  const evalChampion = evaluator(positive, champion, metric, economics);

  const ones = new Uint32Array(n).fill(1);
  const candidateValue = evalCandidate(ones);
  const championValue = evalChampion(ones);

  const random = mulberry32(seed);
  const weights = new Uint32Array(n);
  const differences = new Float64Array(replicates);
  for (let r = 0; r < replicates; r += 1) {
    drawStratifiedWeights(positiveRows, negativeRows, random, weights);
    differences[r] = evalCandidate(weights) - evalChampion(weights);
  }
  differences.sort();

  return {
    metric,
    candidate: candidateValue,
    champion: championValue,
    difference: candidateValue - championValue,
    low: quantile(differences, (1 - confidence) / 2),
    high: quantile(differences, (1 + confidence) / 2),
    confidence,
    replicates,
    seed,
    rows: n,
    positives: positiveRows.length,
    method: PAIRED_BOOTSTRAP_METHOD,
  };
}

/** One arm of an unpaired comparison: its own rows, labels and scores. */
export interface Arm extends ScoredModel {
  labels: ArrayLike<number>;
}

export interface TwoSampleInput {
  /** The candidate's own rows (e.g. the canary's customers). */
  candidate: Arm;
  /** The champion's own rows in the same period. */
  champion: Arm;
  metric: CompareMetric;
  economics?: Economics;
  replicates?: number;
  confidence?: number;
  seed?: number;
}

export interface TwoSampleComparison extends Omit<PairedComparison, 'method' | 'rows' | 'positives'> {
  rows: { candidate: number; champion: number };
  positives: { candidate: number; champion: number };
  method: 'two-sample stratified bootstrap (percentile)';
}

export const TWO_SAMPLE_BOOTSTRAP_METHOD = 'two-sample stratified bootstrap (percentile)';

function armRows(arm: Arm, what: string): { positives: number[]; negatives: number[] } {
  const n = arm.labels.length;
  if (n === 0) throw new BankopsError('DATA_INVALID', `the ${what} has no labelled rows`);
  checkLabels(arm.labels);
  checkScores(arm.scores, n, `${what} scores`);
  if (Number.isNaN(arm.threshold)) throw new BankopsError('DATA_INVALID', `${what} threshold is NaN`);
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < n; i += 1) (arm.labels[i] === 1 ? positives : negatives).push(i);
  if (positives.length === 0 || negatives.length === 0) {
    throw new BankopsError(
      'DATA_INVALID',
      `the ${what} needs both outcomes to be compared: ${positives.length} positive and ${negatives.length} negative rows`,
    );
  }
  return { positives, negatives };
}

/**
 * Unpaired comparison (a canary: each model answered its own customers): each replicate resamples each
 * arm on its own, within its positives and its negatives, and takes metric(candidate) − metric(champion).
 * Percentile interval as in `pairedBootstrap`; deterministic for a seed.
 */
export function twoSampleBootstrap(input: TwoSampleInput): TwoSampleComparison {
  const { replicates, confidence, seed } = checkOptions({
    labels: [],
    candidate: input.candidate,
    champion: input.champion,
    metric: input.metric,
    ...(input.economics ? { economics: input.economics } : {}),
    ...(input.replicates !== undefined ? { replicates: input.replicates } : {}),
    ...(input.confidence !== undefined ? { confidence: input.confidence } : {}),
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
  });
  const economics = input.economics ?? DEFAULT_ECONOMICS;
  const arms = (['candidate', 'champion'] as const).map((name) => {
    const arm = input[name];
    const rows = armRows(arm, name);
    const evaluate = evaluator(Uint8Array.from(arm.labels), arm, input.metric, economics);
    return { ...rows, evaluate, n: arm.labels.length, weights: new Uint32Array(arm.labels.length) };
  }) as [
    { positives: number[]; negatives: number[]; evaluate: Evaluator; n: number; weights: Uint32Array },
    { positives: number[]; negatives: number[]; evaluate: Evaluator; n: number; weights: Uint32Array },
  ];
  const [candidate, champion] = arms;
  const candidateValue = candidate.evaluate(new Uint32Array(candidate.n).fill(1));
  const championValue = champion.evaluate(new Uint32Array(champion.n).fill(1));
  const random = mulberry32(seed);
  const differences = new Float64Array(replicates);
  for (let r = 0; r < replicates; r += 1) {
    drawStratifiedWeights(candidate.positives, candidate.negatives, random, candidate.weights);
    drawStratifiedWeights(champion.positives, champion.negatives, random, champion.weights);
    differences[r] = candidate.evaluate(candidate.weights) - champion.evaluate(champion.weights);
  }
  differences.sort();
  return {
    metric: input.metric,
    candidate: candidateValue,
    champion: championValue,
    difference: candidateValue - championValue,
    low: quantile(differences, (1 - confidence) / 2),
    high: quantile(differences, (1 + confidence) / 2),
    confidence,
    replicates,
    seed,
    rows: { candidate: candidate.n, champion: champion.n },
    positives: { candidate: candidate.positives.length, champion: champion.positives.length },
    method: TWO_SAMPLE_BOOTSTRAP_METHOD,
  };
}
