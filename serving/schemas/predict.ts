import { Type, type Static } from '@sinclair/typebox';
import { PredictRecord } from './record.js';

/** One record, or `{ records: [...] }` up to the configured batch limit. */
export function predictBody(maxBatch: number) {
  return Type.Union(
    [
      PredictRecord,
      Type.Object(
        { records: Type.Array(PredictRecord, { minItems: 1, maxItems: maxBatch }) },
        { additionalProperties: false, title: 'PredictBatch' },
      ),
    ],
    { title: 'PredictRequest' },
  );
}
export type PredictBody = Static<ReturnType<typeof predictBody>>;

export const Variant = Type.Union([Type.Literal('champion'), Type.Literal('challenger')], {
  description: 'which model answered (A/B mode routes a share of customers to the challenger)',
});

export const Prediction = Type.Object(
  {
    predictionId: Type.String({ format: 'uuid', description: 'quote it on /v1/ground-truth' }),
    probability: Type.Number({ minimum: 0, maximum: 1 }),
    decision: Type.Boolean({ description: 'probability ≥ threshold: call this customer' }),
    threshold: Type.Number(),
    modelVersion: Type.String(),
    variant: Variant,
  },
  { additionalProperties: false, title: 'Prediction' },
);
export type Prediction = Static<typeof Prediction>;

export const PredictResponse = Type.Object(
  { predictions: Type.Array(Prediction, { description: 'one per record, in request order' }) },
  { additionalProperties: false, title: 'PredictResponse' },
);
export type PredictResponse = Static<typeof PredictResponse>;
