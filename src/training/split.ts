import { BankopsError } from '../errors/index.js';

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): tiny, fast and fully determined by its seed, so a split
 * is reproducible across machines and Node versions (Math.random cannot be seeded). Returns [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row indices of the two parts, each ascending. */
export interface Split {
  train: number[];
  test: number[];
}

export function checkFraction(fraction: number, what: string): void {
  if (!(fraction > 0 && fraction < 1)) {
    throw new BankopsError('USAGE', `${what} must be between 0 and 1 (exclusive), got ${fraction}`);
  }
}

/** Fisher–Yates in place, driven by `random`. */
export function shuffle<T>(values: T[], random: () => number): void {
  for (let i = values.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = values[i] as T;
    values[i] = values[j] as T;
    values[j] = a;
  }
}

/**
 * Random split keeping each label's share in both parts: per label (in ascending label order) the rows
 * are shuffled (Fisher–Yates driven by mulberry32(seed)) and round(n × testFraction) of them go to test.
 * Same labels, fraction and seed → same split.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testFraction: number, seed: number): Split {
  checkFraction(testFraction, 'testFraction');
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i += 1) {
    const label = labels[i] as number;
    const rows = byLabel.get(label);
    if (rows === undefined) byLabel.set(label, [i]);
    else rows.push(i);
  }
  const random = mulberry32(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const rows = byLabel.get(label) as number[];
    shuffle(rows, random);
    const cut = Math.round(rows.length * testFraction);
    test.push(...rows.slice(0, cut));
    train.push(...rows.slice(cut));
  }
  const ascending = (a: number, b: number): number => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

/**
 * Out-of-time split: the latest ceil(n × testFraction) rows by event time are the test part, the rest
 * train (ties in time are ordered by row index, so the split is deterministic). This is the honest
 * estimate for a model that scores tomorrow's customers.
 */
export function timeOrderedSplit(eventTimes: ArrayLike<number>, testFraction: number): Split {
  checkFraction(testFraction, 'testFraction');
  const order = Array.from({ length: eventTimes.length }, (_, i) => i);
  for (const i of order) {
    if (!Number.isFinite(eventTimes[i])) {
      throw new BankopsError('DATA_INVALID', `event time of row ${i} is not a finite number`);
    }
  }
  order.sort((a, b) => (eventTimes[a] as number) - (eventTimes[b] as number) || a - b);
  const cut = order.length - Math.ceil(order.length * testFraction);
  const ascending = (a: number, b: number): number => a - b;
  return { train: order.slice(0, cut).sort(ascending), test: order.slice(cut).sort(ascending) };
}

/** Picks `values[i]` for each index. */
export function pick<T>(values: ArrayLike<T>, indices: readonly number[]): T[] {
  return indices.map((i) => values[i] as T);
}

export interface ValidationSplit {
  /** Rows the booster is fitted on. */
  fit: number[];
  /** Rows for early stopping, threshold choice and model selection. */
  validation: number[];
}

/**
 * Carves a validation part out of the training rows `train` (indices into `labels`), the same way the
 * test part was cut: stratified with the seed, or the latest rows when `eventTimes` is given.
 */
export function carveValidation(
  train: readonly number[],
  options: { labels: ArrayLike<number>; fraction?: number; seed: number; eventTimes?: ArrayLike<number> },
): ValidationSplit {
  const fraction = options.fraction ?? 0.2;
  const inner =
    options.eventTimes === undefined
      ? stratifiedSplit(pick(options.labels, train), fraction, options.seed)
      : timeOrderedSplit(pick(options.eventTimes, train), fraction);
  return { fit: pick(train, inner.train), validation: pick(train, inner.test) };
}
