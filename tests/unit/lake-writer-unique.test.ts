import { describe, expect, it } from 'vitest';
import { uniqueMessages, type RawMessage } from '../../consumers/lake-writer/route.js';

const message = (partition: number, offset: string, value: string): RawMessage => ({
  topic: 'bank.customers.v1',
  partition,
  offset,
  key: null,
  value: Buffer.from(value),
  timestamp: '0',
});

describe('a micro-batch', () => {
  it('holds each Kafka coordinate once, even when a seek on group join delivered it again', () => {
    const batch = [
      message(0, '7', 'a'),
      message(1, '7', 'b'),
      message(0, '8', 'c'),
      message(0, '7', 'a again'),
    ];
    expect(uniqueMessages(batch).map((m) => m.value?.toString())).toEqual(['a', 'b', 'c']);
  });
});
