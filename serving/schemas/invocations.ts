import { Type, type Static } from '@sinclair/typebox';
import { integer, RecordFields } from './record.js';

/**
 * MLflow's scoring protocol (`mlflow models serve`): pandas split or records orientation, TF-serving
 * style `instances`/`inputs`, or CSV with a header (text/csv). Row-oriented records are checked here;
 * the cells of the column-oriented forms are checked per record after the frame is turned into records.
 */
const Cell = Type.Union([Type.String(), Type.Number(), Type.Null()]);

/** A record of a frame: a null cell is a missing value, which only `duration` may be. */
export const FrameRecord = Type.Object(
  { ...RecordFields, duration: Type.Optional(Type.Union([integer('duration'), Type.Null()])) },
  { additionalProperties: false, title: 'FrameRecord' },
);

const params = Type.Optional(Type.Record(Type.String(), Type.Unknown()));

export function invocationsBody(maxBatch: number) {
  const rows = { minItems: 1, maxItems: maxBatch };
  return Type.Union(
    [
      Type.Object(
        {
          dataframe_split: Type.Object(
            {
              columns: Type.Array(Type.String(), { minItems: 1, maxItems: 64 }),
              data: Type.Array(Type.Array(Cell, { maxItems: 64 }), rows),
              index: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]))),
            },
            { additionalProperties: false },
          ),
          params,
        },
        { additionalProperties: false, title: 'DataframeSplit' },
      ),
      Type.Object(
        { dataframe_records: Type.Array(FrameRecord, rows), params },
        { additionalProperties: false, title: 'DataframeRecords' },
      ),
      Type.Object(
        { instances: Type.Array(FrameRecord, rows), params },
        { additionalProperties: false, title: 'Instances' },
      ),
      Type.Object(
        {
          inputs: Type.Union([
            Type.Array(FrameRecord, rows),
            Type.Record(Type.String(), Type.Array(Cell, rows), { description: 'columnar', minProperties: 1 }),
          ]),
          params,
        },
        { additionalProperties: false, title: 'Inputs' },
      ),
      Type.String({ title: 'Csv', description: 'text/csv with a header row' }),
    ],
    { title: 'InvocationsRequest' },
  );
}
export type InvocationsBody = Static<ReturnType<typeof invocationsBody>>;

export const InvocationsResponse = Type.Object(
  {
    predictions: Type.Array(Type.Number(), { description: 'probability of subscribing, per row' }),
    prediction_ids: Type.Array(Type.String(), { description: 'bankops extension: event ids per row' }),
    model_version: Type.String({ description: 'bankops extension (the champion in A/B mode)' }),
  },
  { additionalProperties: false, title: 'InvocationsResponse' },
);
export type InvocationsResponse = Static<typeof InvocationsResponse>;
