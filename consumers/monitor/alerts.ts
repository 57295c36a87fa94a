import type { PipelineEventType } from '../../src/kafka/events.js';
import type { MonitoringSnapshot } from '../../src/monitoring/monitor.js';

/**
 * Which pipeline events a snapshot calls for: `drift.detected` when any feature of a (version, variant)
 * drifted, `performance.degraded` when its last-N window (sufficient labels only) falls below a floor or
 * too far below the bundle's own test score. One event per (type, version, variant) per cooldown: the
 * snapshot is recomputed every few seconds and the retrain trigger needs evidence, not a stream.
 */

export interface AlertOptions {
  accuracyFloor: number;
  f1Floor: number;
  /** Absolute drop below the bundle's test accuracy / F1 that counts as degraded. */
  maxDrop: number;
  cooldownMs: number;
  /**
   * performance.degraded needs this many labels in the count window (its full size, last N): with a few
   * hundred labels and ~11 % positives, F1 swings by more than the drop it tests, and the event starts a
   * retraining. The gauges (and the Prometheus alerts, which also wait 2 minutes) use fewer.
   */
  lastN: number;
}

export interface MonitorEvent {
  type: Extract<PipelineEventType, 'drift.detected' | 'performance.degraded'>;
  /** Correlates the event with the model version it is about. */
  correlationId: string;
  payload: Record<string, unknown>;
}

/** key → time until which that key stays quiet. */
export type Cooldowns = Map<string, number>;

function degradation(
  metrics: { accuracy: number; f1: number },
  reference: { testAccuracy: number; testF1: number } | undefined,
  options: AlertOptions,
): string[] {
  const reasons: string[] = [];
  if (metrics.accuracy < options.accuracyFloor)
    reasons.push(`accuracy ${metrics.accuracy.toFixed(4)} < floor ${options.accuracyFloor}`);
  if (metrics.f1 < options.f1Floor) reasons.push(`f1 ${metrics.f1.toFixed(4)} < floor ${options.f1Floor}`);
  if (reference !== undefined) {
    if (metrics.accuracy < reference.testAccuracy - options.maxDrop)
      reasons.push(
        `accuracy ${metrics.accuracy.toFixed(4)} more than ${options.maxDrop} below the test score ${reference.testAccuracy.toFixed(4)}`,
      );
    if (metrics.f1 < reference.testF1 - options.maxDrop)
      reasons.push(
        `f1 ${metrics.f1.toFixed(4)} more than ${options.maxDrop} below the test score ${reference.testF1.toFixed(4)}`,
      );
  }
  return reasons;
}

export function monitorEvents(
  snapshot: MonitoringSnapshot,
  options: AlertOptions,
  cooldowns: Cooldowns,
  now: number,
): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  const fire = (event: MonitorEvent, key: string) => {
    if ((cooldowns.get(key) ?? -Infinity) > now) return;
    cooldowns.set(key, now + options.cooldownMs);
    events.push(event);
  };
  for (const drift of snapshot.drift) {
    const drifted = drift.features.filter((f) => f.detected && !f.insufficient);
    if (drifted.length === 0) continue;
    fire(
      {
        type: 'drift.detected',
        correlationId: drift.modelVersion,
        payload: {
          modelVersion: drift.modelVersion,
          variant: drift.variant,
          window: drift.window,
          n: drift.n,
          since: drift.since,
          features: drifted.map((f) => f.feature),
          scores: drifted.map((f) => ({
            feature: f.feature,
            method: f.method,
            score: f.score,
            threshold: f.threshold,
            psi: f.psi,
          })),
          predictionDrift: drift.prediction.detected,
        },
      },
      `drift\u0000${drift.modelVersion}\u0000${drift.variant}`,
    );
  }
  for (const report of snapshot.windows) {
    if (report.kind !== 'count' || report.insufficient || report.metrics === null) continue;
    if (report.labels < options.lastN) continue;
    const reference = snapshot.references.find((r) => r.modelVersion === report.modelVersion);
    const reasons = degradation(report.metrics, reference, options);
    if (reasons.length === 0) continue;
    fire(
      {
        type: 'performance.degraded',
        correlationId: report.modelVersion,
        payload: {
          modelVersion: report.modelVersion,
          variant: report.variant,
          window: report.window,
          since: report.start,
          labels: report.labels,
          accuracy: report.metrics.accuracy,
          f1: report.metrics.f1,
          testAccuracy: reference?.testAccuracy ?? null,
          testF1: reference?.testF1 ?? null,
          reasons,
        },
      },
      `performance\u0000${report.modelVersion}\u0000${report.variant}`,
    );
  }
  return events;
}
