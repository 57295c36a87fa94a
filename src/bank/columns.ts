/**
 * The UCI Bank Marketing columns and their domains as found in bank-full.csv (../shared/data/README.md).
 * One definition, used by the loader, the lake writer's validation and (later) the feature spec.
 */
export const CATEGORIES = {
  job: [
    'admin.',
    'blue-collar',
    'entrepreneur',
    'housemaid',
    'management',
    'retired',
    'self-employed',
    'services',
    'student',
    'technician',
    'unemployed',
    'unknown',
  ],
  marital: ['divorced', 'married', 'single'],
  education: ['primary', 'secondary', 'tertiary', 'unknown'],
  default: ['no', 'yes'],
  housing: ['no', 'yes'],
  loan: ['no', 'yes'],
  contact: ['cellular', 'telephone', 'unknown'],
  month: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  poutcome: ['failure', 'other', 'success', 'unknown'],
  y: ['no', 'yes'],
} as const;

/** Integer columns with the range seen in the UCI file; synthetic batches stay inside it. */
export const INTEGER_RANGES = {
  age: [18, 95],
  balance: [-8019, 102127],
  day: [1, 31],
  duration: [0, 4918],
  campaign: [1, 63],
  pdays: [-1, 871],
  previous: [0, 275],
} as const;

export type CategoryColumn = keyof typeof CATEGORIES;
export type IntegerColumn = keyof typeof INTEGER_RANGES;
export type Column = CategoryColumn | IntegerColumn;

/** The source file's column order. */
export const COLUMNS = [
  'age',
  'job',
  'marital',
  'education',
  'default',
  'balance',
  'housing',
  'loan',
  'contact',
  'day',
  'month',
  'duration',
  'campaign',
  'pdays',
  'previous',
  'poutcome',
  'y',
] as const satisfies readonly Column[];

/** The features (every column but the target). */
export const FEATURE_COLUMNS = COLUMNS.filter((c) => c !== 'y');

export type BankRecord = { [K in IntegerColumn]: number } & { [K in CategoryColumn]: string };

export function isIntegerColumn(column: string): column is IntegerColumn {
  return column in INTEGER_RANGES;
}

export function isCategoryColumn(column: string): column is CategoryColumn {
  return column in CATEGORIES;
}
