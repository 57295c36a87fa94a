import { Type, type Static } from '@sinclair/typebox';

const LoadError = Type.Object(
  {
    role: Type.String(),
    version: Type.Union([Type.String(), Type.Null()]),
    message: Type.String(),
    at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

const ModelSummary = Type.Object(
  {
    version: Type.String(),
    aliases: Type.Array(Type.String()),
    loadedAt: Type.String({ format: 'date-time' }),
    threshold: Type.Number(),
    featureSpecHash: Type.String(),
    includeDuration: Type.Boolean(),
    createdAt: Type.String(),
    xgboostVersion: Type.String(),
    training: Type.Object(
      {
        table: Type.Union([Type.String(), Type.Null()]),
        snapshotId: Type.Union([Type.String(), Type.Null()]),
        rowCount: Type.Union([Type.Number(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    metrics: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()]), {
      description: 'test-split metrics recorded at training',
    }),
  },
  { additionalProperties: false },
);

export const ModelResponse = Type.Object(
  {
    name: Type.String(),
    mode: Type.String({ description: 'champion | ab | shadow: the split requests meet now' }),
    share: Type.Number({ description: "the challenger's share of customers in ab mode" }),
    rollout: Type.Union(
      [
        Type.Object({
          policy: Type.String(),
          challenger: Type.String(),
          champion: Type.String(),
          startedAt: Type.String(),
          deadline: Type.String(),
        }),
        Type.Null(),
      ],
      { description: 'the rollout in the registry that sets the split, if one collects labels' },
    ),
    champion: Type.Union([ModelSummary, Type.Null()]),
    challenger: Type.Union([ModelSummary, Type.Null()]),
    lastLoadError: Type.Union([LoadError, Type.Null()]),
    lastPollError: Type.Union([Type.String(), Type.Null()]),
    lastPollAt: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false, title: 'ModelResponse' },
);
export type ModelResponse = Static<typeof ModelResponse>;
export type ModelSummary = Static<typeof ModelSummary>;
export type LoadErrorInfo = Static<typeof LoadError>;

export const HealthResponse = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });

export const ReadyResponse = Type.Object(
  {
    ready: Type.Boolean(),
    reasons: Type.Array(Type.String()),
    modelVersion: Type.Union([Type.String(), Type.Null()]),
    events: Type.String({ description: 'on | off' }),
    lastLoadError: Type.Union([LoadError, Type.Null()]),
  },
  { additionalProperties: false, title: 'ReadyResponse' },
);
export type ReadyResponse = Static<typeof ReadyResponse>;
