import { BankopsError } from '../errors/index.js';
import { closeOverGroups, groupStratifiedSplit, groupTimeSplit } from './groups.js';
import type { TrainingOptions } from './options.js';
import { pick } from './split.js';

/** Row indices of every part of a training set, each ascending; a group is in one part only. */
export interface TrainingParts {
  /** Rows the booster is fitted on. */
  fit: number[];
  /** Early stopping, threshold choice and model selection. */
  validation: number[];
  /** Never used before the final report; the promoter's holdout. */
  test: number[];
  /** Rows of a test group outside the test part: in no part, so a copy is never trained on. */
  leftOut: number[];
}

interface SplitInput {
  labels: ArrayLike<number>;
  groups: ArrayLike<string>;
  eventTimes?: ArrayLike<number>;
  options: Pick<TrainingOptions, 'split' | 'testFraction' | 'validationFraction' | 'seed'>;
}

function needTimes(input: SplitInput): ArrayLike<number> {
  if (input.eventTimes?.length !== input.labels.length) {
    throw new BankopsError('USAGE', `split "time" needs one event time per row (${input.labels.length})`, {
      hint: 'Pass eventTimes, or use split "stratified".',
    });
  }
  return input.eventTimes;
}

/** Carves validation out of `train`, group-aware, the way `options.split` says. */
export function carveParts(
  input: SplitInput,
  train: readonly number[],
  test: readonly number[],
  leftOut: readonly number[],
): TrainingParts {
  const { options } = input;
  let fit: number[];
  let validation: number[];
  let innerLeftOut: number[] = [];
  if (options.split === 'time') {
    const inner = groupTimeSplit(needTimes(input), input.groups, options.validationFraction, train);
    fit = inner.train;
    validation = inner.test;
    innerLeftOut = inner.leftOut;
  } else {
    const inner = groupStratifiedSplit(
      input.labels,
      input.groups,
      options.validationFraction,
      options.seed,
      train,
    );
    fit = inner.train;
    validation = inner.test;
  }
  const ascending = (a: number, b: number) => a - b;
  return {
    fit,
    validation,
    test: [...test].sort(ascending),
    leftOut: [...leftOut, ...innerLeftOut].sort(ascending),
  };
}

/**
 * The split when nobody decided one: `stratified` (whole groups at random, by label; the workshop's
 * 70/30 with seed 42 when every row is its own group) or `time` (the newest rows; older rows of their
 * groups left out).
 */
export function splitParts(input: SplitInput): TrainingParts {
  const all = Array.from({ length: input.labels.length }, (_, i) => i);
  if (input.options.split === 'time') {
    const outer = groupTimeSplit(needTimes(input), input.groups, input.options.testFraction, all);
    return carveParts(input, outer.train, outer.test, outer.leftOut);
  }
  const outer = groupStratifiedSplit(
    input.labels,
    input.groups,
    input.options.testFraction,
    input.options.seed,
  );
  return carveParts(input, outer.train, outer.test, []);
}

/** What a model's training-set record says it saw (see src/pipeline/training-record.ts). */
export interface SeenByChampion {
  version: string;
  /** Every row id of its training set, in any part. */
  ids: ReadonlySet<string>;
  /** Its test part's row ids. */
  testIds: ReadonlySet<string>;
  /** The groups of its fit and validation parts: what it learned from. */
  seenGroups: ReadonlySet<string>;
  /** Its parts' row ids, when recorded: the same data again is split the same way. */
  parts?: Record<keyof TrainingParts, ReadonlySet<string>>;
}

export interface HoldoutPlanInput extends SplitInput {
  ids: ArrayLike<string>;
  eventTimes: ArrayLike<number>;
  champion?: SeenByChampion;
  /** Fewer rows than this (or one class only) is not a holdout to decide on. */
  minRows: number;
}

export type HoldoutKind = 'initial' | 'new-rows' | 'champion-holdout' | 'unseen-rows' | 'none';

export interface HoldoutPlan extends TrainingParts {
  kind: HoldoutKind;
  /** The holdout in words, for MLflow, the events and the report. */
  description: string;
}

function sufficient(labels: ArrayLike<number>, rows: readonly number[], minRows: number): boolean {
  if (rows.length < minRows) return false;
  const positives = rows.reduce((n, i) => n + (labels[i] === 1 ? 1 : 0), 0);
  return positives > 0 && positives < rows.length;
}

