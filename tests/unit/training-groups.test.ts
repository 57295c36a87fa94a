import { describe, expect, it } from 'vitest';
import {
  groupStratifiedSplit,
  groupTimeSplit,
  isReserved,
  mulberry32,
  planHoldout,
  splitParts,
  stratifiedSplit,
  type TrainingParts,
} from '../../src/training/index.js';

/**
 * A lake in miniature: real records (their own group) and bootstraps of them (synthetic batches,
 * simulated clients) that carry the key of the record they copy.
 */
function population(seed: number, records: number, copies: number) {
  const random = mulberry32(seed);
  const ids: string[] = [];
  const groups: string[] = [];
  const labels: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < records; i += 1) {
    ids.push(`r${i}`);
    groups.push(`r${i}`);
    labels.push(random() < 0.12 ? 1 : 0);
    times.push(i);
  }
  for (let k = 0; k < copies; k += 1) {
    const source = Math.floor(random() * records);
    ids.push(`c${k}`);
    groups.push(`r${source}`);
    labels.push(random() < 0.3 ? 1 : 0);
    times.push(records + Math.floor(random() * records));
  }
  return { ids, groups, labels, times };
}

function expectNoStraddle(
  groups: readonly string[],
  parts: Pick<TrainingParts, 'fit' | 'validation' | 'test'>,
) {
  const side = new Map<string, string>();
  const { fit, validation, test } = parts;
  for (const [name, rows] of Object.entries({ fit, validation, test })) {
    for (const i of rows) {
      const key = groups[i] as string;
      const seen = side.get(key);
      if (seen !== undefined && seen !== name) {
        throw new Error(`group ${key} is in ${seen} and ${name}`);
      }
      side.set(key, name);
    }
  }
}

describe('group-aware splits', () => {
  it('keeps a record and its bootstraps on one side, for any seed and split (property)', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const { groups, labels, times } = population(seed, 400, 300);
      for (const split of ['stratified', 'time'] as const) {
        const parts = splitParts({
          labels,
          groups,
          eventTimes: times,
          options: { split, testFraction: 0.3, validationFraction: 0.2, seed },
        });
        expectNoStraddle(groups, parts);
        const all = [...parts.fit, ...parts.validation, ...parts.test, ...parts.leftOut].sort(
          (a, b) => a - b,
        );
        expect(all).toEqual(Array.from({ length: labels.length }, (_, i) => i));
      }
    }
  });

  it('is the workshop split when every row is its own group', () => {
    const random = mulberry32(3);
    const labels = Array.from({ length: 1_000 }, () => (random() < 0.12 ? 1 : 0));
    const groups = labels.map((_, i) => String(i));
    expect(groupStratifiedSplit(labels, groups, 0.3, 42)).toEqual(stratifiedSplit(labels, 0.3, 42));
  });

  it('tests the newest rows out of time and leaves their older copies out of training', () => {
    const groups = ['a', 'b', 'a', 'c', 'd'];
    const split = groupTimeSplit([1, 2, 3, 4, 5], groups, 0.4);
    expect(split.test).toEqual([3, 4]);
    expect(split.train).toEqual([0, 1, 2]);
    expect(split.leftOut).toEqual([]);
    const copies = groupTimeSplit([1, 2, 3, 4, 5], ['a', 'b', 'c', 'd', 'a'], 0.2);
    expect(copies.test).toEqual([4]);
    expect(copies.leftOut).toEqual([0]);
    expect(copies.train).toEqual([1, 2, 3]);
  });

  it('reserves a stable share of customers', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `customer-${i}`);
    const reserved = keys.filter((k) => isReserved(k, 0.1));
    expect(reserved.length / keys.length).toBeGreaterThan(0.09);
    expect(reserved.length / keys.length).toBeLessThan(0.11);
    expect(keys.filter((k) => isReserved(k, 0.1))).toEqual(reserved);
    expect(keys.some((k) => isReserved(k, 0))).toBe(false);
  });
});

describe('the holdout against a champion', () => {
  const options = { split: 'stratified' as const, testFraction: 0.3, validationFraction: 0.2, seed: 42 };

  function champion(ids: readonly string[], groups: readonly string[], parts: TrainingParts) {
    const all = [...parts.fit, ...parts.validation, ...parts.test, ...parts.leftOut];
    const idSet = (rows: number[]) => new Set(rows.map((i) => ids[i] as string));
    return {
      version: '1',
      ids: idSet(all),
      testIds: idSet(parts.test),
      seenGroups: new Set([...parts.fit, ...parts.validation].map((i) => groups[i] as string)),
      parts: {
        fit: idSet(parts.fit),
        validation: idSet(parts.validation),
        test: idSet(parts.test),
        leftOut: idSet(parts.leftOut),
      },
    };
  }

  it('holds out the newest new rows whose customers neither model saw (property)', () => {
    for (let seed = 1; seed <= 25; seed += 1) {
      const first = population(seed, 500, 0);
      const before = planHoldout({ ...first, eventTimes: first.times, options, minRows: 20 });
      expect(before.kind).toBe('initial');
      const seen = champion(first.ids, first.groups, before);
      const now = population(seed, 500, 400); // the same records, and copies of them that arrived since
      const plan = planHoldout({ ...now, eventTimes: now.times, options, minRows: 20, champion: seen });
      expectNoStraddle(now.groups, plan);
      for (const i of plan.test) {
        expect(seen.seenGroups.has(now.groups[i] as string)).toBe(false);
        expect(seen.ids.has(now.ids[i] as string)).toBe(false);
      }
      if (plan.kind === 'new-rows') {
        const cutoff = Math.min(...plan.test.map((i) => now.times[i] as number));
        // nothing from the test period is learned from (copies of what the champion saw included)
        for (const i of [...plan.fit, ...plan.validation]) expect(now.times[i]).toBeLessThan(cutoff);
      }
    }
  });

  it('reuses the champion’s own holdout when nothing is new: the same data gives the same split', () => {
    const data = population(9, 2_000, 0);
    const first = planHoldout({ ...data, eventTimes: data.times, options, minRows: 50 });
    const again = planHoldout({
      ...data,
      eventTimes: data.times,
      options,
      minRows: 50,
      champion: champion(data.ids, data.groups, first),
    });
    expect(again.kind).toBe('champion-holdout');
    expect(again.test).toEqual(first.test);
    expect(again.fit).toEqual(first.fit);
    expect(again.validation).toEqual(first.validation);
  });
});
