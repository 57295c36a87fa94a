import { describe, expect, it } from 'vitest';
import type { GroundTruth, Prediction } from '../../src/kafka/generated/types.js';
import { MonitorIntake, type IntakeRecord } from '../../src/monitoring/intake.js';
import { Monitor } from '../../src/monitoring/monitor.js';

const MIN = 60_000;
type Message = { id: string };

const prediction = (id: string, time: number, version = '1'): IntakeRecord<Message> => ({
  kind: 'prediction',
  message: { id: `p-${id}` },
  value: {
    prediction_id: id,
    event_time: time,
    model_name: 'bank-marketing',
    model_version: version,
    variant: 'champion',
    customer_key: null,
    features_json: '{}',
    probability: 0.6,
    decision: true,
    threshold: 0.5,
    latency_ms: 1,
    route: '/v1/predict',
    shadow_of: null,
  } satisfies Prediction,
});

const label = (id: string, time: number, tag = ''): IntakeRecord<Message> => ({
  kind: 'label',
  message: { id: `l-${id}${tag}` },
  value: { prediction_id: id, event_time: time, outcome: true, source: 'test' } satisfies GroundTruth,
});

function intake(keep?: (m: Message) => Message) {
  const monitor = new Monitor({ join: { horizonMs: 60 * MIN, orphanGraceMs: 5 * MIN } });
  return new MonitorIntake<Message>(monitor, keep);
}

describe('MonitorIntake', () => {
  it('joins a label that follows its prediction: nothing waits, nothing is dead-lettered', () => {
    const i = intake();
    const result = i.feed([prediction('a', 0), label('a', MIN)], false);
    expect(result.deadLetters).toEqual([]);
    expect(i.waitingLabels).toBe(0);
  });

  it('holds the message (a copy) of a label that arrives before its prediction until it joins', () => {
    const kept: string[] = [];
    const i = intake((m) => {
      kept.push(m.id);
      return { ...m };
    });
    expect(i.feed([label('b', MIN)], false).deadLetters).toEqual([]);
    expect(i.waitingLabels).toBe(1);
    expect(kept).toEqual(['l-b']);
    i.feed([prediction('b', 0)], false);
    expect(i.waitingLabels).toBe(0);
  });

  it('dead-letters a repeated label with its own message and LABEL_DUPLICATE', () => {
    const i = intake();
    const { deadLetters } = i.feed(
      [prediction('c', 0), label('c', MIN), label('c', 2 * MIN, '-again')],
      false,
    );
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ message: { id: 'l-c-again' }, code: 'LABEL_DUPLICATE' });
    expect(deadLetters[0]?.reason).toBeTruthy();
  });

  it('dead-letters a waiting label with its kept message once its prediction never came', () => {
    const i = intake();
    i.feed([label('ghost', MIN)], false);
    const { deadLetters } = i.feed([prediction('later', 30 * MIN)], false);
    expect(deadLetters).toEqual([
      expect.objectContaining({ message: { id: 'l-ghost' }, code: 'LABEL_UNKNOWN_PREDICTION' }),
    ]);
    expect(i.waitingLabels).toBe(0);
  });

  it('returns no dead letters for replayed records (the first run sent them)', () => {
    const i = intake();
    const { deadLetters } = i.feed([prediction('d', 0), label('d', MIN), label('d', 2 * MIN)], true);
    expect(deadLetters).toEqual([]);
  });

  it('names each served version once per run of records, in order', () => {
    const i = intake();
    const { versions } = i.feed(
      [prediction('e', 0, '1'), prediction('f', 1, '1'), prediction('g', 2, '2'), label('e', 3)],
      false,
    );
    expect(versions).toEqual([
      { model: 'bank-marketing', version: '1' },
      { model: 'bank-marketing', version: '2' },
    ]);
  });
});
