/** Why a retraining is wanted, or why not: a pure decision over the trigger's state. */

/** Monitoring evidence that holds but waits for labels of the period it is about. */
export interface WaitingEvidence {
  type: 'drift.detected' | 'performance.degraded';
  about: string | undefined;
  /** When the monitor emitted it (epoch ms). */
  eventTime: number;
  /** The drifted period starts here: its labelled predictions are what a retraining can learn from. */
  since: number;
  payload: Record<string, unknown>;
}

export interface TriggerState {
  /** Correlation id of the retraining requested and not yet answered (trained, skipped or failed). */
  pending: string | undefined;
  /** No request from monitoring evidence before this time (epoch ms). */
  cooldownUntil: number;
  waiting: WaitingEvidence | undefined;
}

export type TriggerInput =
  | {
      kind: 'rows';
      /** Customers rows and labelled predictions added since the last training (promoted or not). */
      newRows: number;
      threshold: number;
    }
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
      /** Labelled predictions of the drifted period in the lake now, and how many a retraining needs. */
      labelled: number;
      minLabels: number;
      since: number;
    }
  | {
      /** A re-count for evidence that waits for labels. */
      kind: 'labels';
      labelled: number;
      minLabels: number;
    };

export type TriggerAction = 'request' | 'wait' | 'ignore';

export interface TriggerDecision {
  action: TriggerAction;
  reason: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function evidenceName(type: string, about: string | undefined, eventTime: number): string {
  return `${type}${about === undefined ? '' : ` about v${about}`} at ${iso(eventTime)}`;
}

export function decide(state: TriggerState, input: TriggerInput): TriggerDecision {
  if (state.pending) return { action: 'ignore', reason: `retraining ${state.pending} is still running` };
  if (input.kind === 'rows') {
    return input.newRows >= input.threshold
      ? {
          action: 'request',
          reason: `${input.newRows} rows (customers and labelled predictions) added since the last training (threshold ${input.threshold})`,
        }
      : {
          action: 'ignore',
          reason: `${input.newRows} of ${input.threshold} new rows since the last training`,
        };
  }
  if (input.kind === 'labels') {
    const waiting = state.waiting;
    if (!waiting) return { action: 'ignore', reason: 'no evidence waits for labels' };
    const name = evidenceName(waiting.type, waiting.about, waiting.eventTime);
    return input.labelled >= input.minLabels
      ? {
          action: 'request',
          reason: `${name}; ${input.labelled} labelled predictions since ${iso(waiting.since)} (needed ${input.minLabels})`,
        }
      : {
          action: 'wait',
          reason: `${name}: ${input.labelled} of ${input.minLabels} labelled predictions since ${iso(waiting.since)}`,
        };
  }
  const age = input.now - input.eventTime;
  if (age > input.maxAgeMs) {
    return {
      action: 'ignore',
      reason: `${input.type} is ${Math.round(age / 1000)} s old (stale after ${Math.round(input.maxAgeMs / 1000)} s)`,
    };
  }
  // A restarted monitor replays history: evidence about a retired version says nothing about what serves.
  if (input.about !== undefined && !input.serving.has(input.about)) {
    return { action: 'ignore', reason: `${input.type} is about v${input.about}, which no longer serves` };
  }
  if (input.now < state.cooldownUntil) {
    return {
      action: 'ignore',
      reason: `${input.type} within the cooldown (until ${iso(state.cooldownUntil)})`,
    };
  }
  const name = evidenceName(input.type, input.about, input.eventTime);
  if (input.labelled < input.minLabels) {
    return {
      action: 'wait',
      reason: `${name}: ${input.labelled} of ${input.minLabels} labelled predictions since ${iso(input.since)}; waiting for the drifted period's outcomes`,
    };
  }
  return {
    action: 'request',
    reason: `${name}; ${input.labelled} labelled predictions since ${iso(input.since)} (needed ${input.minLabels})`,
  };
}
