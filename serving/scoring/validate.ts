import { BankopsError } from '../../src/errors/index.js';
import type { FeatureSpec, RawRecord } from '../../src/features/index.js';

/** Per spec: column → known categories, built once per spec object. */
const known = new WeakMap<FeatureSpec, Map<string, Set<string>>>();

function categoriesOf(spec: FeatureSpec): Map<string, Set<string>> {
  let map = known.get(spec);
  if (map === undefined) {
    map = new Map(spec.categorical.map(({ column, categories }) => [column, new Set(categories)]));
    known.set(spec, map);
  }
  return map;
}

const join = (field: string, column: string) => (field === '' ? column : `${field}.${column}`);

/**
 * Checks a record (already shape-checked by the schema) against the model that will score it: every
 * category must be one the model was trained on, and `duration` must be present when the model uses it.
 * The encoder would silently map an unknown category to "none of them"; an API caller gets a 400 instead.
 */
export function checkForModel(spec: FeatureSpec, record: RawRecord, field: string, version: string): void {
  for (const [column, categories] of categoriesOf(spec)) {
    const value = record[column];
    if (typeof value === 'string' && !categories.has(value)) {
      throw new BankopsError(
        'DATA_INVALID',
        `${join(field, column)}: unknown category ${JSON.stringify(value)}`,
        {
          hint: `Model v${version} knows ${[...categories].join(', ')}.`,
          details: { field: join(field, column), reason: 'unknown category' },
        },
      );
    }
  }
  for (const column of spec.numeric) {
    if (record[column] === undefined || record[column] === null) {
      throw new BankopsError('DATA_INVALID', `${join(field, column)}: required by model v${version}`, {
        hint:
          column === 'duration'
            ? 'This model was trained with the call duration; send it (in seconds).'
            : undefined,
        details: { field: join(field, column), reason: 'missing' },
      });
    }
  }
}
