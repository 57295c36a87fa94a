import { createHash } from 'node:crypto';
import { CATEGORIES, type BankRecord } from '../src/bank/columns.js';
import { pipelineEvent, publishEvent } from '../src/kafka/events.js';
import type { Customer } from '../src/kafka/generated/types.js';
import type { AvroProducer } from '../src/kafka/producer.js';

export const CUSTOMERS_TOPIC = 'bank.customers.v1';

/** A record id that is the same every time the same row of the same batch is published. */
export function recordId(batchId: string, row: number): string {
  return createHash('sha256').update(`${batchId}:${row}`).digest('hex').slice(0, 32);
}

/**
 * The UCI rows are in time order from May 2008 to November 2010 but carry no year. The year is inferred
 * by counting the times the month goes backwards, which gives every row a plausible call date (for
 * time-ordered holdouts and dashboards).
 */
export function inferCallDates(records: readonly BankRecord[], firstYear = 2008): number[] {
  const months: readonly string[] = CATEGORIES.month;
  let year = firstYear;
  let previous = -1;
  return records.map((r) => {
    const month = months.indexOf(r.month);
    if (month < previous) year += 1;
    previous = month;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return Date.UTC(year, month, Math.min(r.day, lastDay), 12);
  });
}

export function toCustomers(
  records: readonly BankRecord[],
  batchId: string,
  source: string,
  eventTimes: readonly number[],
  /** The customer each record belongs to (a synthetic record: the key of the one it copies). */
  customerKeys?: readonly (string | null)[],
): Customer[] {
  return records.map((r, i) => ({
    record_id: recordId(batchId, i),
    customer_key: customerKeys?.[i] ?? null,
    batch_id: batchId,
    source,
    event_time: eventTimes[i] ?? Date.now(),
    age: r.age,
    job: r.job,
    marital: r.marital,
    education: r.education,
    default: r.default,
    balance: r.balance,
    housing: r.housing,
    loan: r.loan,
    contact: r.contact,
    day: r.day,
    month: r.month,
    duration: r.duration,
    campaign: r.campaign,
    pdays: r.pdays,
    previous: r.previous,
    poutcome: r.poutcome,
    y: r.y,
  }));
}

export interface PublishedBatch {
  batchId: string;
  rows: number;
  topic: string;
  source: string;
}

/** Publishes one batch of customers, then its `batch.published` event. */
export async function publishBatch(
  producer: AvroProducer,
  customers: readonly Customer[],
  batchId: string,
  source: string,
  details: Record<string, unknown> = {},
  onProgress?: (sent: number) => void,
  topic: string = CUSTOMERS_TOPIC,
  eventsTopic?: string,
): Promise<PublishedBatch> {
  const chunk = 5_000;
  for (let start = 0; start < customers.length; start += chunk) {
    const slice = customers.slice(start, start + chunk);
    await producer.send(
      topic,
      slice.map((c) => ({ key: c.record_id, value: c })),
      chunk,
    );
    onProgress?.(Math.min(customers.length, start + chunk));
  }
  await publishEvent(
    producer,
    pipelineEvent(
      'batch.published',
      'producer',
      { batchId, rows: customers.length, source, ...details },
      batchId,
    ),
    eventsTopic,
  );
  return { batchId, rows: customers.length, topic, source };
}
