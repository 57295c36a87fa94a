import { BankopsError } from '../errors/index.js';

/**
 * Joins predictions (bank.predictions.v1) with their ground truth (bank.ground-truth.v1) by prediction id,
 * in whatever order they arrive. Time is event time: the watermark is the largest event time seen on
 * either topic. A label is accepted when it comes at most `horizonMs` after its prediction (label event
 * time − prediction event time); predictions older than watermark − horizon are evicted, so memory holds
 * one horizon of traffic (and at most `maxPredictions` entries whatever the clock says).
 *
 * Labels that cannot be used are returned as rejections with a reason, for the caller to dead-letter:
 * - `expired`: the prediction is known but the label came later than the horizon (or it was evicted);
 * - `unknown_prediction`: no prediction with that id arrived within `orphanGraceMs` of the label;
 * - `duplicate`: the prediction already has a label (the first one wins);
 * - `invalid`: no id or a non-finite event time.
 *
 * When rebuilding from the lake, feed both tables merged in event-time order: feeding all predictions
 * before all labels would move the watermark ahead and evict predictions whose labels are still to come.
 */

export interface JoinPrediction {
  predictionId: string;
  eventTime: number;
  modelVersion: string;
  variant: string;
  probability: number;
  decision: boolean;
  /**
   * The probability CBPE estimates with: the score through the version's calibration map when its
   * reference was loaded at ingest (kept, so the labelled prediction leaves the estimate as it entered).
   */
  estimateProbability?: number;
}

export interface JoinLabel {
  predictionId: string;
  eventTime: number;
  outcome: boolean;
}

export interface LabelledPrediction extends JoinPrediction {
  outcome: boolean;
  labelTime: number;
}

export type RejectReason = 'expired' | 'unknown_prediction' | 'duplicate' | 'invalid';
export const REJECT_REASONS: readonly RejectReason[] = [
  'expired',
  'unknown_prediction',
  'duplicate',
  'invalid',
];

export interface LabelRejection {
  label: JoinLabel;
  reason: RejectReason;
  detail: string;
}

export interface Eviction {
  predictionId: string;
  eventTime: number;
  labelled: boolean;
  cause: 'horizon' | 'capacity';
}

/** What one call changed. Empty arrays are shared: do not mutate them. */
export interface JoinOutcome {
  /** For predictions: false when the id was already known (the repeat is ignored). */
  accepted: boolean;
  joined: LabelledPrediction[];
  rejected: LabelRejection[];
  evicted: Eviction[];
}

export interface JoinOptions {
  horizonMs: number;
  /** How long a label may wait for its prediction (which can arrive later on another topic). */
  orphanGraceMs: number;
  maxPredictions: number;
  maxOrphans: number;
  /** Remembered ids of evicted predictions, to tell `expired`/`duplicate` from `unknown_prediction`. */
  maxTombstones: number;
}

export const DEFAULT_JOIN_OPTIONS: JoinOptions = {
  horizonMs: 24 * 3600_000,
  orphanGraceMs: 10 * 60_000,
  maxPredictions: 1_000_000,
  maxOrphans: 100_000,
  maxTombstones: 1_000_000,
};

export interface JoinCounters {
  predictions: number;
  duplicatePredictions: number;
  labels: number;
  joined: number;
  rejected: Record<RejectReason, number>;
  evicted: number;
  evictedUnlabelled: number;
}

interface Entry extends JoinPrediction {
  labelled: boolean;
}

interface Tombstone {
  eventTime: number;
  labelled: boolean;
}

export interface JoinSnapshot {
  format: 'bankops.monitoring.join';
  version: 1;
  options: JoinOptions;
  watermark: number;
  predictions: Array<JoinPrediction & { labelled: boolean }>;
  orphans: JoinLabel[];
  tombstones: Array<[string, number, boolean]>;
  counters: JoinCounters;
}

const NONE: never[] = [];

function zeroCounters(): JoinCounters {
  return {
    predictions: 0,
    duplicatePredictions: 0,
    labels: 0,
    joined: 0,
    rejected: { expired: 0, unknown_prediction: 0, duplicate: 0, invalid: 0 },
    evicted: 0,
    evictedUnlabelled: 0,
  };
}