/**
 * Which rows a new model is tested (and later compared with the champion) on, and which it may learn
 * from. Without a champion: the usual split. With one, the holdout must be rows neither model trains on:
 * 1. `new-rows`: the newest testFraction (out of time) of the rows that are new since the champion's
 *    training (not in its training set) and whose customers it never saw;
 * 2. `champion-holdout`: too few new rows: the champion's own test rows (so the same data twice gives
 *    the same split, the same model, and a difference of exactly zero);
 * 3. `unseen-rows`: the newest testFraction of any rows whose customers the champion never saw;
 * 4. `none`: no honest holdout exists; the model is tested on the usual split and the promoter refuses.
 * Rows of a test group outside the test part are left out of training.
 */
export function planHoldout(input: HoldoutPlanInput): HoldoutPlan {
  const { champion, labels, groups, ids, eventTimes, options, minRows } = input;
  const all = Array.from({ length: labels.length }, (_, i) => i);
  const pct = `${Math.round(options.testFraction * 100)} %`;
  if (champion === undefined) {
    return {
      ...splitParts(input),
      kind: 'initial',
      description: `${options.split} split, ${pct} of ${all.length} rows (no champion yet)`,
    };
  }
  const unseen = all.filter((i) => !champion.seenGroups.has(groups[i] as string));
  const fresh = unseen.filter((i) => !champion.ids.has(ids[i] as string));
  const outOfTime = (pool: number[]) => groupTimeSplit(eventTimes, groups, options.testFraction, all, pool);
  if (fresh.length > 0) {
    const split = outOfTime(fresh);
    if (sufficient(labels, split.test, minRows)) {
      return {
        ...carveParts(input, split.train, split.test, split.leftOut),
        kind: 'new-rows',
        description: `the newest ${pct} of the ${fresh.length} rows new since champion v${champion.version}'s training (out of time)`,
      };
    }
  }
  const theirs = unseen.filter((i) => champion.testIds.has(ids[i] as string));
  if (sufficient(labels, theirs, minRows) && champion.parts) {
    // Nothing (or too little) is new: split as the champion was, so the same rows give the same model.
    const parts = reuseParts(champion.parts, ids, groups, all);
    return {
      ...parts,
      kind: 'champion-holdout',
      description: `champion v${champion.version}'s own test rows (${fresh.length} new rows are too few to decide on)`,
    };
  }
  if (sufficient(labels, theirs, minRows)) {
    const split = closeOverGroups(groups, all, theirs);
    return {
      ...carveParts(input, split.train, split.test, split.leftOut),
      kind: 'champion-holdout',
      description: `champion v${champion.version}'s own test rows (${fresh.length} new rows are too few to decide on)`,
    };
  }
  if (unseen.length > 0) {
    const split = outOfTime(unseen);
    if (sufficient(labels, split.test, minRows)) {
      return {
        ...carveParts(input, split.train, split.test, split.leftOut),
        kind: 'unseen-rows',
        description: `the newest ${pct} of the ${unseen.length} rows whose customers champion v${champion.version} never saw`,
      };
    }
  }
  return {
    ...splitParts(input),
    kind: 'none',
    description: `no ${minRows} rows that champion v${champion.version} never saw: tested on a ${options.split} split only`,
  };
}

/** Each row in the part the champion had it in; a row it did not have is fitted on (or left out, if tested). */
function reuseParts(
  parts: Record<keyof TrainingParts, ReadonlySet<string>>,
  ids: ArrayLike<string>,
  groups: ArrayLike<string>,
  all: readonly number[],
): TrainingParts {
  const out: TrainingParts = { fit: [], validation: [], test: [], leftOut: [] };
  const newRows: number[] = [];
  for (const i of all) {
    const id = ids[i] as string;
    const part = (['test', 'validation', 'fit', 'leftOut'] as const).find((name) => parts[name].has(id));
    if (part === undefined) newRows.push(i);
    else out[part].push(i);
  }
  const testGroups = new Set(out.test.map((i) => groups[i] as string));
  for (const i of newRows) (testGroups.has(groups[i] as string) ? out.leftOut : out.fit).push(i);
  const ascending = (a: number, b: number) => a - b;
  for (const part of Object.values(out)) part.sort(ascending);
  return out;
}

/** The ids of a part, for the training-set record. */
export function idsOf(ids: ArrayLike<string>, part: readonly number[]): string[] {
  return pick(ids, part);
}
