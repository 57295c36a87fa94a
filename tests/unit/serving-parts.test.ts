import { routingFor } from '../../src/registry/index.js';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyMatches } from '../../serving/plugins/auth.js';
import { Batcher } from '../../serving/events/batcher.js';
import { fieldPath } from '../../serving/plugins/validation.js';
import { parseCsv } from '../../serving/scoring/csv.js';
import { bucketOf, routeVariant } from '../../serving/scoring/variants.js';

describe('serving parts', () => {
  it('reads CSV with quotes, CRLF and a header', () => {
    expect(parseCsv('a,b\r\n1,"x, ""y"""\n2,\n')).toEqual({
      header: ['a', 'b'],
      rows: [
        ['1', 'x, "y"'],
        ['2', ''],
      ],
    });
    expect(() => parseCsv('')).toThrow(/empty/);
    expect(() => parseCsv('a\n"open')).toThrow(/not closed/);
  });

  it('names fields the way a client writes them', () => {
    expect(fieldPath('/records/3/job')).toBe('records[3].job');
    expect(fieldPath('/age')).toBe('age');
    expect(fieldPath('')).toBe('');
  });

  it('routes A/B (a canary) by a stable hash of the customer key: the same customer meets the same version', () => {
    expect(bucketOf('customer-1')).toBe(bucketOf('customer-1'));
    const routing = { mode: 'ab' as const, share: 0.3 };
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    const first = keys.map((k) => routeVariant(routing, k, true));
    const share = first.filter((r) => r === 'challenger').length / keys.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    // sticky: a customer asked again (in another request, another process) meets the same model
    expect(keys.map((k) => routeVariant(routing, k, true))).toEqual(first);
    expect(routeVariant(routing, 'k1', false)).toBe('champion');
    expect(routeVariant({ mode: 'shadow', share: 1 }, 'k1', true)).toBe('champion');
  });

  it('takes the split from a collecting rollout, and from serving’s settings otherwise', () => {
    const rollout = {
      policy: 'canary' as const,
      share: 0.2,
      stage: 'collecting' as const,
      challenger: '5',
      champion: '4',
      startedAt: '',
      deadline: '',
      metric: 'roc_auc' as const,
      minLabels: 300,
    };
    const fallback = { mode: 'champion' as const, share: 0.1 };
    expect(routingFor(rollout, fallback)).toMatchObject({ mode: 'ab', share: 0.2 });
    expect(routingFor({ ...rollout, policy: 'shadow' }, fallback)).toMatchObject({ mode: 'shadow' });
    expect(routingFor({ ...rollout, stage: 'rolled-back' }, fallback)).toEqual(fallback);
    expect(routingFor(undefined, fallback)).toEqual(fallback);
  });

  it('matches API keys by sha256 only', () => {
    const hashes = [createHash('sha256').update('secret-key').digest()];
    expect(keyMatches('secret-key', hashes)).toBe(true);
    expect(keyMatches('secret-kez', hashes)).toBe(false);
  });

  it('coalesces concurrent adds into few sends and rejects every caller of a failed send', async () => {
    const sends: number[][] = [];
    let fail = false;
    const batcher = new Batcher<number>({
      lingerMs: 5,
      maxItems: 100,
      maxInFlight: 2,
      send: async (items) => {
        sends.push(items);
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (fail) throw new Error('broker gone');
      },
    });
    await Promise.all(Array.from({ length: 50 }, (_, i) => batcher.add([i])));
    expect(sends.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(sends.length).toBeLessThan(10);
    fail = true;
    const results = await Promise.allSettled([batcher.add([1]), batcher.add([2])]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    await batcher.drain();
  });
});
