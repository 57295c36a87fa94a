import { describe, expect, it } from 'vitest';
import { decide, type TriggerState } from '../../consumers/retrain-trigger/decide.js';

const idle = (): TriggerState => ({ pending: undefined, cooldownUntil: 0, waiting: undefined });
const evidence = (about: string | undefined, now = 1_000, labelled = 600) => ({
  kind: 'evidence' as const,
  type: 'drift.detected' as const,
  now,
  eventTime: now - 10,
  maxAgeMs: 660_000,
  ...(about === undefined ? {} : { about }),
  serving: new Set(['7']),
  labelled,
  minLabels: 500,
  since: 0,
});

describe('the retrain trigger decision', () => {
  it('asks for a retraining once the rows new since the last training pass the threshold', () => {
    expect(decide(idle(), { kind: 'rows', newRows: 3_000, threshold: 3_000 }).action).toBe('request');
    expect(decide(idle(), { kind: 'rows', newRows: 2_999, threshold: 3_000 })).toEqual({
      action: 'ignore',
      reason: '2999 of 3000 new rows since the last training',
    });
  });

  it('acts on evidence about a serving version, never on a retired one', () => {
    expect(decide(idle(), evidence('7'))).toEqual({
      action: 'request',
      reason:
        'drift.detected about v7 at 1970-01-01T00:00:00.990Z; 600 labelled predictions since 1970-01-01T00:00:00.000Z (needed 500)',
    });
    expect(decide(idle(), evidence(undefined)).action).toBe('request');
    expect(decide(idle(), evidence('6'))).toEqual({
      action: 'ignore',
      reason: 'drift.detected is about v6, which no longer serves',
    });
  });

  it('waits for enough labelled predictions of the drifted period, then asks', () => {
    const early = decide(idle(), evidence('7', 1_000, 120));
    expect(early.action).toBe('wait');
    expect(early.reason).toContain('120 of 500 labelled predictions');
    const state: TriggerState = {
      ...idle(),
      waiting: { type: 'drift.detected', about: '7', eventTime: 990, since: 0, payload: {} },
    };
    expect(decide(state, { kind: 'labels', labelled: 499, minLabels: 500 }).action).toBe('wait');
    const now = decide(state, { kind: 'labels', labelled: 500, minLabels: 500 });
    expect(now.action).toBe('request');
    expect(now.reason).toContain('drift.detected about v7');
    expect(decide(idle(), { kind: 'labels', labelled: 900, minLabels: 500 }).action).toBe('ignore');
  });

  it('ignores stale evidence (a restarted trigger reads old events from its committed offset)', () => {
    const old = { ...evidence('7', 1_000_000), eventTime: 1_000_000 - 660_001 };
    expect(decide(idle(), old)).toEqual({
      action: 'ignore',
      reason: 'drift.detected is 660 s old (stale after 660 s)',
    });
    expect(decide(idle(), { ...old, eventTime: 1_000_000 - 660_000 }).action).toBe('request');
  });

  it('keeps quiet within the cooldown and while a retraining runs', () => {
    const cooling = { ...idle(), cooldownUntil: 5_000 };
    expect(decide(cooling, evidence('7', 4_999)).action).toBe('ignore');
    expect(decide(cooling, evidence('7', 5_000)).action).toBe('request');
    expect(decide({ ...idle(), pending: 'retrain-1' }, evidence('7')).reason).toBe(
      'retraining retrain-1 is still running',
    );
  });
});
