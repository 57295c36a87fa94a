import { createHash } from 'node:crypto';
import { BankopsError } from '../errors/index.js';
import { checkFraction, mulberry32, shuffle, type Split } from './split.js';

/**
 * Group-aware splits. A group is everything that is one customer: the customer key where one is known,
 * otherwise the record itself; a synthetic or simulated record carries the key of the real record it
 * copies. Splitting by group keeps a record and its copies on the same side, so no test row has a twin
 * in training.
 */

/** Row indices per group, in order of each group's first row (so the order is deterministic). */
function rowsByGroup(groups: ArrayLike<string>, indices: readonly number[]): number[][] {
  const byGroup = new Map<string, number[]>();
  for (const i of indices) {
    const key = groups[i] as string;
    const rows = byGroup.get(key);
    if (rows === undefined) byGroup.set(key, [i]);
    else rows.push(i);
  }
  return [...byGroup.values()];
}

const ascending = (a: number, b: number): number => a - b;

/**
 * Random split of whole groups, stratified by label: a group counts as positive when any of its rows is.
 * Per class (negatives first) the groups are shuffled with mulberry32(seed) and taken into the test part
 * until it holds round(rows of the class × fraction) rows. With one row per group this is exactly
 * `stratifiedSplit` (same seed, same rows).
 */
export function groupStratifiedSplit(
  labels: ArrayLike<number>,
  groups: ArrayLike<string>,
  testFraction: number,
  seed: number,
  indices: readonly number[] = Array.from({ length: labels.length }, (_, i) => i),
): Split {
  checkFraction(testFraction, 'testFraction');
  const byClass = new Map<number, number[][]>();
  for (const rows of rowsByGroup(groups, indices)) {
    const label = rows.some((i) => labels[i] === 1) ? 1 : 0;
    const list = byClass.get(label);
    if (list === undefined) byClass.set(label, [rows]);
    else list.push(rows);
  }
  const random = mulberry32(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort(ascending)) {
    const list = byClass.get(label) as number[][];
    shuffle(list, random);
    const size = list.reduce((n, rows) => n + rows.length, 0);
    const cut = Math.round(size * testFraction);
    let taken = 0;
    for (const rows of list) {
      if (taken < cut) {
        test.push(...rows);
        taken += rows.length;
      } else train.push(...rows);
    }
  }
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

export interface GroupTimeSplit extends Split {
  /** Older rows of a group that has rows in the test part: in neither part. */
  leftOut: number[];
}

/**
 * Out-of-time split: the newest ceil(n × fraction) rows of `pool` (by event time, ties by index) are
 * the test part; every other row of `indices` is training unless its group has a row in the test part
 * (then it is left out: its copy is being tested) or it is no older than the oldest test row.
 */
export function groupTimeSplit(
  eventTimes: ArrayLike<number>,
  groups: ArrayLike<string>,
  testFraction: number,
  indices: readonly number[] = Array.from({ length: eventTimes.length }, (_, i) => i),
  pool: readonly number[] = indices,
): GroupTimeSplit {
  checkFraction(testFraction, 'testFraction');
  for (const i of pool) {
    if (!Number.isFinite(eventTimes[i])) {
      throw new BankopsError('DATA_INVALID', `event time of row ${i} is not a finite number`);
    }
  }
  const order = [...pool].sort((a, b) => (eventTimes[a] as number) - (eventTimes[b] as number) || a - b);
  const test = order.slice(order.length - Math.ceil(order.length * testFraction));
  const closed = closeOverGroups(groups, indices, test);
  // Out of time means nothing from the test period is learned from, not even rows outside the pool.
  const cutoff = test.length === 0 ? Infinity : (eventTimes[test[0] as number] as number);
  const later = closed.train.filter((i) => (eventTimes[i] as number) >= cutoff);
  if (later.length === 0) return closed;
  const dropped = new Set(later);
  return {
    train: closed.train.filter((i) => !dropped.has(i)),
    test: closed.test,
    leftOut: [...closed.leftOut, ...later].sort(ascending),
  };
}

/** `test` as given; the rest of `indices` is training, except rows of a test group (left out). */
export function closeOverGroups(
  groups: ArrayLike<string>,
  indices: readonly number[],
  test: readonly number[],
): GroupTimeSplit {
  const inTest = new Set(test);
  const testGroups = new Set(test.map((i) => groups[i] as string));
  const train: number[] = [];
  const leftOut: number[] = [];
  for (const i of indices) {
    if (inTest.has(i)) continue;
    if (testGroups.has(groups[i] as string)) leftOut.push(i);
    else train.push(i);
  }
  return { train: train.sort(ascending), test: [...test].sort(ascending), leftOut: leftOut.sort(ascending) };
}

/**
 * A stable share of customers set aside for simulated clients: a group is reserved when the first four
 * bytes of sha256(key) fall below share × 2^32. The same key is reserved on every machine and in every
 * run, so records no model trained on stay that way as the lake grows.
 */
export function isReserved(groupKey: string, share: number): boolean {
  if (share <= 0) return false;
  return createHash('sha256').update(groupKey).digest().readUInt32BE(0) < share * 2 ** 32;
}
