import { isCategoryColumn } from '../../src/bank/columns.js';
import { BankopsError } from '../../src/errors/index.js';
import { compileChecker } from '../plugins/validation.js';
import type { OipInferBody, OipOutput } from '../schemas/oip.js';
import type { Prediction } from '../schemas/predict.js';
import { CustomerRecord, INPUT_COLUMNS } from '../schemas/record.js';
import type { ScoreItem } from './score.js';

const checkRecord = compileChecker(CustomerRecord);

const invalid = (field: string, reason: string): BankopsError =>
  new BankopsError('DATA_INVALID', `${field}: ${reason}`, { details: { field, reason } });

const INTEGER_TYPES = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
const KEY = 'customerKey';

/** The datatype a column's tensor has in the model metadata (integers as INT64, categories as BYTES). */
export const columnDatatype = (column: string): 'BYTES' | 'INT64' =>
  isCategoryColumn(column) ? 'BYTES' : 'INT64';

function checkTensor(
  tensor: OipInferBody['inputs'][number],
  where: string,
  rows: number | undefined,
): number {
  const known = tensor.name === KEY || INPUT_COLUMNS.includes(tensor.name);
  if (!known) throw invalid(where, `unknown input ${JSON.stringify(tensor.name)}`);
  const [n = 0, width = 1] = tensor.shape;
  if (width !== 1) throw invalid(`${where}.shape`, 'expected [N] or [N, 1]: one value per row');
  if (tensor.data.length !== n) {
    throw invalid(
      `${where}.data`,
      `holds ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`,
    );
  }
  if (rows !== undefined && n !== rows)
    throw invalid(`${where}.shape`, `${n} rows where the first input has ${rows}`);
  const expected = tensor.name === KEY ? 'BYTES' : columnDatatype(tensor.name);
  const fits = expected === 'BYTES' ? tensor.datatype === 'BYTES' : INTEGER_TYPES.has(tensor.datatype);
  if (!fits) throw invalid(`${where}.datatype`, `${tensor.name} is ${expected}, not ${tensor.datatype}`);
  return n;
}

/**
 * Named input tensors (one per column, shape [N]) turned into records, each checked like a /v1/predict
 * record; an optional `customerKey` tensor routes A/B traffic like the field of that name.
 */
export function oipItems(body: OipInferBody): ScoreItem[] {
  let rows: number | undefined;
  const seen = new Set<string>();
  body.inputs.forEach((tensor, i) => {
    if (seen.has(tensor.name))
      throw invalid(`inputs[${i}]`, `duplicate input ${JSON.stringify(tensor.name)}`);
    seen.add(tensor.name);
    rows = checkTensor(tensor, `inputs[${i}]`, rows);
  });
  return Array.from({ length: rows ?? 0 }, (_, r) => {
    const row: Record<string, unknown> = {};
    let customerKey: string | undefined;
    for (const tensor of body.inputs) {
      const value = tensor.data[r];
      if (tensor.name === KEY) customerKey = String(value);
      else row[tensor.name] = value;
    }
    const field = `row ${r}`;
    const error = checkRecord(row, field);
    if (error) throw error;
    return { record: row as CustomerRecord, customerKey, field };
  });
}

/** The outputs of an inference, one value per row each: the model metadata lists them as they are here. */
export const OUTPUTS: ReadonlyArray<{
  name: string;
  datatype: OipOutput['datatype'];
  value(p: Prediction): OipOutput['data'][number];
}> = [
  { name: 'probability', datatype: 'FP64', value: (p) => p.probability },
  { name: 'decision', datatype: 'BOOL', value: (p) => p.decision },
  { name: 'threshold', datatype: 'FP64', value: (p) => p.threshold },
  { name: 'model_version', datatype: 'BYTES', value: (p) => p.modelVersion },
  { name: 'variant', datatype: 'BYTES', value: (p) => p.variant },
  { name: 'prediction_id', datatype: 'BYTES', value: (p) => p.predictionId },
];

/** The outputs a request names (all when it names none), checked before anything is scored. */
export function outputNames(requested: OipInferBody['outputs']): string[] {
  if (!requested?.length) return OUTPUTS.map((o) => o.name);
  return requested.map(({ name }, i) => {
    if (!OUTPUTS.some((o) => o.name === name)) {
      const known = OUTPUTS.map((o) => o.name).join(', ');
      throw invalid(`outputs[${i}]`, `unknown output ${JSON.stringify(name)}; expected one of ${known}`);
    }
    return name;
  });
}

/** The answers as output tensors, in request order. */
export function oipOutputs(predictions: readonly Prediction[], names: readonly string[]): OipOutput[] {
  return OUTPUTS.filter((o) => names.includes(o.name))
    .sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name))
    .map((output) => ({
      name: output.name,
      datatype: output.datatype,
      shape: [predictions.length],
      data: predictions.map((p) => output.value(p)),
    }));
}
