import type { BankRecord } from './columns.js';

/**
 * A typical UCI customer (common categories, everyday numbers) as a client sends it before the call:
 * no outcome `y`, no call `duration`. Tests and benchmarks score it; it is not a prediction of anything.
 */
export const TYPICAL_CUSTOMER: Readonly<Omit<BankRecord, 'y' | 'duration'>> = Object.freeze({
  age: 41,
  job: 'management',
  marital: 'married',
  education: 'tertiary',
  default: 'no',
  balance: 1500,
  housing: 'yes',
  loan: 'no',
  contact: 'cellular',
  day: 15,
  month: 'may',
  campaign: 2,
  pdays: -1,
  previous: 0,
  poutcome: 'unknown',
});