export class JoinState {
  readonly options: JoinOptions;
  private watermark = -Infinity;
  // Maps iterate in insertion order: with (mostly) time-ordered arrival the oldest entries come first.
  private readonly predictions = new Map<string, Entry>();
  private readonly orphans = new Map<string, JoinLabel>();
  private readonly tombstones = new Map<string, Tombstone>();
  private counters: JoinCounters = zeroCounters();

  constructor(options: Partial<JoinOptions> = {}) {
    this.options = { ...DEFAULT_JOIN_OPTIONS, ...options };
    for (const [key, value] of Object.entries(this.options)) {
      if (!(typeof value === 'number' && value > 0)) {
        throw new BankopsError(
          'USAGE',
          `join option ${key} must be a positive number, got ${String(value)}`,
          {
            hint: 'e.g. new JoinState({ horizonMs: 86_400_000 })',
          },
        );
      }
    }
  }

  get size(): { predictions: number; orphans: number; tombstones: number } {
    return {
      predictions: this.predictions.size,
      orphans: this.orphans.size,
      tombstones: this.tombstones.size,
    };
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  stats(): JoinCounters {
    return structuredClone(this.counters);
  }

  addPrediction(prediction: JoinPrediction): JoinOutcome {
    if (!prediction.predictionId || !Number.isFinite(prediction.eventTime)) {
      throw new BankopsError(
        'DATA_INVALID',
        `prediction without id or event time: ${JSON.stringify(prediction)}`,
      );
    }
    const id = prediction.predictionId;
    if (this.predictions.has(id) || this.tombstones.has(id)) {
      this.counters.duplicatePredictions += 1;
      return { accepted: false, joined: NONE, rejected: NONE, evicted: NONE };
    }
    this.counters.predictions += 1;
    const entry: Entry = { ...prediction, labelled: false };
    this.predictions.set(id, entry);
    let joined: LabelledPrediction[] = NONE;
    let rejected: LabelRejection[] = NONE;
    const waiting = this.orphans.get(id);
    if (waiting !== undefined) {
      this.orphans.delete(id);
      const result = this.match(entry, waiting);
      if ('reason' in result) rejected = [result];
      else joined = [result];
    }
    const expiry = this.advance(prediction.eventTime);
    return {
      accepted: true,
      joined,
      rejected: expiry.rejected.length === 0 ? rejected : [...rejected, ...expiry.rejected],
      evicted: expiry.evicted,
    };
  }

  addLabel(label: JoinLabel): JoinOutcome {
    this.counters.labels += 1;
    if (!label.predictionId || !Number.isFinite(label.eventTime)) {
      return this.withExpiry(undefined, this.reject(label, 'invalid', 'label without id or event time'));
    }
    const id = label.predictionId;
    const entry = this.predictions.get(id);
    if (entry !== undefined) {
      const result = this.match(entry, label);
      return this.withExpiry(label.eventTime, result);
    }
    const tombstone = this.tombstones.get(id);
    if (tombstone !== undefined) {
      const result = tombstone.labelled
        ? this.reject(label, 'duplicate', 'the prediction was already labelled')
        : this.reject(
            label,
            'expired',
            `the prediction (event time ${tombstone.eventTime}) left the join horizon`,
          );
      return this.withExpiry(label.eventTime, result);
    }
    if (this.orphans.has(id)) {
      return this.withExpiry(label.eventTime, this.reject(label, 'duplicate', 'a label is already waiting'));
    }
    this.orphans.set(id, label);
    return this.withExpiry(label.eventTime, undefined);
  }

  private match(entry: Entry, label: JoinLabel): LabelledPrediction | LabelRejection {
    if (entry.labelled) return this.reject(label, 'duplicate', 'the prediction was already labelled');
    const delay = label.eventTime - entry.eventTime;
    if (delay > this.options.horizonMs) {
      return this.reject(
        label,
        'expired',
        `label ${delay} ms after the prediction (horizon ${this.options.horizonMs} ms)`,
      );
    }
    entry.labelled = true;
    this.counters.joined += 1;
    return {
      predictionId: entry.predictionId,
      eventTime: entry.eventTime,
      modelVersion: entry.modelVersion,
      variant: entry.variant,
      probability: entry.probability,
      decision: entry.decision,
      outcome: label.outcome,
      labelTime: label.eventTime,
    };
  }

  private reject(label: JoinLabel, reason: RejectReason, detail: string): LabelRejection {
    this.counters.rejected[reason] += 1;
    return { label, reason, detail };
  }

  private withExpiry(
    eventTime: number | undefined,
    result: LabelledPrediction | LabelRejection | undefined,
  ): JoinOutcome {
    const expiry = eventTime === undefined ? { rejected: NONE, evicted: NONE } : this.advance(eventTime);
    const joined = result !== undefined && !('reason' in result) ? [result] : NONE;
    const own = result !== undefined && 'reason' in result ? [result] : NONE;
    const rejected = expiry.rejected.length === 0 ? own : [...own, ...expiry.rejected];
    return { accepted: true, joined, rejected, evicted: expiry.evicted };
  }

  /** Moves the watermark forward and drops what fell out of the horizon (or over the caps). */
  private advance(eventTime: number): { rejected: LabelRejection[]; evicted: Eviction[] } {
    if (eventTime > this.watermark) this.watermark = eventTime;
    let evicted: Eviction[] = NONE;
    let rejected: LabelRejection[] = NONE;
    const cutoff = this.watermark - this.options.horizonMs;
    for (const [id, entry] of this.predictions) {
      const overCapacity = this.predictions.size > this.options.maxPredictions;
      if (!overCapacity && entry.eventTime >= cutoff) break;
      this.predictions.delete(id);
      this.remember(id, { eventTime: entry.eventTime, labelled: entry.labelled });
      this.counters.evicted += 1;
      if (!entry.labelled) this.counters.evictedUnlabelled += 1;
      if (evicted === NONE) evicted = [];
      evicted.push({
        predictionId: id,
        eventTime: entry.eventTime,
        labelled: entry.labelled,
        cause: overCapacity ? 'capacity' : 'horizon',
      });
    }
    const orphanCutoff = this.watermark - this.options.orphanGraceMs;
    for (const [id, label] of this.orphans) {
      if (this.orphans.size <= this.options.maxOrphans && label.eventTime >= orphanCutoff) break;
      this.orphans.delete(id);
      if (rejected === NONE) rejected = [];
      rejected.push(
        this.reject(
          label,
          'unknown_prediction',
          `no prediction ${id} arrived within ${this.options.orphanGraceMs} ms`,
        ),
      );
    }
    // Tombstones only need to outlive any label that could still refer to them: one more horizon.
    const tombstoneCutoff = cutoff - this.options.horizonMs;
    for (const [id, tombstone] of this.tombstones) {
      if (this.tombstones.size <= this.options.maxTombstones && tombstone.eventTime >= tombstoneCutoff) break;
      this.tombstones.delete(id);
    }
    return { rejected, evicted };
  }

  private remember(id: string, tombstone: Tombstone): void {
    this.tombstones.set(id, tombstone);
  }

  /** Plain JSON state; `JoinState.restore` rebuilds an equal state. */
  snapshot(): JoinSnapshot {
    return {
      format: 'bankops.monitoring.join',
      version: 1,
      options: { ...this.options },
      watermark: this.watermark,
      predictions: [...this.predictions.values()].map((e) => ({ ...e })),
      orphans: [...this.orphans.values()].map((l) => ({ ...l })),
      tombstones: [...this.tombstones].map(([id, t]) => [id, t.eventTime, t.labelled]),
      counters: this.stats(),
    };
  }

  static restore(snapshot: JoinSnapshot, options: Partial<JoinOptions> = {}): JoinState {
    if (snapshot.format !== 'bankops.monitoring.join' || snapshot.version !== 1) {
      throw new BankopsError(
        'DATA_INVALID',
        `not a join snapshot (format ${String(snapshot.format)}, version ${String(snapshot.version)})`,
        {
          hint: 'Restore from the output of JoinState.snapshot() of this bankops version.',
        },
      );
    }
    const state = new JoinState({ ...snapshot.options, ...options });
    // JSON turns −Infinity (an empty state's watermark) into null.
    state.watermark = typeof snapshot.watermark === 'number' ? snapshot.watermark : -Infinity;
    for (const p of snapshot.predictions) state.predictions.set(p.predictionId, { ...p });
    for (const l of snapshot.orphans) state.orphans.set(l.predictionId, { ...l });
    for (const [id, eventTime, labelled] of snapshot.tombstones)
      state.tombstones.set(id, { eventTime, labelled });
    state.counters = structuredClone(snapshot.counters);
    return state;
  }
}
