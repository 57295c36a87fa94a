/**
 * Pure promotion logic: whether a candidate model version may replace the champion, which run is the
 * best candidate, and which alias moves carry out a promotion or a rollback. No I/O here; the client
 * applies the plans (ModelsClient.applyAliasPlan).
 */
import { BankopsError } from '../errors/index.js';
import { runMetrics } from './tracking.js';
import type { Run } from './types.js';

/** Every one of these is better when higher. */
export const PROMOTION_METRICS = ['roc_auc', 'pr_auc', 'f1', 'accuracy', 'profit'] as const;
export type PromotionMetric = (typeof PROMOTION_METRICS)[number];

export const ALIASES = { champion: 'champion', challenger: 'challenger', previous: 'previous' } as const;

export interface VersionMetrics {
  version: string | number;
  /** Computed on the same holdout for candidate and champion; the caller makes sure of it. */
  metrics: Readonly<Record<string, number>>;
}

/** The paired comparison on the holdout: candidate − champion, with its interval. */
export interface GateComparison {
  difference: number;
  low: number;
  high: number;
  confidence: number;
  rows: number;
  positives: number;
}

export interface PromotionInput {
  candidate: VersionMetrics;
  champion?: VersionMetrics;
  /** Required when there is a champion: the decision rests on the interval, not on two numbers. */
  comparison?: GateComparison;
  metric: PromotionMetric;
  /** The candidate must reach this absolute value. */
  floor: number;
  /** The interval's lower bound must exceed this (0: significantly better than the champion). */
  margin: number;
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

export type AliasOperation = { op: 'set'; alias: string; version: string } | { op: 'delete'; alias: string };

const value3 = (x: number) => x.toFixed(3);
const signed3 = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
/** Thresholds as the operator wrote them: 0.75, 0.005 (no padding). */
const threshold = (x: number) => String(Number(x.toFixed(6)));
/** Float noise must not flip a decision that is exactly on the margin. */
const EPSILON = 1e-12;

function metricOf(entry: VersionMetrics, metric: PromotionMetric): number | undefined {
  const value = entry.metrics[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `+0.061, 95 % CI [+0.041, +0.080] on 612 rows (71 positive)` */
export function describeComparison(c: GateComparison): string {
  return `${signed3(c.difference)}, ${Math.round(c.confidence * 100)} % CI [${signed3(c.low)}, ${signed3(c.high)}] on ${c.rows} rows (${c.positives} positive)`;
}

/**
 * Promotes only on evidence: the candidate reaches the floor and, when there is a champion, the lower
 * bound of the interval of (candidate − champion) on the same holdout is above the margin. An equal
 * model (difference and interval exactly 0) is never promoted.
 */
export function choosePromotion(input: PromotionInput): PromotionDecision {
  const { candidate, champion, comparison, metric, floor, margin } = input;
  if (!Number.isFinite(floor) || !Number.isFinite(margin) || margin < 0) {
    throw new BankopsError(
      'USAGE',
      `promotion gate needs a finite floor and a margin ≥ 0 (got ${floor}, ${margin})`,
    );
  }
  const value = metricOf(candidate, metric);
  if (value === undefined) {
    return { promote: false, reason: `candidate v${candidate.version} has no ${metric}` };
  }
  if (value < floor - EPSILON) {
    return { promote: false, reason: `${metric} ${value3(value)} < floor ${threshold(floor)}` };
  }
  if (!champion) {
    return {
      promote: true,
      reason: `${metric} ${value3(value)} ≥ floor ${threshold(floor)}; no champion yet`,
    };
  }
  const label = `champion v${champion.version}`;
  if (String(champion.version) === String(candidate.version)) {
    return { promote: false, reason: `v${candidate.version} already is the champion` };
  }
  const best = metricOf(champion, metric);
  if (best === undefined || comparison === undefined) {
    return {
      promote: false,
      reason: `${label} has no ${metric} on this holdout; evaluate it before comparing`,
    };
  }
  const versus = `${metric} ${value3(value)} vs ${label} ${value3(best)}: ${describeComparison(comparison)}`;
  if (comparison.low > margin + EPSILON) {
    return {
      promote: true,
      reason: `${versus}; lower bound above margin ${threshold(margin)}; floor ${threshold(floor)}`,
    };
  }
  return {
    promote: false,
    reason: `${versus}; not significantly better (lower bound ${signed3(comparison.low)} ≤ margin ${threshold(margin)})`,
  };
}

/**
 * The run with the highest value of `metric`; runs without it (or with NaN) are skipped. Ties go to the
 * earliest started run (then the smaller run id), so the choice is stable across searches.
 */
export function pickBest(runs: readonly Run[], metric: PromotionMetric): Run | undefined {
  let best: { run: Run; value: number } | undefined;
  for (const run of runs) {
    const value = runMetrics(run)[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    if (!best || value > best.value || (value === best.value && earlier(run, best.run)))
      best = { run, value };
  }
  return best?.run;
}

function earlier(a: Run, b: Run): boolean {
  const sa = a.info.start_time ?? Number.POSITIVE_INFINITY;
  const sb = b.info.start_time ?? Number.POSITIVE_INFINITY;
  return sa !== sb ? sa < sb : a.info.run_id < b.info.run_id;
}

export interface AliasState {
  champion?: string | number;
  challenger?: string | number;
  previous?: string | number;
}

/**
 * Promoting `newVersion`: `previous` ← the old champion, `champion` ← the new one, and `challenger` is
 * dropped when it named the version being promoted. Promoting the current champion plans nothing.
 */
export function planAliasMove(input: AliasState & { newVersion: string | number }): AliasOperation[] {
  const next = String(input.newVersion);
  const current = input.champion === undefined ? undefined : String(input.champion);
  if (current === next) return [];
  const plan: AliasOperation[] = [];
  if (current !== undefined) plan.push({ op: 'set', alias: ALIASES.previous, version: current });
  plan.push({ op: 'set', alias: ALIASES.champion, version: next });
  if (input.challenger !== undefined && String(input.challenger) === next) {
    plan.push({ op: 'delete', alias: ALIASES.challenger });
  }
  return plan;
}

/**
 * Rolling back: `champion` ← `previous`, then `previous` is removed so that a second rollback fails
 * loudly instead of silently doing nothing.
 */
export function planRollback(input: AliasState & { model?: string }): AliasOperation[] {
  const subject = input.model ? `model ${input.model}` : 'the model';
  if (input.previous === undefined) {
    throw new BankopsError('NOT_FOUND', `${subject} has no '${ALIASES.previous}' alias to roll back to`, {
      hint: 'A rollback needs an earlier promotion; set the champion alias to a known good version instead.',
    });
  }
  const target = String(input.previous);
  if (input.champion !== undefined && String(input.champion) === target) {
    throw new BankopsError('USAGE', `${subject}: '${ALIASES.previous}' already is the champion (v${target})`);
  }
  return [
    { op: 'set', alias: ALIASES.champion, version: target },
    { op: 'delete', alias: ALIASES.previous },
  ];
}
