import { describe, expect, it } from 'vitest';
import { parseBankCsv } from '../../src/bank/csv.js';
import { checkRecord } from '../../src/bank/validate.js';
import { readBundledDataset } from '../../src/data/index.js';
import { parseScenario, parseScenarios, shares, synthesize } from '../../producers/synthetic.js';

// every 9th row: the file is in time order and its first months all have contact "unknown"
const source = parseBankCsv((await readBundledDataset()).toString('utf8')).filter((_, i) => i % 9 === 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('synthetic customers', () => {
  it('are deterministic for a seed and stay inside every column domain', () => {
    const a = synthesize(source, { rows: 2_000, seed: 7, scenario: 'none' });
    const b = synthesize(source, { rows: 2_000, seed: 7, scenario: 'none' });
    expect(a).toEqual(b);
    expect(synthesize(source, { rows: 50, seed: 8, scenario: 'none' })).not.toEqual(a.slice(0, 50));
    for (const scenario of ['none', 'older', 'telephone', 'recession', 'concept'] as const) {
      for (const r of synthesize(source, { rows: 2_000, seed: 1, scenario }))
        expect(checkRecord(r)).toBeUndefined();
    }
  });

  it('keep the numeric columns within ±10 % of the source when not drifted', () => {
    const out = synthesize(source, { rows: 5_000, seed: 3, scenario: 'none' });
    expect(Math.abs(mean(out.map((r) => r.age)) / mean(source.map((r) => r.age)) - 1)).toBeLessThan(0.05);
  });

  it('shift the distributions their scenario names', () => {
    const base = synthesize(source, { rows: 5_000, seed: 3, scenario: 'none' });
    const older = synthesize(source, { rows: 5_000, seed: 3, scenario: 'older' });
    expect(mean(older.map((r) => r.age)) - mean(base.map((r) => r.age))).toBeGreaterThan(10);
    const phone = synthesize(source, { rows: 5_000, seed: 3, scenario: 'telephone' });
    expect(shares(phone, 'contact')['telephone'] ?? 0).toBeGreaterThan(
      (shares(base, 'contact')['telephone'] ?? 0) + 0.2,
    );
    const recession = synthesize(source, { rows: 5_000, seed: 3, scenario: 'recession' });
    expect(mean(recession.map((r) => r.balance))).toBeLessThan(mean(base.map((r) => r.balance)) * 0.6);
  });

  it('change who subscribes under concept drift', () => {
    const concept = synthesize(source, { rows: 5_000, seed: 3, scenario: 'concept' });
    const rate = (rows: typeof concept, pick: (r: (typeof concept)[number]) => boolean) => {
      const group = rows.filter(pick);
      return group.filter((r) => r.y === 'yes').length / group.length;
    };
    expect(rate(concept, (r) => r.housing === 'no' && r.balance > 1_000)).toBeGreaterThan(0.5);
    expect(rate(concept, (r) => r.housing === 'yes')).toBeLessThan(0.05);
  });

  it('combine scenarios in order: the features and the concept move together', () => {
    expect(parseScenarios('telephone,concept')).toEqual(['telephone', 'concept']);
    expect(parseScenarios('telephone+concept')).toEqual(['telephone', 'concept']);
    const both = synthesize(source, { rows: 5_000, seed: 3, scenario: ['telephone', 'concept'] });
    const base = synthesize(source, { rows: 5_000, seed: 3, scenario: 'none' });
    expect(shares(both, 'contact')['telephone'] ?? 0).toBeGreaterThan(
      (shares(base, 'contact')['telephone'] ?? 0) + 0.3,
    );
    const likely = both.filter((r) => r.housing === 'no' && r.balance > 1_000);
    expect(likely.filter((r) => r.y === 'yes').length / likely.length).toBeGreaterThan(0.5);
    expect(() => parseScenarios('telephone,')).toThrow(/not a list of drift scenarios/);
    expect(() => parseScenarios('older,older')).toThrow(/named twice/);
    expect(() => parseScenarios('older,bogus')).toThrow(/unknown drift scenario "bogus"/);
  });

  it('refuse an unknown scenario and an empty source', () => {
    expect(() => parseScenario('bogus')).toThrow(/unknown drift scenario "bogus"/);
    expect(() => synthesize([], { rows: 1, seed: 1, scenario: 'none' })).toThrow(
      /no customers to bootstrap from/,
    );
  });
});
