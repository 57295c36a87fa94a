import { z } from 'zod';
import { METRICS, seconds } from './fields.js';

/** The offline gate a challenger passes, and what live labels decide after it. */
export const rolloutEnv = z.object({
  BANKOPS_PROMOTION_METRIC: z.enum(METRICS).default('roc_auc'),
  BANKOPS_PROMOTION_FLOOR: z.coerce.number().default(0.7),
  /** The interval's lower bound of (challenger − champion) must exceed this: 0 = significantly better. */
  BANKOPS_PROMOTION_MARGIN: z.coerce.number().min(0).default(0),
  /** The paired bootstrap of the promotion gate: replicates and confidence level. */
  BANKOPS_PROMOTION_BOOTSTRAP: z.coerce.number().int().min(100).max(100_000).default(1000),
  BANKOPS_PROMOTION_CONFIDENCE: z.coerce.number().gt(0.5).lt(1).default(0.95),
  /** A holdout smaller than this (or with one class only) decides nothing. */
  BANKOPS_PROMOTION_MIN_HOLDOUT: z.coerce.number().int().min(10).default(200),
  /** After the offline gate: promote at once, or let live labels decide (shadow or canary). */
  BANKOPS_ROLLOUT: z.enum(['direct', 'shadow', 'canary']).default('direct'),
  /** The share of customers (sticky by customer key) a canary answers. */
  BANKOPS_ROLLOUT_SHARE: z.coerce.number().gt(0).lt(1).default(0.1),
  /** Labelled predictions per arm (canary) or labelled pairs (shadow) before the rollout is decided. */
  BANKOPS_ROLLOUT_MIN_LABELS: z.coerce.number().int().min(20).default(300),
  /** An undecided rollout is rolled back after this long. */
  BANKOPS_ROLLOUT_MAX_S: z.coerce.number().int().min(10).default(3600),
  /** What the rollout decides on (default: BANKOPS_PROMOTION_METRIC). */
  BANKOPS_ROLLOUT_METRIC: z.enum(METRICS).optional(),
});

export function rolloutConfig(e: z.infer<typeof rolloutEnv>) {
  return {
    promotion: {
      metric: e.BANKOPS_PROMOTION_METRIC,
      floor: e.BANKOPS_PROMOTION_FLOOR,
      margin: e.BANKOPS_PROMOTION_MARGIN,
      replicates: e.BANKOPS_PROMOTION_BOOTSTRAP,
      confidence: e.BANKOPS_PROMOTION_CONFIDENCE,
      minHoldout: e.BANKOPS_PROMOTION_MIN_HOLDOUT,
    },
    rollout: {
      policy: e.BANKOPS_ROLLOUT,
      share: e.BANKOPS_ROLLOUT_SHARE,
      minLabels: e.BANKOPS_ROLLOUT_MIN_LABELS,
      maxMs: seconds(e.BANKOPS_ROLLOUT_MAX_S),
      metric: e.BANKOPS_ROLLOUT_METRIC ?? e.BANKOPS_PROMOTION_METRIC,
    },
  };
}
