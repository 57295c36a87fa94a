import { describe, expect, it } from 'vitest';
import { configReference, parseConfig } from '../../src/config/index.js';
import { BankopsError } from '../../src/errors/index.js';

function refusal(env: Record<string, string>): BankopsError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof BankopsError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('parseConfig', () => {
  it('gives every section its defaults from an empty environment', () => {
    const config = parseConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.urls.schemaRegistry).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.training.sources).toEqual(['customers', 'traffic']);
    expect(config.rollout).toMatchObject({ policy: 'direct', metric: 'roc_auc', maxMs: 3_600_000 });
    expect(config.serving).toMatchObject({ host: '127.0.0.1', port: 8000, events: true, apiKeyHashes: [] });
    expect(config.monitor).toMatchObject({ intervalMs: 10_000, metricsPort: 9466 });
  });

  it('maps settings across sections: the serving host follows BANKOPS_HOST, the rollout metric the promotion metric', () => {
    const config = parseConfig({
      BANKOPS_HOST: '10.0.0.1',
      BANKOPS_PROMOTION_METRIC: 'f1',
      BANKOPS_SERVING_API_KEYS: `${'A'.repeat(64)}, `,
      BANKOPS_TRAIN_SOURCES: 'traffic, traffic',
    });
    expect(config.serving.host).toBe('10.0.0.1');
    expect(config.urls.mlflow).toBe('http://10.0.0.1:5000');
    expect(config.rollout.metric).toBe('f1');
    expect(config.serving.apiKeyHashes).toEqual(['a'.repeat(64)]);
    expect(config.training.sources).toEqual(['traffic']);
  });

  it('names the variable, its value and what is wrong with it', () => {
    const error = refusal({ BANKOPS_SERVING_PORT: '99999' });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/^BANKOPS_SERVING_PORT="99999": .*65535/);
    expect(error.hint).toMatch(/README lists every setting/);
    expect(refusal({ BANKOPS_SERVING_API_KEYS: 'secret' }).message).toBe(
      'BANKOPS_SERVING_API_KEYS="secret": each entry must be the sha256 hex digest (64 hex digits) of an API key, not the key itself',
    );
    expect(refusal({ BANKOPS_TRAIN_SOURCES: 'customers,foo' }).message).toBe(
      'BANKOPS_TRAIN_SOURCES="customers,foo": a comma-separated list of customers and traffic',
    );
    expect(refusal({ BANKOPS_ROLLOUT: 'blue' }).message).toMatch(/^BANKOPS_ROLLOUT="blue": .*canary/);
  });
});

describe('configReference', () => {
  it('lists every variable once with its default', () => {
    const reference = configReference();
    expect(new Set(reference.map((r) => r.name)).size).toBe(reference.length);
    expect(reference).toContainEqual({ name: 'BANKOPS_KAFKA_PORT', default: '9092' });
    expect(reference).toContainEqual({ name: 'BANKOPS_ROLLOUT_METRIC', default: undefined });
    expect(reference.length).toBe(85);
  });
});
