import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './kafkajs.js';

/**
 * A cheap broker round trip (cluster metadata) over one admin connection kept between checks: serving's
 * readiness while no event has been published lately. `check()` rejects when the broker does not answer.
 */
export class BrokerProbe {
  private admin: Admin | undefined;

  constructor(private readonly client: KafkaClient) {}

  async check(): Promise<void> {
    this.admin ??= kafkajsOf(this.client).admin();
    await this.admin.connect();
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}

/**
 * Whether a broker at `brokers` serves: it answers within 2 s and knows its controller (a KRaft broker
 * answers before its controller elected itself). One attempt, silent: the stack polls it while starting.
 */
export async function brokerServes(brokers: string[]): Promise<boolean> {
  const client = new Kafka({
    clientId: 'bankops-ready',
    brokers,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
