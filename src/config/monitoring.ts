import { z } from 'zod';
import { anyPort, seconds, text } from './fields.js';

/** The monitoring consumer (consumers/monitor): how often it recomputes, and what it alerts on. */
export const monitoringEnv = z.object({
  BANKOPS_MONITOR_INTERVAL_S: z.coerce.number().min(0.1).max(3600).default(10),
  /** Labels later than this after their prediction are rejected (expired); also the restart replay span. */
  BANKOPS_MONITOR_HORIZON_S: z.coerce.number().int().min(1).default(86_400),
  BANKOPS_MONITOR_LAST_N: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  BANKOPS_MONITOR_MIN_LABELS: z.coerce.number().int().min(1).default(100),
  BANKOPS_MONITOR_ACCURACY_FLOOR: z.coerce.number().min(0).max(1).default(0.8),
  BANKOPS_MONITOR_F1_FLOOR: z.coerce.number().min(0).max(1).default(0.3),
  /** performance.degraded also when accuracy or F1 falls this far (absolute) below the bundle's test score. */
  BANKOPS_MONITOR_MAX_DROP: z.coerce.number().min(0).max(1).default(0.1),
  /** No second drift.detected / performance.degraded for the same model version within this time. */
  BANKOPS_MONITOR_COOLDOWN_S: z.coerce.number().int().min(0).default(600),
  /** Rows appended to bank.monitoring_metrics at most this often (one Iceberg commit each). */
  BANKOPS_MONITOR_HISTORY_S: z.coerce.number().min(0.1).default(60),
  /** Which sample size picks test vs distance (see src/monitoring/drift.ts); `reference`: Evidently's rule. */
  BANKOPS_MONITOR_DRIFT_SIZE_BASIS: z.enum(['current', 'reference']).default('reference'),
  /** Fewer recent predictions than this per (version, variant): no drift verdict (distances are noisy). */
  BANKOPS_MONITOR_DRIFT_MIN_SAMPLES: z.coerce.number().int().min(1).default(200),
  BANKOPS_MONITOR_GROUP: text('bankops-monitor'),
  BANKOPS_MONITOR_METRICS_PORT: anyPort(9466),
});

export function monitoringConfig(e: z.infer<typeof monitoringEnv>) {
  return {
    intervalMs: Math.round(seconds(e.BANKOPS_MONITOR_INTERVAL_S)),
    horizonMs: seconds(e.BANKOPS_MONITOR_HORIZON_S),
    lastN: e.BANKOPS_MONITOR_LAST_N,
    minLabels: e.BANKOPS_MONITOR_MIN_LABELS,
    accuracyFloor: e.BANKOPS_MONITOR_ACCURACY_FLOOR,
    f1Floor: e.BANKOPS_MONITOR_F1_FLOOR,
    maxDrop: e.BANKOPS_MONITOR_MAX_DROP,
    cooldownMs: seconds(e.BANKOPS_MONITOR_COOLDOWN_S),
    historyIntervalMs: Math.round(seconds(e.BANKOPS_MONITOR_HISTORY_S)),
    driftSizeBasis: e.BANKOPS_MONITOR_DRIFT_SIZE_BASIS,
    driftMinSamples: e.BANKOPS_MONITOR_DRIFT_MIN_SAMPLES,
    groupId: e.BANKOPS_MONITOR_GROUP,
    metricsPort: e.BANKOPS_MONITOR_METRICS_PORT,
  };
}

export type MonitorConfig = ReturnType<typeof monitoringConfig>;
