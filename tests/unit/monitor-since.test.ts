import { describe, expect, it } from 'vitest';
import { parseSince } from '../../src/cli/commands/monitor.js';

describe('bankops monitor --since', () => {
  it('takes `now` or an ISO 8601 time', () => {
    const before = Date.now();
    expect(parseSince('now')).toBeGreaterThanOrEqual(before);
    expect(parseSince('2026-11-27T09:00:00Z')).toBe(Date.UTC(2026, 10, 27, 9));
  });

  it('refuses anything else with a usage error that shows an example', () => {
    for (const bad of ['yesterday', '1795752841648', '2026-13-45T99:00:00Z', ''])
      expect(() => parseSince(bad)).toThrow(
        expect.objectContaining({ code: 'USAGE', hint: expect.stringMatching(/--since now/) }),
      );
  });
});
