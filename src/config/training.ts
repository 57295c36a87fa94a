import { z } from 'zod';
import { seconds } from './fields.js';

type Source = 'customers' | 'traffic';

/** When the pipeline retrains, and what and how the trainer learns. */
export const trainingEnv = z.object({
  BANKOPS_RETRAIN_THRESHOLD_ROWS: z.coerce.number().int().min(1).default(10_000),
  /** After a retraining triggered by monitoring evidence, no other for this long. */
  BANKOPS_RETRAIN_COOLDOWN_S: z.coerce.number().int().min(0).default(600),
  /** Evidence of drift waits until this many labelled rows of the drifted period are in the lake. */
  BANKOPS_RETRAIN_MIN_DRIFT_LABELS: z.coerce.number().int().min(1).default(1000),
  BANKOPS_XGBOOST_LIB: z.string().optional(),
  /** XGBoost threads per training, and how many grid candidates the trainer runs (all 18 when unset). */
  BANKOPS_XGBOOST_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  BANKOPS_TRAIN_GRID_LIMIT: z.coerce.number().int().min(1).max(18).optional(),
  /** What the trainer learns from: the customers table, the labelled traffic, or both. */
  BANKOPS_TRAIN_SOURCES: z
    .string()
    .default('customers,traffic')
    .refine((v) => {
      const parts = v.split(',').map((p) => p.trim());
      return parts.length > 0 && parts.every((p) => p === 'customers' || p === 'traffic');
    }, 'a comma-separated list of customers and traffic'),
  /** Labelled traffic older than this (before the predictions snapshot) is not trained on. */
  BANKOPS_TRAIN_TRAFFIC_WINDOW_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 86_400),
  /** How much one labelled traffic row weighs against one customers row (recent behaviour counts more). */
  BANKOPS_TRAIN_TRAFFIC_WEIGHT: z.coerce.number().positive().max(1000).default(10),
  /** The stable share of customers set aside for simulated clients: never trained on from bank.customers. */
  BANKOPS_SIMULATION_RESERVE: z.coerce.number().min(0).max(0.5).default(0.1),
  /** How training picks a model's decision threshold (on validation rows): best F1, or most profit. */
  BANKOPS_THRESHOLD_OBJECTIVE: z.enum(['f1', 'profit']).default('f1'),
  /** Campaign economics: what a call costs and what a subscription is worth (EUR). */
  BANKOPS_COST_PER_CALL: z.coerce.number().min(0).default(5),
  BANKOPS_VALUE_PER_SUBSCRIPTION: z.coerce.number().min(0).default(100),
});

export function trainingConfig(e: z.infer<typeof trainingEnv>) {
  return {
    retrain: {
      thresholdRows: e.BANKOPS_RETRAIN_THRESHOLD_ROWS,
      cooldownMs: seconds(e.BANKOPS_RETRAIN_COOLDOWN_S),
      minDriftLabels: e.BANKOPS_RETRAIN_MIN_DRIFT_LABELS,
    },
    training: {
      threads: e.BANKOPS_XGBOOST_THREADS,
      gridLimit: e.BANKOPS_TRAIN_GRID_LIMIT,
      sources: [...new Set(e.BANKOPS_TRAIN_SOURCES.split(',').map((p) => p.trim() as Source))],
      thresholdObjective: e.BANKOPS_THRESHOLD_OBJECTIVE,
      trafficWindowMs: seconds(e.BANKOPS_TRAIN_TRAFFIC_WINDOW_S),
      trafficWeight: e.BANKOPS_TRAIN_TRAFFIC_WEIGHT,
      /** The share of customer groups reserved for simulation (never trained on from bank.customers). */
      reserve: e.BANKOPS_SIMULATION_RESERVE,
    },
    economics: {
      costPerCall: e.BANKOPS_COST_PER_CALL,
      valuePerSubscription: e.BANKOPS_VALUE_PER_SUBSCRIPTION,
    },
    xgboostLib: e.BANKOPS_XGBOOST_LIB,
  };
}
