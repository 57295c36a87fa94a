import type { FieldProblem } from '../../src/bank/validate.js';
import { errorMessage } from '../../src/errors/index.js';
import { schemaName } from '../../src/kafka/registry.js';
import type { TableSpec } from '../../src/lake/tables.js';

/** A Kafka message as the writer sees it, with its coordinates. */
export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
}

/**
 * One message per Kafka coordinate, the first kept. A seek on group join (to the table's watermark) can
 * make the consumer deliver again what it already buffered; the sink only skips rows the table holds, so
 * a copy inside one micro-batch would be written twice.
 */
export function uniqueMessages(messages: readonly RawMessage[]): RawMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const key = `${m.topic}\u0000${m.partition}\u0000${m.offset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type DeadLetterCode = 'UNDECODABLE' | 'EMPTY_VALUE' | 'INVALID_RECORD' | 'UNKNOWN_TOPIC';

export interface RejectedMessage {
  message: RawMessage;
  code: DeadLetterCode;
  reason: string;
}

/** A row ready for the table: the record's columns plus its lineage. */
export type Row = Record<string, unknown> & {
  batch_id: string | null;
  _topic: string;
  _partition: number;
  _offset: bigint;
  _ingested_at: number;
};

export interface Routed {
  rows: Map<TableSpec, Row[]>;
  rejected: RejectedMessage[];
}

/** What routing asks of the schema registry: a value decoded, and the subjects of a writer's schema id. */
export interface Decoder {
  decode(value: Buffer): Promise<unknown>;
  subjectsOf(schemaId: number): Promise<readonly string[]>;
}

function describe(problem: FieldProblem): string {
  return `field "${problem.column}": ${problem.reason}`;
}

const hex = (bytes: Buffer) => [...bytes].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');

/** What is wrong with a value's Confluent framing (magic byte 0, a 4-byte schema id), said readably. */
export function framingProblem(value: Buffer): string | undefined {
  if (value.length < 5) {
    return `${value.length} bytes (${hex(value)}): too short for the Confluent wire format (magic byte 0x00 and a 4-byte schema id)`;
  }
  if (value[0] !== 0) {
    const text = value.subarray(0, 16).toString('utf8');
    const printable = /^[\x20-\x7e]+$/.test(text) ? `, text "${text}${value.length > 16 ? '…' : ''}"` : '';
    return `magic byte 0x${(value[0] as number).toString(16).padStart(2, '0')}, expected 0x00: not the Confluent wire format (first bytes ${hex(value.subarray(0, 8))}${printable})`;
  }
  return undefined;
}

/**
 * Decodes and validates a micro-batch. Every message ends up either as a row of its topic's table or as a
 * rejection with a reason; none is dropped and none blocks the others.
 */
export async function route(
  messages: readonly RawMessage[],
  decoder: Decoder,
  tables: readonly TableSpec[],
  now = Date.now(),
): Promise<Routed> {
  const rows = new Map<TableSpec, Row[]>();
  const rejected: RejectedMessage[] = [];
  for (const message of messages) {
    const spec = tables.find((t) => t.topic === message.topic);
    if (!spec) {
      rejected.push({ message, code: 'UNKNOWN_TOPIC', reason: `no table takes topic ${message.topic}` });
      continue;
    }
    if (!message.value || message.value.length === 0) {
      rejected.push({ message, code: 'EMPTY_VALUE', reason: 'the message has no value' });
      continue;
    }
    const framing = framingProblem(message.value);
    if (framing) {
      rejected.push({ message, code: 'UNDECODABLE', reason: framing });
      continue;
    }
    const schemaId = message.value.readInt32BE(1);
    let value: Record<string, unknown>;
    try {
      value = (await decoder.decode(message.value)) as Record<string, unknown>;
    } catch (error) {
      const schema = schemaName(schemaId, await decoder.subjectsOf(schemaId));
      rejected.push({
        message,
        code: 'UNDECODABLE',
        reason: `cannot decode Avro with ${schema}: ${errorMessage(error)}`,
      });
      continue;
    }
    const problem = spec.validate(value);
    if (problem) {
      // the writer's schema says which schema produced it (a record of another topic's schema, say)
      const schema = schemaName(schemaId, await decoder.subjectsOf(schemaId));
      rejected.push({
        message,
        code: 'INVALID_RECORD',
        reason: `${describe(problem)} (written with ${schema})`,
      });
      continue;
    }
    const row: Row = {
      ...value,
      batch_id: spec.batchIdOf(value),
      _topic: message.topic,
      _partition: message.partition,
      _offset: BigInt(message.offset),
      _ingested_at: now,
    };
    const list = rows.get(spec);
    if (list) list.push(row);
    else rows.set(spec, [row]);
  }
  return { rows, rejected };
}
