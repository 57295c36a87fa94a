import {
  CATEGORIES,
  COLUMNS,
  INTEGER_RANGES,
  isCategoryColumn,
  isIntegerColumn,
  type BankRecord,
} from './columns.js';

export interface FieldProblem {
  column: string;
  reason: string;
}

/**
 * Checks one record against the column domains. Returns the first problem, or undefined when it is valid.
 * `requireTarget` false accepts a record without `y` (what a client sends for scoring).
 */
export function checkRecord(record: Record<string, unknown>, requireTarget = true): FieldProblem | undefined {
  for (const column of COLUMNS) {
    const value = record[column];
    if (value === undefined || value === null) {
      if (column === 'y' && !requireTarget) continue;
      return { column, reason: 'missing' };
    }
    if (isIntegerColumn(column)) {
      const [min, max] = INTEGER_RANGES[column];
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return { column, reason: `expected an integer, got ${JSON.stringify(value)}` };
      }
      if (value < min || value > max) return { column, reason: `${value} is outside ${min}..${max}` };
    } else if (isCategoryColumn(column)) {
      const domain: readonly string[] = CATEGORIES[column];
      if (typeof value !== 'string')
        return { column, reason: `expected a string, got ${JSON.stringify(value)}` };
      if (!domain.includes(value)) return { column, reason: `"${value}" is not one of ${domain.join(', ')}` };
    }
  }
  return undefined;
}

export function isBankRecord(
  record: Record<string, unknown>,
): record is BankRecord & Record<string, unknown> {
  return checkRecord(record) === undefined;
}
