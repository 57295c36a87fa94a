import type { GroundTruth, Prediction } from '../kafka/generated/types.js';
import type { JoinOutcome, LabelRejection } from './join.js';
import type { Monitor } from './monitor.js';

/**
 * The monitor's bookkeeping between the Kafka source and the pure core: it feeds decoded records to the
 * `Monitor`, remembers the message of every label that waits in the join (its rejection as an unknown
 * prediction may come minutes later), and says which messages go to a dead-letter topic and why, and
 * which served versions need their reference statistics. No I/O: the consumer sends and loads.
 *
 * `M` is the transport's message; `keep` copies one that must outlive its fetch (a label can wait in the
 * join for minutes, and a view would pin its whole fetch buffer).
 */
export type IntakeRecord<M> =
  { kind: 'prediction'; value: Prediction; message: M } | { kind: 'label'; value: GroundTruth; message: M };

export interface IntakeDeadLetter<M> {
  message: M;
  code: string;
  reason: string;
}

export interface IntakeResult<M> {
  /** Label messages the join refused, with the catalogue code and the join's reason. */
  deadLetters: Array<IntakeDeadLetter<M>>;
  /** Each (model, version) seen in the batch, in order of first appearance. */
  versions: Array<{ model: string; version: string }>;
}

export const REJECT_CODE: Record<LabelRejection['reason'], string> = {
  expired: 'LABEL_EXPIRED',
  unknown_prediction: 'LABEL_UNKNOWN_PREDICTION',
  duplicate: 'LABEL_DUPLICATE',
  invalid: 'LABEL_INVALID',
};

/**
 * A label's own rejection (duplicate, expired, invalid) carries its message; unknown_prediction comes
 * later, for a label that waited in the join.
 */
function isOwnRejection(rejection: LabelRejection, ownId: string | undefined): boolean {
  return rejection.label.predictionId === ownId && rejection.reason !== 'unknown_prediction';
}

function hasOwnRejection(outcome: JoinOutcome, ownId: string): boolean {
  for (const rejection of outcome.rejected) if (isOwnRejection(rejection, ownId)) return true;
  return false;
}

export class MonitorIntake<M> {
  /** Label messages waiting in the join, by prediction id. */
  private readonly waiting = new Map<string, M>();

  constructor(
    private readonly monitor: Pick<Monitor, 'ingestPrediction' | 'ingestGroundTruth'>,
    private readonly keep: (message: M) => M = (message) => message,
  ) {}

  /** Labels whose message is held until they join or are rejected. */
  get waitingLabels(): number {
    return this.waiting.size;
  }

  /**
   * Feeds one batch. `replayed`: records a restarted monitor reads again to rebuild its state; their
   * rejections were dead-lettered by the run that saw them first, so none is returned.
   */
  feed(records: ReadonlyArray<IntakeRecord<M>>, replayed: boolean): IntakeResult<M> {
    const deadLetters: Array<IntakeDeadLetter<M>> = [];
    const versions: Array<{ model: string; version: string }> = [];
    let model: string | undefined;
    let version: string | undefined;
    for (const record of records) {
      let outcome: JoinOutcome;
      let ownId: string | undefined;
      if (record.kind === 'prediction') {
        if (record.value.model_name !== model || record.value.model_version !== version) {
          model = record.value.model_name;
          version = record.value.model_version;
          versions.push({ model, version });
        }
        outcome = this.monitor.ingestPrediction(record.value);
      } else {
        ownId = record.value.prediction_id;
        outcome = this.monitor.ingestGroundTruth(record.value);
      }
      for (const joined of outcome.joined) this.waiting.delete(joined.predictionId);
      if (ownId !== undefined && outcome.joined.length === 0 && !hasOwnRejection(outcome, ownId)) {
        if (!this.waiting.has(ownId)) this.waiting.set(ownId, this.keep(record.message));
      }
      for (const rejection of outcome.rejected) {
        const id = rejection.label.predictionId;
        const message = isOwnRejection(rejection, ownId) ? record.message : this.waiting.get(id);
        if (rejection.reason === 'unknown_prediction') this.waiting.delete(id);
        if (replayed || message === undefined) continue;
        deadLetters.push({ message, code: REJECT_CODE[rejection.reason], reason: rejection.detail });
      }
    }
    return { deadLetters, versions };
  }
}
