import { Type, type Static } from '@sinclair/typebox';
import { CATEGORIES, FEATURE_COLUMNS, INTEGER_RANGES } from '../../src/bank/columns.js';
import { StringEnum } from './enum.js';

/**
 * One customer as a client sends it: the 16 raw UCI columns except the target `y`. Integers are
 * accepted within generous bounds (the lake's INTEGER_RANGES describe the data, not what a caller may
 * ask about). Categories are the UCI domains of src/bank, the only values the lake accepts, so every
 * model's training categories are among them; the serving model's own spec is checked after the schema.
 */
const LIMIT = 1_000_000_000;

export const integer = (column: keyof typeof INTEGER_RANGES) =>
  Type.Integer({
    minimum: column === 'age' ? 0 : -LIMIT,
    maximum: column === 'age' ? 150 : LIMIT,
    description: `UCI range ${INTEGER_RANGES[column].join('..')}`,
  });

export type CategoryField = Exclude<keyof typeof CATEGORIES, 'y'>;

export const category = <C extends CategoryField>(column: C) =>
  StringEnum(CATEGORIES[column], { description: `UCI ${column}` });

export const RecordFields = {
  age: integer('age'),
  job: category('job'),
  marital: category('marital'),
  education: category('education'),
  default: category('default'),
  balance: integer('balance'),
  housing: category('housing'),
  loan: category('loan'),
  contact: category('contact'),
  day: integer('day'),
  month: category('month'),
  /** Only known after the call: optional unless the serving model was trained with it. */
  duration: Type.Optional(integer('duration')),
  campaign: integer('campaign'),
  pdays: integer('pdays'),
  previous: integer('previous'),
  poutcome: category('poutcome'),
};

/** The raw input columns, in the UCI file's order. */
export const INPUT_COLUMNS: readonly string[] = FEATURE_COLUMNS;

export const CustomerRecord = Type.Object(RecordFields, {
  additionalProperties: false,
  title: 'CustomerRecord',
});
export type CustomerRecord = Static<typeof CustomerRecord>;

const CustomerKey = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'Stable customer identifier; routes A/B traffic stickily (hashed, never interpreted).',
});

/** A record on /v1/predict and /v1/explain: the columns plus an optional routing key. */
export const PredictRecord = Type.Object(
  { ...RecordFields, customerKey: Type.Optional(CustomerKey) },
  { additionalProperties: false, title: 'PredictRecord' },
);
export type PredictRecord = Static<typeof PredictRecord>;

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'stable error code (src/errors)' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'where in the request, e.g. records[2].job' })),
    hint: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  },
  { additionalProperties: false, title: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;
