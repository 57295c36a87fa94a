/**
 * The state of a rollout, kept in the registry (a tag on the challenger version) so that every serving
 * process, the monitor and the promoter read the same split after any restart. Pure: parsing and the
 * routing a state implies; the pipeline moves it (src/pipeline/rollout.ts).
 */
import { BankopsError } from '../errors/index.js';
import type { PromotionMetric } from './gates.js';
import type { ModelVersion } from './types.js';

export const ROLLOUT_TAG = 'bankops.rollout';
export const ROLLOUT_POLICIES = ['direct', 'shadow', 'canary'] as const;
export type RolloutPolicy = (typeof ROLLOUT_POLICIES)[number];
export type RolloutStage = 'collecting' | 'promoted' | 'rolled-back';

export interface RolloutDecisionRecord {
  action: 'promote' | 'rollback';
  reason: string;
  at: string;
  /** Who decided: the monitor on labels, the time limit, or a person. */
  by: 'labels' | 'time-limit' | 'operator';
}

export interface RolloutState {
  policy: Exclude<RolloutPolicy, 'direct'>;
  /** The challenger's share of customers (canary); 0 for shadow (it answers nobody). */
  share: number;
  stage: RolloutStage;
  challenger: string;
  /** The champion the challenger is measured against. */
  champion: string;
  startedAt: string;
  /** An undecided rollout is rolled back at this time. */
  deadline: string;
  metric: PromotionMetric;
  minLabels: number;
  /** The chain's correlation id (the retraining request's), carried to the rollout's decision. */
  correlationId?: string;
  decision?: RolloutDecisionRecord;
}

export function parsePolicy(value: string): RolloutPolicy {
  if ((ROLLOUT_POLICIES as readonly string[]).includes(value)) return value as RolloutPolicy;
  throw new BankopsError('USAGE', `unknown rollout policy "${value}"`, {
    hint: `Policies: ${ROLLOUT_POLICIES.join(', ')}.`,
  });
}

export function parseShare(value: number): number {
  if (!(value > 0 && value < 1)) {
    throw new BankopsError('USAGE', `a canary's share must be between 0 and 1 (exclusive), got ${value}`);
  }
  return value;
}

/** The rollout a version carries, if any (a tag that does not parse is no rollout). */
export function rolloutOf(version: ModelVersion | undefined): RolloutState | undefined {
  const raw = version?.tags?.find((t) => t.key === ROLLOUT_TAG)?.value;
  if (!raw) return undefined;
  try {
    const state = JSON.parse(raw) as RolloutState;
    return typeof state.challenger === 'string' && typeof state.stage === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** How serving splits traffic: from the challenger's active rollout, else from its own settings. */
export interface Routing {
  mode: 'champion' | 'ab' | 'shadow';
  /** The challenger's share of customers in `ab` mode. */
  share: number;
  /** Set while a rollout decides the split. */
  rollout?: RolloutState;
}

export function routingFor(
  rollout: RolloutState | undefined,
  fallback: { mode: Routing['mode']; share: number },
): Routing {
  if (rollout?.stage === 'collecting') {
    return rollout.policy === 'canary'
      ? { mode: 'ab', share: rollout.share, rollout }
      : { mode: 'shadow', share: 0, rollout };
  }
  return { mode: fallback.mode, share: fallback.share };
}
