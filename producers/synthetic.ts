import {
  INTEGER_RANGES,
  type BankRecord,
  type CategoryColumn,
  type IntegerColumn,
} from '../src/bank/columns.js';
import { BankopsError } from '../src/errors/index.js';
import { mulberry32 } from '../src/training/split.js';

/**
 * Synthetic new customers, bootstrapped from real ones: each is a row drawn with replacement, its numeric
 * columns moved by up to ±10 % (the workshop's noise) and rounded, then clamped to the column's domain;
 * a drift scenario then shifts the distribution on purpose.
 */
export const DRIFT_SCENARIOS = {
  none: 'no drift: the bootstrap with noise only',
  older: 'an older customer base: age +15 years, a third of the customers retired',
  telephone: 'a move from cellular to telephone contact: 70 % of cellular contacts become telephone',
  recession: 'a recession: balances fall by 60 %, more housing and personal loans, more defaults',
  concept:
    'concept drift: features keep their distribution but who subscribes changes (no housing loan and a high balance now decide)',
} as const;

export type DriftScenario = keyof typeof DRIFT_SCENARIOS;

/** One scenario, or several applied in order (`telephone,concept`: the features and the concept move). */
export type ScenarioMix = DriftScenario | readonly DriftScenario[];

export function parseScenario(value: string): DriftScenario {
  if (value in DRIFT_SCENARIOS) return value as DriftScenario;
  throw new BankopsError('USAGE', `unknown drift scenario "${value}"`, {
    hint: `Scenarios: ${Object.keys(DRIFT_SCENARIOS).join(', ')}; combine them with a comma (telephone,concept).`,
  });
}

/** `telephone,concept` (or `telephone+concept`) → both, in that order; each must be known, none repeated. */
export function parseScenarios(value: string): DriftScenario[] {
  const parts = value.split(/[,+]/).map((part) => part.trim());
  if (parts.some((part) => part === '')) {
    throw new BankopsError('USAGE', `"${value}" is not a list of drift scenarios`, {
      hint: `Name one or more of ${Object.keys(DRIFT_SCENARIOS).join(', ')}, separated by commas.`,
    });
  }
  const scenarios = parts.map(parseScenario);
  const repeated = scenarios.find((s, i) => scenarios.indexOf(s) !== i);
  if (repeated !== undefined) throw new BankopsError('USAGE', `drift scenario "${repeated}" is named twice`);
  return scenarios;
}

export const scenarioList = (mix: ScenarioMix): readonly DriftScenario[] =>
  typeof mix === 'string' ? [mix] : mix;

/** The name batches and events carry: `telephone+concept`. */
export const scenarioName = (mix: ScenarioMix): string => scenarioList(mix).join('+');

/** Columns that get the ±10 % noise; the day of the month and pdays' "-1 = never" keep their meaning. */
const NOISY: IntegerColumn[] = ['age', 'balance', 'duration', 'campaign', 'previous'];

function clamp(column: IntegerColumn, value: number): number {
  const [min, max] = INTEGER_RANGES[column];
  return Math.min(max, Math.max(min, Math.round(value)));
}

function noisy(record: BankRecord, random: () => number): BankRecord {
  const out = { ...record };
  for (const column of NOISY) out[column] = clamp(column, record[column] * (0.9 + 0.2 * random()));
  if (record.pdays >= 0) out.pdays = clamp('pdays', Math.max(0, record.pdays * (0.9 + 0.2 * random())));
  return out;
}

function drift(
  record: BankRecord,
  scenario: DriftScenario,
  random: () => number,
  balanceMedian: number,
): BankRecord {
  const r = { ...record };
  switch (scenario) {
    case 'none':
      return r;
    case 'older':
      r.age = clamp('age', r.age + 15);
      if (random() < 1 / 3) r.job = 'retired';
      return r;
    case 'telephone':
      if (r.contact === 'cellular' && random() < 0.7) r.contact = 'telephone';
      return r;
    case 'recession':
      r.balance = clamp('balance', r.balance >= 0 ? r.balance * 0.4 : r.balance * 1.5);
      if (random() < 0.3) r.housing = 'yes';
      if (random() < 0.2) r.loan = 'yes';
      if (random() < 0.05) r.default = 'yes';
      return r;
    case 'concept': {
      const likely = r.housing === 'no' && r.balance > balanceMedian;
      r.y = random() < (likely ? 0.8 : 0.03) ? 'yes' : 'no';
      return r;
    }
  }
}

export interface SyntheticOptions {
  rows: number;
  seed: number;
  scenario: ScenarioMix;
}

/** Deterministic for a given source, seed and scenario. Every value stays inside its column's domain. */
export function synthesize(source: readonly BankRecord[], options: SyntheticOptions): BankRecord[] {
  return synthesizeCopies(source, options).map((copy) => copy.record);
}

/** A synthetic record and the index (in `source`) of the real record it copies. */
export interface SyntheticCopy {
  record: BankRecord;
  source: number;
}

/** `synthesize`, telling which source record each copy was drawn from (its customer key travels along). */
export function synthesizeCopies(source: readonly BankRecord[], options: SyntheticOptions): SyntheticCopy[] {
  if (source.length === 0) {
    throw new BankopsError('DATA_INVALID', 'no customers to bootstrap from', {
      hint: 'Load the UCI data first: bin/bankops data load (and let the lake writer land it).',
    });
  }
  if (!Number.isInteger(options.rows) || options.rows < 1) {
    throw new BankopsError('USAGE', `--rows must be a positive whole number, got ${options.rows}`);
  }
  const scenarios = scenarioList(options.scenario);
  if (scenarios.length === 0) throw new BankopsError('USAGE', 'no drift scenario given (use none)');
  const random = mulberry32(options.seed);
  const balances = source.map((r) => r.balance).sort((a, b) => a - b);
  const median = balances[Math.floor(balances.length / 2)] ?? 0;
  const out: SyntheticCopy[] = [];
  for (let i = 0; i < options.rows; i += 1) {
    const index = Math.floor(random() * source.length);
    let record = noisy(source[index] as BankRecord, random);
    for (const scenario of scenarios) record = drift(record, scenario, random, median);
    out.push({ record, source: index });
  }
  return out;
}

/** Shares of each category in a column, for reports and tests. */
export function shares(records: readonly BankRecord[], column: CategoryColumn): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r[column]] = (counts[r[column]] ?? 0) + 1;
  for (const key of Object.keys(counts)) counts[key] = (counts[key] ?? 0) / records.length;
  return counts;
}
