import { Type, type Static } from '@sinclair/typebox';

const Label = Type.Object(
  {
    predictionId: Type.String({ format: 'uuid', minLength: 36, maxLength: 36 }),
    outcome: Type.Boolean({ description: 'true when the customer subscribed' }),
  },
  { additionalProperties: false, title: 'GroundTruthLabel' },
);

export function groundTruthBody(maxBatch: number) {
  return Type.Union(
    [
      Label,
      Type.Object(
        { labels: Type.Array(Label, { minItems: 1, maxItems: maxBatch }) },
        { additionalProperties: false, title: 'GroundTruthBatch' },
      ),
    ],
    { title: 'GroundTruthRequest' },
  );
}
export type GroundTruthBody = Static<ReturnType<typeof groundTruthBody>>;

export const GroundTruthResponse = Type.Object(
  { accepted: Type.Integer({ description: 'labels published to the ground-truth topic' }) },
  { additionalProperties: false, title: 'GroundTruthResponse' },
);
export type GroundTruthResponse = Static<typeof GroundTruthResponse>;
