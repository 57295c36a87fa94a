import { describe, expect, it } from 'vitest';
import { decide, type TriggerState } from '../../consumers/retrain-trigger/decide.js';

const idle = (): TriggerState => ({ pending: undefined, cooldownUntil: 0 });
const evidence = (about: string | undefined, now = 1_000) => ({
  kind: 'evidence' as const,
  type: 'drift.detected' as const,
  now,
  eventTime: now - 10,
  maxAgeMs: 660_000,
  ...(about === undefined ? {} : { about }),
  serving: new Set(['7']),
});

describe('the retrain trigger decision', () => {
  it('asks for a retraining past the row threshold, and not before', () => {
    expect(decide(idle(), { kind: 'rows', rowsSinceChampion: 3_000, threshold: 3_000 }).request).toBe(true);
    expect(decide(idle(), { kind: 'rows', rowsSinceChampion: 2_999, threshold: 3_000 })).toEqual({
      request: false,
      reason: "2999 of 3000 rows since the champion's snapshot",
    });
  });

  it('acts on evidence about a serving version, never on a retired one', () => {
    expect(decide(idle(), evidence('7'))).toEqual({
      request: true,
      reason: 'drift.detected about v7 at 1970-01-01T00:00:00.990Z',
    });
    expect(decide(idle(), evidence(undefined)).request).toBe(true);
    expect(decide(idle(), evidence('6'))).toEqual({
      request: false,
      reason: 'drift.detected is about v6, which no longer serves',
    });
  });

  it('ignores stale evidence (a restarted trigger reads old events from its committed offset)', () => {
    const old = { ...evidence('7', 1_000_000), eventTime: 1_000_000 - 660_001 };
    expect(decide(idle(), old)).toEqual({
      request: false,
      reason: 'drift.detected is 660 s old (stale after 660 s)',
    });
    expect(decide(idle(), { ...old, eventTime: 1_000_000 - 660_000 }).request).toBe(true);
  });

  it('keeps quiet within the cooldown and while a retraining runs', () => {
    expect(decide({ pending: undefined, cooldownUntil: 5_000 }, evidence('7', 4_999)).request).toBe(false);
    expect(decide({ pending: undefined, cooldownUntil: 5_000 }, evidence('7', 5_000)).request).toBe(true);
    expect(decide({ pending: 'retrain-1', cooldownUntil: 0 }, evidence('7')).reason).toBe(
      'retraining retrain-1 is still running',
    );
  });
});
