import { CATEGORIES, FEATURE_COLUMNS, isCategoryColumn } from '../../src/bank/columns.js';
import { FrameRecord } from './invocations.js';
import { RecordFields } from './record.js';

/**
 * What OpenAPI states where JSON Schema cannot state the server's whole rule: the cells of a column-oriented
 * frame depend on its column names, and columns must hold equally many values. The document then shows a
 * subset the server accepts in full (the UCI column order, one row per column in the columnar form); the
 * descriptions say what else is accepted. Plain JSON Schema 2020-12, never used to validate.
 */
type Json = Record<string, unknown>;

const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema)) as Json;

/** Each input column's schema, `duration` nullable (a null cell is a missing value). */
function cell(column: string): Json {
  const schema = plain(RecordFields[column as keyof typeof RecordFields]);
  return column === 'duration' ? { anyOf: [schema, { type: 'null' }] } : schema;
}

const orderNote = 'Shown in the UCI column order; any order of these columns is accepted.';

function documentedSplit(maxBatch: number): Json {
  return {
    type: 'object',
    title: 'DataframeSplit',
    description: orderNote,
    additionalProperties: false,
    required: ['dataframe_split'],
    properties: {
      dataframe_split: {
        type: 'object',
        additionalProperties: false,
        required: ['columns', 'data'],
        properties: {
          columns: {
            type: 'array',
            prefixItems: FEATURE_COLUMNS.map((c) => ({ const: c })),
            items: false,
            minItems: FEATURE_COLUMNS.length,
          },
          data: {
            type: 'array',
            minItems: 1,
            maxItems: maxBatch,
            items: {
              type: 'array',
              prefixItems: FEATURE_COLUMNS.map(cell),
              items: false,
              minItems: FEATURE_COLUMNS.length,
            },
          },
          index: { type: 'array', items: { type: ['string', 'number'] } },
        },
      },
      params: { type: 'object' },
    },
  };
}

function documentedColumnar(): Json {
  return {
    type: 'object',
    title: 'InputsColumnar',
    description: 'One array per column, all of one length (shown with one row; up to the batch limit).',
    additionalProperties: false,
    required: ['inputs'],
    properties: {
      inputs: {
        type: 'object',
        additionalProperties: false,
        required: FEATURE_COLUMNS.filter((c) => c !== 'duration'),
        properties: Object.fromEntries(
          FEATURE_COLUMNS.map((c) => [c, { type: 'array', items: cell(c), minItems: 1, maxItems: 1 }]),
        ),
      },
      params: { type: 'object' },
    },
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A CSV cell of a column as a regular expression (integers as JSON would write them). */
function csvCell(column: string): string {
  if (isCategoryColumn(column)) return `(?:${CATEGORIES[column].map(escape).join('|')})`;
  if (column === 'age') return '(?:1[0-4][0-9]|150|[0-9]{1,2})';
  const value = '-?[0-9]{1,9}';
  return column === 'duration' ? `(?:${value})?` : value;
}

/** text/csv as a pattern: the header in the UCI column order, then 1 to maxBatch rows. */
function documentedCsv(maxBatch: number): Json {
  const row = FEATURE_COLUMNS.map(csvCell).join(',');
  return {
    type: 'string',
    title: 'Csv',
    description: `CSV with a header row. ${orderNote}`,
    pattern: `^${FEATURE_COLUMNS.join(',')}(?:\\r?\\n${row}){1,${maxBatch}}\\r?\\n?$`,
  };
}

/** A row-oriented form (`dataframe_records`, `instances`, `inputs`): its records are checked as they are. */
function documentedRows(key: string, title: string, maxBatch: number): Json {
  return {
    type: 'object',
    title,
    additionalProperties: false,
    required: [key],
    properties: {
      [key]: { type: 'array', items: plain(FrameRecord), minItems: 1, maxItems: maxBatch },
      params: { type: 'object' },
    },
  };
}

/** The request body of /invocations as OpenAPI shows it, by content type. */
export function documentedInvocations(maxBatch: number): Record<string, Json> {
  return {
    'application/json': {
      title: 'InvocationsRequest',
      anyOf: [
        documentedSplit(maxBatch),
        documentedRows('dataframe_records', 'DataframeRecords', maxBatch),
        documentedRows('instances', 'Instances', maxBatch),
        documentedRows('inputs', 'InputsRecords', maxBatch),
        documentedColumnar(),
      ],
    },
    'text/csv': documentedCsv(maxBatch),
  };
}

/**
 * An OIP inference request as OpenAPI shows it: one tensor per column in the UCI order, one row (the
 * columns' tensors must agree on their length, which JSON Schema cannot state). Any order, up to the batch
 * limit of rows, other integer datatypes and an optional `customerKey` tensor are accepted too.
 */
export function documentedInfer(): Json {
  const tensor = (column: string): Json => ({
    type: 'object',
    additionalProperties: false,
    required: ['name', 'shape', 'datatype', 'data'],
    properties: {
      name: { const: column },
      shape: { type: 'array', prefixItems: [{ const: 1 }], items: false, minItems: 1 },
      datatype: { const: isCategoryColumn(column) ? 'BYTES' : 'INT64' },
      data: {
        type: 'array',
        items: plain(RecordFields[column as keyof typeof RecordFields]),
        minItems: 1,
        maxItems: 1,
      },
    },
  });
  return {
    type: 'object',
    title: 'InferRequest',
    description: 'One row shown; see the operation for what else is accepted.',
    additionalProperties: false,
    required: ['inputs'],
    properties: {
      id: { type: 'string', maxLength: 200 },
      parameters: { type: 'object' },
      inputs: {
        type: 'array',
        prefixItems: FEATURE_COLUMNS.map(tensor),
        items: false,
        minItems: FEATURE_COLUMNS.length,
      },
    },
  };
}
