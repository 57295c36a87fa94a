import { describe, expect, it } from 'vitest';
import { AFTERWARDS, LIFECYCLE } from '../../src/cli/demo/run.js';

describe('the demo steps', () => {
  const steps = [...LIFECYCLE, ...AFTERWARDS];

  it('are numbered 1 to 16 in the order the end-to-end test reads their headings', () => {
    const headings = steps.map((s, i) => `${i + 1}. ${s.title}`);
    const expected = [
      '1. the local stack',
      '2. topics',
      '3. the lake writer',
      '4. the UCI',
      '5. a synthetic batch',
      '6. Iceberg snapshots',
      '7. the EDA report',
      '8. train',
      '9. register',
      '10. serve',
      '11. simulate clients',
      '12. clients drift',
      '13. the chain',
      '14. alerts',
      '15. the stakeholder report',
      '16. lineage',
    ];
    expect(headings).toHaveLength(expected.length);
    headings.forEach((heading, i) => expect(heading.startsWith(expected[i] ?? '')).toBe(true));
  });

  it('have distinct names', () => {
    expect(new Set(steps.map((s) => s.name)).size).toBe(steps.length);
  });
});
