import { COLUMNS } from './columns.js';

/**
 * UCI's other file of the same campaign, `bank-additional-full.csv` (in `bank-additional.zip`): the social
 * and economic context added (emp.var.rate … nr.employed), `day_of_week` instead of `day`, no `balance`.
 * bankops does not read it; recognizing it lets the refusal say which file was given and which is wanted.
 */
export const BANK_ADDITIONAL_COLUMNS = [
  'age',
  'job',
  'marital',
  'education',
  'default',
  'housing',
  'loan',
  'contact',
  'month',
  'day_of_week',
  'duration',
  'campaign',
  'pdays',
  'previous',
  'poutcome',
  'emp.var.rate',
  'cons.price.idx',
  'cons.conf.idx',
  'euribor3m',
  'nr.employed',
  'y',
] as const;

export type Layout = 'bank' | 'bank-additional';

/** Which UCI layout a header (cells unquoted) is in, if any. */
export function layoutOf(header: readonly string[]): Layout | undefined {
  const line = header.map((cell) => cell.trim()).join(';');
  if (line === COLUMNS.join(';')) return 'bank';
  if (line === BANK_ADDITIONAL_COLUMNS.join(';')) return 'bank-additional';
  return undefined;
}
