/** Why a retraining is wanted, or why not: a pure decision over the trigger's state. */
export interface TriggerState {
  /** Correlation id of the retraining requested and not yet answered (model.trained / retrain.failed). */
  pending: string | undefined;
  /** No request from monitoring evidence before this time (epoch ms). */
  cooldownUntil: number;
}

export type TriggerInput =
  | { kind: 'rows'; rowsSinceChampion: number; threshold: number }
  | {
      kind: 'evidence';
      type: 'drift.detected' | 'performance.degraded';
      now: number;
      /** When the monitor emitted the evidence (epoch ms). */
      eventTime: number;
      /**
       * Evidence older than this is stale: a restarted trigger resumes from its committed offset and may
       * read events from long ago. The monitor repeats evidence that still holds once per its cooldown.
       */
      maxAgeMs: number;
      /** The version the evidence is about, when it names one. */
      about?: string;
      /** The versions answering clients now (champion, challenger). */
      serving: ReadonlySet<string>;
    };

export interface TriggerDecision {
  request: boolean;
  reason: string;
}

export function decide(state: TriggerState, input: TriggerInput): TriggerDecision {
  if (state.pending) return { request: false, reason: `retraining ${state.pending} is still running` };
  if (input.kind === 'rows') {
    return input.rowsSinceChampion >= input.threshold
      ? {
          request: true,
          reason: `${input.rowsSinceChampion} rows landed since the champion's snapshot (threshold ${input.threshold})`,
        }
      : {
          request: false,
          reason: `${input.rowsSinceChampion} of ${input.threshold} rows since the champion's snapshot`,
        };
  }
  const age = input.now - input.eventTime;
  if (age > input.maxAgeMs) {
    return {
      request: false,
      reason: `${input.type} is ${Math.round(age / 1000)} s old (stale after ${Math.round(input.maxAgeMs / 1000)} s)`,
    };
  }
  // A restarted monitor replays history: evidence about a retired version says nothing about what serves.
  if (input.about !== undefined && !input.serving.has(input.about)) {
    return { request: false, reason: `${input.type} is about v${input.about}, which no longer serves` };
  }
  if (input.now < state.cooldownUntil) {
    return {
      request: false,
      reason: `${input.type} within the cooldown (until ${new Date(state.cooldownUntil).toISOString()})`,
    };
  }
  const about = input.about === undefined ? '' : ` about v${input.about}`;
  return { request: true, reason: `${input.type}${about} at ${new Date(input.eventTime).toISOString()}` };
}
