import { describe, expect, it } from 'vitest';
import { framingProblem, uniqueMessages, type RawMessage } from '../../consumers/lake-writer/route.js';

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

describe('a dead letter reason', () => {
  it('shows a bad magic byte as hex, with the text it might be', () => {
    expect(framingProblem(Buffer.from('{"age":41}'))).toBe(
      'magic byte 0x7b, expected 0x00: not the Confluent wire format (first bytes 0x7b 0x22 0x61 0x67 0x65 0x22 0x3a 0x34, text "{"age":41}")',
    );
    expect(framingProblem(Buffer.from([0, 1]))).toMatch(/^2 bytes \(0x00 0x01\): too short/);
    expect(framingProblem(Buffer.from([0, 0, 0, 0, 7, 1]))).toBeUndefined();
  });
});
