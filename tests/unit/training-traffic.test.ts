import { describe, expect, it } from 'vitest';
import { TYPICAL_CUSTOMER } from '../../src/bank/sample.js';
import type { LabelledPrediction } from '../../src/lake/traffic.js';
import { parseSources, trafficRecord } from '../../src/pipeline/training-set.js';

const served = (features: unknown, outcome = true): LabelledPrediction => ({
  prediction_id: 'p-1',
  event_time: new Date(0),
  model_version: '1',
  variant: 'champion',
  customer_key: null,
  features_json: typeof features === 'string' ? features : JSON.stringify(features),
  probability: 0.3,
  decision: true,
  threshold: 0.25,
  outcome,
  label_time: new Date(1),
});

describe('labelled traffic as training rows', () => {
  it('takes the features as they were served, with the outcome as y', () => {
    const row = trafficRecord(served({ ...TYPICAL_CUSTOMER, duration: 180 }, true));
    expect(row).toEqual({ record: { ...TYPICAL_CUSTOMER, duration: 180, y: 'yes' } });
  });

  it('accepts a record without duration (clients need not send it) and leaves it missing', () => {
    const row = trafficRecord(served(TYPICAL_CUSTOMER, false));
    expect(row).toEqual({ record: { ...TYPICAL_CUSTOMER, y: 'no' } });
  });

  it('names what is wrong with features that fail validation', () => {
    expect(trafficRecord(served('{not json'))).toEqual({ problem: 'features_json is not JSON' });
    expect(trafficRecord(served([1, 2]))).toEqual({ problem: 'features_json is not an object' });
    expect(trafficRecord(served({ ...TYPICAL_CUSTOMER, job: 'astronaut' }))).toMatchObject({
      problem: expect.stringMatching(/^job: "astronaut" is not one of/),
    });
    expect(trafficRecord(served({ ...TYPICAL_CUSTOMER, age: undefined }))).toEqual({
      problem: 'age: missing',
    });
  });

  it('parses the --sources list and refuses an unknown source', () => {
    expect(parseSources('customers,traffic,customers')).toEqual(['customers', 'traffic']);
    expect(() => parseSources('customers,clicks')).toThrow(/unknown training source "clicks"/);
  });
});
