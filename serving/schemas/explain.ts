import { Type, type Static } from '@sinclair/typebox';

export const Contribution = Type.Object(
  {
    feature: Type.String({ description: 'raw column (one-hot blocks summed back)' }),
    value: Type.Union([Type.String(), Type.Number(), Type.Null()]),
    contribution: Type.Number({ description: 'SHAP value in log-odds' }),
  },
  { additionalProperties: false },
);

export const ExplainResponse = Type.Object(
  {
    modelVersion: Type.String(),
    probability: Type.Number(),
    margin: Type.Number({ description: 'log-odds: baseValue + sum of contributions' }),
    baseValue: Type.Number({ description: 'the bias term (expected margin)' }),
    threshold: Type.Number(),
    decision: Type.Boolean(),
    contributions: Type.Array(Contribution, { description: 'largest |contribution| first' }),
  },
  { additionalProperties: false, title: 'ExplainResponse' },
);
export type ExplainResponse = Static<typeof ExplainResponse>;
