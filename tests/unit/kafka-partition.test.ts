import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionOf } from '../../src/kafka/partition.js';

const kafkajs = Partitioners.DefaultPartitioner();
const metadata = (n: number) =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
  }));

describe('key partitioning', () => {
  it('matches kafkajs (and so the Java client) for every key length and partition count', () => {
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'prediction-ü-ñ',
      ...Array.from({ length: 2_000 }, () => randomUUID()),
      ...Array.from({ length: 500 }, (_, i) => randomBytes(i % 41).toString('base64')),
    ];
    for (const partitions of [1, 3, 7, 12]) {
      const partitionMetadata = metadata(partitions);
      for (const key of keys) {
        const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionOf(Buffer.from(key), partitions)).toBe(expected);
      }
    }
  });

  it('gives the Java client reference values', () => {
    // Kafka's own unit test vectors for Utils.murmur2 (UtilsTest.testMurmur2)
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from([0x61, 0x62, 0x63]))).toBe(479470107);
  });
});
