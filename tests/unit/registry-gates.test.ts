import { describe, expect, it } from 'vitest';
import { isBankopsError } from '../../src/errors/index.js';
import {
  LOG_BATCH_LIMITS,
  chunkBatch,
  choosePromotion,
  cleanRelativePath,
  pickBest,
  planAliasMove,
  planRollback,
  proxiedArtifactRoot,
  type Run,
} from '../../src/registry/index.js';

function run(id: string, startTime: number, metrics: Record<string, number>): Run {
  return {
    info: {
      run_id: id,
      experiment_id: '1',
      status: 'FINISHED',
      start_time: startTime,
      artifact_uri: `mlflow-artifacts:/1/${id}/artifacts`,
      lifecycle_stage: 'active',
    },
    data: { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })) },
  };
}

describe('choosePromotion', () => {
  const gate = { metric: 'roc_auc' as const, floor: 0.75, margin: 0 };
  const interval = (difference: number, low: number, high: number) => ({
    difference,
    low,
    high,
    confidence: 0.95,
    rows: 612,
    positives: 71,
  });

  it('refuses a candidate under the absolute floor and names the numbers', () => {
    const decision = choosePromotion({ ...gate, candidate: { version: 4, metrics: { roc_auc: 0.7412 } } });
    expect(decision).toEqual({ promote: false, reason: 'roc_auc 0.741 < floor 0.75' });
  });

  it('promotes the first model that clears the floor', () => {
    const decision = choosePromotion({ ...gate, candidate: { version: 1, metrics: { roc_auc: 0.781 } } });
    expect(decision.promote).toBe(true);
    expect(decision.reason).toContain('no champion');
  });

  it('promotes only when the interval’s lower bound clears the margin, and says so with the numbers', () => {
    const champion = { version: '3', metrics: { roc_auc: 0.781 } };
    const candidate = { version: '4', metrics: { roc_auc: 0.842 } };
    const better = choosePromotion({
      ...gate,
      champion,
      candidate,
      comparison: interval(0.061, 0.041, 0.08),
    });
    expect(better).toEqual({
      promote: true,
      reason:
        'roc_auc 0.842 vs champion v3 0.781: +0.061, 95 % CI [+0.041, +0.080] on 612 rows (71 positive); lower bound above margin 0; floor 0.75',
    });
    const unsure = choosePromotion({
      ...gate,
      champion,
      candidate,
      comparison: interval(0.01, -0.004, 0.024),
    });
    expect(unsure.promote).toBe(false);
    expect(unsure.reason).toContain('not significantly better (lower bound −0.004 ≤ margin 0)');
    const aboveMargin = choosePromotion({
      ...gate,
      margin: 0.05,
      champion,
      candidate,
      comparison: interval(0.061, 0.041, 0.08),
    });
    expect(aboveMargin.promote).toBe(false);
  });

  it('never promotes an equal model', () => {
    const decision = choosePromotion({
      ...gate,
      champion: { version: 1, metrics: { roc_auc: 0.805 } },
      candidate: { version: 2, metrics: { roc_auc: 0.805 } },
      comparison: interval(0, 0, 0),
    });
    expect(decision.promote).toBe(false);
    expect(decision.reason).toContain('+0.000, 95 % CI [+0.000, +0.000]');
  });

  it('refuses when a metric is missing or not finite, when there is no comparison, and when the candidate is the champion', () => {
    const champion = { version: 3, metrics: { pr_auc: 0.5 } };
    expect(choosePromotion({ ...gate, candidate: { version: 4, metrics: { f1: 0.9 } } }).reason).toBe(
      'candidate v4 has no roc_auc',
    );
    expect(
      choosePromotion({ ...gate, candidate: { version: 4, metrics: { roc_auc: Number.NaN } } }).promote,
    ).toBe(false);
    const noChampionMetric = choosePromotion({
      ...gate,
      champion,
      candidate: { version: 4, metrics: { roc_auc: 0.9 } },
      comparison: interval(0.1, 0.05, 0.15),
    });
    expect(noChampionMetric).toMatchObject({ promote: false });
    expect(noChampionMetric.reason).toContain('champion v3 has no roc_auc');
    const notCompared = choosePromotion({
      ...gate,
      champion: { version: 3, metrics: { roc_auc: 0.5 } },
      candidate: { version: 4, metrics: { roc_auc: 0.9 } },
    });
    expect(notCompared.promote).toBe(false);
    const same = choosePromotion({
      ...gate,
      champion: { version: 3, metrics: { roc_auc: 0.9 } },
      candidate: { version: '3', metrics: { roc_auc: 0.9 } },
      comparison: interval(0, 0, 0),
    });
    expect(same.promote).toBe(false);
  });

  it('works for metrics outside [0, 1] such as profit', () => {
    const decision = choosePromotion({
      metric: 'profit',
      floor: 0,
      margin: 50,
      candidate: { version: 2, metrics: { profit: 1400 } },
      champion: { version: 1, metrics: { profit: 1300 } },
      comparison: interval(100, 20, 180),
    });
    expect(decision.promote).toBe(false);
    expect(decision.reason).toContain('profit 1400.000 vs champion v1 1300.000: +100.000');
  });

  it('rejects a negative margin as a usage error', () => {
    expect(() =>
      choosePromotion({ ...gate, margin: -1, candidate: { version: 1, metrics: { roc_auc: 1 } } }),
    ).toThrow(/margin/);
  });
});

