import { BankopsError } from '../../src/errors/index.js';
import type { InvocationsBody } from '../schemas/invocations.js';
import { RecordFields } from '../schemas/record.js';
import { parseCsv } from './csv.js';

export interface FrameRows {
  rows: Array<Record<string, unknown>>;
  /** How the error messages name row i. */
  where(i: number): string;
}

const invalid = (field: string, reason: string): BankopsError =>
  new BankopsError('DATA_INVALID', `${field}: ${reason}`, { details: { field, reason } });

const INTEGER_COLUMNS = new Set(
  Object.entries(RecordFields)
    .filter(([, schema]) => schema.type === 'integer')
    .map(([name]) => name),
);

function zip(
  columns: readonly string[],
  data: readonly unknown[][],
  where: (i: number) => string,
): FrameRows['rows'] {
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column)) throw invalid('columns', `duplicate column ${JSON.stringify(column)}`);
    seen.add(column);
  }
  return data.map((values, i) => {
    if (values.length !== columns.length) {
      throw invalid(where(i), `has ${values.length} values for ${columns.length} columns`);
    }
    return Object.fromEntries(columns.map((c, k) => [c, values[k]]));
  });
}

/** A CSV cell as JSON would carry it: integers for integer columns, strings otherwise, empty = missing. */
function csvCell(column: string, text: string): unknown {
  if (text === '') return null;
  if (INTEGER_COLUMNS.has(column) && /^-?\d+(\.0*)?$/.test(text.trim())) return Number(text);
  return text;
}

/**
 * Every MLflow input format turned into records (column → value). Nulls become missing fields, so the
 * record check reports a missing required column, and an optional `duration` may be null.
 */
export function frameRows(body: InvocationsBody, maxBatch: number): FrameRows {
  let result: FrameRows;
  if (typeof body === 'string') {
    const { header, rows } = parseCsv(body);
    const where = (i: number) => `csv row ${i + 1}`;
    if (rows.length === 0) throw invalid('body', 'the csv has a header but no data rows');
    if (rows.length > maxBatch) throw invalid('body', `${rows.length} rows exceed the limit of ${maxBatch}`);
    const data = rows.map((row) => row.map((cell, k) => csvCell(header[k] ?? '', cell)));
    result = { rows: zip(header, data, where), where };
  } else if ('dataframe_split' in body) {
    const where = (i: number) => `dataframe_split.data[${i}]`;
    result = { rows: zip(body.dataframe_split.columns, body.dataframe_split.data, where), where };
  } else if ('dataframe_records' in body) {
    result = { rows: body.dataframe_records, where: (i) => `dataframe_records[${i}]` };
  } else if ('instances' in body) {
    result = { rows: body.instances, where: (i) => `instances[${i}]` };
  } else if (Array.isArray(body.inputs)) {
    result = { rows: body.inputs, where: (i) => `inputs[${i}]` };
  } else {
    const columnar: Record<string, unknown[]> = body.inputs;
    const columns = Object.keys(columnar);
    const length = columnar[columns[0] ?? '']?.length ?? 0;
    if (columns.some((c) => columnar[c]?.length !== length)) {
      throw invalid('inputs', 'every column must hold the same number of values');
    }
    const data = Array.from({ length }, (_, i) => columns.map((c) => columnar[c]?.[i]));
    result = { rows: zip(columns, data, (i) => `inputs row ${i}`), where: (i) => `inputs row ${i}` };
  }
  return {
    where: result.where,
    rows: result.rows.map((row) =>
      Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined)),
    ),
  };
}
