import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './enum.js';

/**
 * The Open Inference Protocol (KServe's V2 inference protocol, also spoken by Triton and Seldon MLServer)
 * over HTTP/JSON: named input tensors, one per column, with raw values.
 */
export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

const Parameters = Type.Record(Type.String(), Type.Unknown(), {
  description: 'extension parameters (accepted, not interpreted)',
});
const Value = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export function oipInferBody(maxBatch: number) {
  const Input = Type.Object(
    {
      name: Type.String({ description: 'a column of the record (or `customerKey`)' }),
      shape: Type.Array(Type.Integer({ minimum: 1, maximum: maxBatch }), { minItems: 1, maxItems: 2 }),
      datatype: StringEnum(DATATYPES),
      parameters: Type.Optional(Parameters),
      data: Type.Array(Value, { minItems: 1, maxItems: maxBatch, description: 'row-major, flat' }),
    },
    { additionalProperties: false, title: 'InferInput' },
  );
  return Type.Object(
    {
      id: Type.Optional(Type.String({ maxLength: 200 })),
      parameters: Type.Optional(Parameters),
      inputs: Type.Array(Input, { minItems: 1, maxItems: 64 }),
      outputs: Type.Optional(
        Type.Array(
          Type.Object(
            { name: Type.String(), parameters: Type.Optional(Parameters) },
            { additionalProperties: false },
          ),
          { maxItems: 8 },
        ),
      ),
    },
    { additionalProperties: false, title: 'InferRequest' },
  );
}
export type OipInferBody = Static<ReturnType<typeof oipInferBody>>;

export const OipOutput = Type.Object(
  {
    name: Type.String(),
    shape: Type.Array(Type.Integer()),
    datatype: StringEnum(DATATYPES),
    parameters: Type.Optional(Parameters),
    data: Type.Array(Value),
  },
  { additionalProperties: false, title: 'InferOutput' },
);
export type OipOutput = Static<typeof OipOutput>;

export const OipInferResponse = Type.Object(
  {
    model_name: Type.String(),
    model_version: Type.String({ description: 'the champion (a row may meet the challenger: see outputs)' }),
    id: Type.String({ description: "the request's id, or its request id" }),
    parameters: Type.Optional(Parameters),
    outputs: Type.Array(OipOutput),
  },
  { additionalProperties: false, title: 'InferResponse' },
);
export type OipInferResponse = Static<typeof OipInferResponse>;

const TensorMetadata = Type.Object(
  { name: Type.String(), datatype: StringEnum(DATATYPES), shape: Type.Array(Type.Integer()) },
  { additionalProperties: false },
);

export const OipModelMetadata = Type.Object(
  {
    name: Type.String(),
    versions: Type.Array(Type.String()),
    platform: Type.String(),
    inputs: Type.Array(TensorMetadata),
    outputs: Type.Array(TensorMetadata),
  },
  { additionalProperties: false, title: 'ModelMetadata' },
);
export type OipModelMetadata = Static<typeof OipModelMetadata>;

export const OipLive = Type.Object({ live: Type.Boolean() }, { additionalProperties: false });
export const OipReady = Type.Object({ ready: Type.Boolean() }, { additionalProperties: false });
export const OipModelReady = Type.Object(
  { name: Type.String(), ready: Type.Boolean() },
  { additionalProperties: false },
);

/** The protocol's error body. */
export const OipError = Type.Object(
  { error: Type.String() },
  { additionalProperties: false, title: 'OipError' },
);
export const OIP_ERRORS = { '4xx': OipError, '5xx': OipError };

export const ModelParams = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200, description: 'the served registered model' }) },
  { additionalProperties: false },
);
