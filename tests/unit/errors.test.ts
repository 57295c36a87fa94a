import { describe, expect, it } from 'vitest';
import { BankopsError, isRetriable } from '../../src/errors/index.js';

describe('isRetriable', () => {
  it('retries what the catalogue marks retriable, wrapping an unknown cause', () => {
    const wrapped = new BankopsError('LAKE_FAILED', 'commit conflict', {
      cause: new Error('duckdb says no'),
    });
    expect(isRetriable(wrapped)).toBe(true);
  });

  it('does not retry when any error of the chain says a retry cannot help', () => {
    const inner = new BankopsError('DATA_INVALID', 'bad row');
    const outer = new BankopsError('LAKE_FAILED', 'append failed', { cause: inner });
    expect(isRetriable(outer)).toBe(false);
    const foreign = Object.assign(new Error('auth failed'), { retriable: false });
    expect(isRetriable(new BankopsError('KAFKA_FAILED', 'send failed', { cause: foreign }))).toBe(false);
  });

  it('does not retry an error nothing vouches for', () => {
    expect(isRetriable(new Error('unknown'))).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
    expect(isRetriable(Object.assign(new Error('kafkajs'), { retriable: true }))).toBe(true);
  });
});
