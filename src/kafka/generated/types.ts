// Generated from topics/schemas/*.avsc by `npm run generate`. Do not edit.

/** One customer of the term-deposit campaign (UCI Bank Marketing columns) with its lineage. (topics/schemas/customer.avsc) */
export interface Customer {
  /** Deterministic id: sha256 of source, batch and row. */
  record_id: string;
  batch_id: string;
  /** uci | synthetic | api */
  source: string;
  event_time: number;
  age: number;
  job: string;
  marital: string;
  education: string;
  default: string;
  balance: number;
  housing: string;
  loan: string;
  contact: string;
  day: number;
  month: string;
  duration: number;
  campaign: number;
  pdays: number;
  previous: number;
  poutcome: string;
  /** yes | no, as the source spells it. */
  y: string;
  /** The customer this record belongs to, when known; a synthetic record carries the key (or record id) of the real record it copies. Training keeps a key's records on one side of every split. */
  customer_key: null | string;
}

/** A record that could not be processed, with the reason and where it came from. (topics/schemas/dead-letter.avsc) */
export interface DeadLetter {
  reason: string;
  error_code: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  source_timestamp: null | string;
  key: null | Buffer;
  value: null | Buffer;
  failed_at: number;
  component: string;
}

/** The outcome of a call, known after the prediction. (topics/schemas/ground-truth.avsc) */
export interface GroundTruth {
  prediction_id: string;
  event_time: number;
  /** true when the customer subscribed (y = yes). */
  outcome: boolean;
  source: string;
}

/** A lifecycle event of the platform. (topics/schemas/pipeline-event.avsc) */
export interface PipelineEvent {
  event_id: string;
  event_time: number;
  /** batch.published | batch.ingested | retrain.requested | retrain.failed | model.trained | model.promoted | model.rejected | drift.detected | performance.degraded | alert.fired */
  type: string;
  component: string;
  correlation_id: null | string;
  /** Type-specific details, JSON. */
  payload_json: string;
}

/** One answered prediction, published before the client sees the answer. (topics/schemas/prediction.avsc) */
export interface Prediction {
  prediction_id: string;
  event_time: number;
  model_name: string;
  model_version: string;
  /** champion | challenger | shadow */
  variant: string;
  customer_key: null | string;
  /** The raw record as received, JSON. */
  features_json: string;
  probability: number;
  decision: boolean;
  threshold: number;
  latency_ms: number;
  route: string;
  /** A shadow score: the prediction id of the answer it shadows (whose outcome it shares). */
  shadow_of: null | string;
}