describe('pickBest', () => {
  it('chooses the highest metric, skipping runs without it', () => {
    const runs = [run('a', 1, { roc_auc: 0.8 }), run('b', 2, { f1: 0.99 }), run('c', 3, { roc_auc: 0.85 })];
    expect(pickBest(runs, 'roc_auc')?.info.run_id).toBe('c');
    expect(pickBest(runs, 'pr_auc')).toBeUndefined();
    expect(pickBest([], 'roc_auc')).toBeUndefined();
  });

  it('breaks ties by the earliest start time, whatever the input order', () => {
    const runs = [
      run('late', 20, { roc_auc: 0.9 }),
      run('early', 10, { roc_auc: 0.9 }),
      run('nan', 5, { roc_auc: Number.NaN }),
    ];
    expect(pickBest(runs, 'roc_auc')?.info.run_id).toBe('early');
    expect(pickBest([...runs].reverse(), 'roc_auc')?.info.run_id).toBe('early');
  });
});

describe('alias plans', () => {
  it('moves the champion to previous and the new version to champion', () => {
    expect(planAliasMove({ champion: '3', newVersion: 4 })).toEqual([
      { op: 'set', alias: 'previous', version: '3' },
      { op: 'set', alias: 'champion', version: '4' },
    ]);
  });

  it('sets only the champion when there was none, and drops a challenger naming the new version', () => {
    expect(planAliasMove({ newVersion: '1' })).toEqual([{ op: 'set', alias: 'champion', version: '1' }]);
    expect(planAliasMove({ champion: 1, challenger: 2, newVersion: 2 })).toEqual([
      { op: 'set', alias: 'previous', version: '1' },
      { op: 'set', alias: 'champion', version: '2' },
      { op: 'delete', alias: 'challenger' },
    ]);
    expect(planAliasMove({ champion: 1, challenger: 3, newVersion: 2 })).toHaveLength(2);
    expect(planAliasMove({ champion: 2, newVersion: '2' })).toEqual([]);
  });

  it('rolls back to previous and removes it; without previous it is an error', () => {
    expect(planRollback({ champion: '4', previous: '3' })).toEqual([
      { op: 'set', alias: 'champion', version: '3' },
      { op: 'delete', alias: 'previous' },
    ]);
    let caught: unknown;
    try {
      planRollback({ champion: '4', model: 'bank-term-deposit' });
    } catch (error) {
      caught = error;
    }
    expect(isBankopsError(caught, 'NOT_FOUND')).toBe(true);
    expect((caught as Error).message).toContain('bank-term-deposit');
    expect(() => planRollback({ champion: '3', previous: 3 })).toThrow(/already is the champion/);
  });
});

describe('request helpers', () => {
  it('chunks a batch within every MLflow limit, params first', () => {
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: `m${i}`, value: i, step: i }));
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i]));
    const chunks = chunkBatch({ metrics, params, tags: { a: 'b' } });
    for (const chunk of chunks) {
      expect(chunk.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.metrics);
      expect(chunk.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params);
      expect(chunk.metrics.length + chunk.params.length + chunk.tags.length).toBeLessThanOrEqual(
        LOG_BATCH_LIMITS.total,
      );
    }
    expect(chunks.flatMap((c) => c.metrics)).toHaveLength(2500);
    expect(chunks.flatMap((c) => c.params)).toHaveLength(150);
    expect(chunks[0]?.params).toHaveLength(100);
  });

  it('keeps a request under the size limit and refuses over-long params', () => {
    const big = 'x'.repeat(LOG_BATCH_LIMITS.paramValueLength);
    const params = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, big]));
    const tags = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, 'y'.repeat(8000)]));
    for (const chunk of chunkBatch({ params, tags })) {
      expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThan(1_000_000);
    }
    expect(() => chunkBatch({ params: { long: `${big}!` } })).toThrow(/at most 6000/);
  });

  it('encodes non-finite metric values the way protobuf JSON expects', () => {
    const [chunk] = chunkBatch({ metrics: { nan: Number.NaN, inf: Number.POSITIVE_INFINITY } });
    expect(chunk?.metrics.map((m) => m.value)).toEqual(['NaN', 'Infinity']);
  });

  it('maps artifact URIs to proxy paths and refuses escaping paths', () => {
    expect(proxiedArtifactRoot('mlflow-artifacts:/3/abc/artifacts')).toBe('3/abc/artifacts');
    expect(proxiedArtifactRoot('mlflow-artifacts://127.0.0.1:5000/3/abc/artifacts')).toBe('3/abc/artifacts');
    expect(proxiedArtifactRoot('http://h:5000/api/2.0/mlflow-artifacts/artifacts/3/abc/artifacts')).toBe(
      '3/abc/artifacts',
    );
    expect(() => proxiedArtifactRoot('file:///tmp/mlruns/3/abc/artifacts')).toThrow(/artifact proxy/);
    expect(cleanRelativePath('model/./a/../b.json')).toBe('model/b.json');
    expect(cleanRelativePath('.hidden/x')).toBe('.hidden/x');
    expect(cleanRelativePath('', true)).toBe('');
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', ''])
      expect(() => cleanRelativePath(bad)).toThrow();
  });
});
