import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CATEGORIES, FEATURE_COLUMNS, isCategoryColumn, isIntegerColumn } from '../bank/columns.js';
import type { CategoryColumn } from '../bank/columns.js';
import { BankopsError } from '../errors/index.js';

/**
 * The feature encoding a model was trained with, carried inside the model bundle so that serving encodes
 * exactly as training did (train/serve parity). JSON-serialisable; `version` changes whenever the
 * encoding rules below change.
 *
 * Rules (version 1):
 * - numeric columns pass through as float32; a missing value (null, undefined, not a finite number)
 *   becomes NaN, which XGBoost treats as "missing" and routes down each split's learnt default branch;
 * - every categorical column is one-hot encoded over the categories seen in the training rows, frozen
 *   and sorted (code-unit order) at training time;
 * - a category unseen at training time (or a missing one) at serving gets an all-zero block for that
 *   column: the model then follows the "not this category" branch of every split on it, the closest
 *   thing to "none of the known values". `encodeRow` reports such columns so serving can count them.
 */
export const FEATURE_SPEC_VERSION = 1;

export interface CategoricalFeature {
  column: string;
  categories: string[];
}

export interface FeatureSpec {
  kind: 'bankops.feature-spec';
  version: typeof FEATURE_SPEC_VERSION;
  includeDuration: boolean;
  /** Numeric input columns, in vector order; they come first in the vector. */
  numeric: string[];
  /** Categorical input columns, in vector order, each followed by its one-hot block. */
  categorical: CategoricalFeature[];
  unknownCategory: 'all-zero';
  missingNumeric: 'nan';
}

/** A raw record as it arrives (from the lake, Kafka or an HTTP client): column → value. */
export type RawRecord = { readonly [column: string]: string | number | null | undefined };

export interface BuildSpecOptions {
  /** `duration` is only known after the call ends, so it is left out unless asked for. */
  includeDuration?: boolean;
}

/** Builds the spec from the training rows (never from test rows: their categories must stay unseen). */
export function buildFeatureSpec(rows: readonly RawRecord[], options: BuildSpecOptions = {}): FeatureSpec {
  if (rows.length === 0) throw new BankopsError('DATA_INVALID', 'cannot build a feature spec from 0 rows');
  const includeDuration = options.includeDuration ?? false;
  const numeric = FEATURE_COLUMNS.filter(
    (column) => isIntegerColumn(column) && (includeDuration || column !== 'duration'),
  );
  const categorical = FEATURE_COLUMNS.filter((c): c is Exclude<CategoryColumn, 'y'> =>
    isCategoryColumn(c),
  ).map((column) => {
    const seen = new Set<string>();
    for (const row of rows) {
      const value = row[column];
      if (typeof value === 'string') seen.add(value);
    }
    if (seen.size === 0) {
      throw new BankopsError('DATA_INVALID', `column "${column}" has no string value in the training rows`, {
        hint: `Expected values like ${CATEGORIES[column].slice(0, 3).join(', ')}.`,
      });
    }
    return { column, categories: [...seen].sort() };
  });
  return {
    kind: 'bankops.feature-spec',
    version: FEATURE_SPEC_VERSION,
    includeDuration,
    numeric,
    categorical,
    unknownCategory: 'all-zero',
    missingNumeric: 'nan',
  };
}

/** The encoded vector's column names: numeric names, then `column=category` per one-hot position. */
export function featureNames(spec: FeatureSpec): string[] {
  return [
    ...spec.numeric,
    ...spec.categorical.flatMap(({ column, categories }) => categories.map((c) => `${column}=${c}`)),
  ];
}

/** Width of the encoded vector. */
export function featureCount(spec: FeatureSpec): number {
  return spec.categorical.reduce((n, { categories }) => n + categories.length, spec.numeric.length);
}

/** The raw input columns in the order `encodeRow`'s bit mask uses: numeric, then categorical. */
export function inputColumns(spec: FeatureSpec): string[] {
  return [...spec.numeric, ...spec.categorical.map(({ column }) => column)];
}

/** JSON with object keys sorted at every level, so equal specs always give equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const entries = Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(entries);
  });
}

/** sha256 (hex) of the spec's canonical JSON: the identity serving checks a model bundle against. */
export function specHash(spec: FeatureSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

const specSchema = z.object({
  kind: z.literal('bankops.feature-spec'),
  version: z.literal(FEATURE_SPEC_VERSION),
  includeDuration: z.boolean(),
  numeric: z.array(z.string().min(1)),
  categorical: z.array(z.object({ column: z.string().min(1), categories: z.array(z.string()).min(1) })),
  unknownCategory: z.literal('all-zero'),
  missingNumeric: z.literal('nan'),
});

/** Reads a spec from JSON text (e.g. a bundle's feature_spec.json), refusing anything malformed. */
export function parseFeatureSpec(text: string): FeatureSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BankopsError('DATA_INVALID', 'feature spec is not valid JSON', { cause: error });
  }
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BankopsError(
      'DATA_INVALID',
      `feature spec is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown problem'}`,
      { hint: `This bankops reads feature spec version ${FEATURE_SPEC_VERSION}.` },
    );
  }
  return parsed.data;
}
