/**
 * kafkajs 2.2.4 against the local Kafka 4.x broker (KRaft): Kafka 4 removed old protocol versions
 * (KIP-896), so this proves that every API bankops uses still negotiates a version both sides speak.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Admin, type EachMessagePayload } from 'kafkajs';
import { getConfig } from '../../src/config/index.js';
import { waitFor } from './helpers/wait.js';

const config = getConfig();
const kafka = new Kafka({
  clientId: `bankops-test-${randomUUID().slice(0, 8)}`,
  brokers: config.kafka.brokers,
  logLevel: logLevel.NOTHING,
});

const MESSAGES = 25;

describe('kafka (kafkajs 2.2.4 against the local broker)', () => {
  let admin: Admin;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  it('describes a one-node KRaft cluster whose node is also the controller', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).toBe(cluster.brokers[0]?.nodeId);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses to create topics implicitly (auto topic creation is off)', async () => {
    const topic = `bankops-test-missing-${randomUUID()}`;
    // A producer asks the broker to create unknown topics on the fly; the broker must refuse.
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 0 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic, messages: [{ value: 'lost' }] })).rejects.toThrow(
        /does not host this topic-partition/i,
      );
    } finally {
      await producer.disconnect();
    }
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('creates a topic, produces idempotently, consumes in a group, reads offsets, deletes the topic', async () => {
    const topic = `bankops-test-${randomUUID()}`;
    const groupId = `bankops-test-group-${randomUUID()}`;

    expect(await admin.createTopics({ topics: [{ topic }], waitForLeaders: true })).toBe(true);
    expect(await admin.listTopics()).toContain(topic);
    const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    // The broker's default partition count applies when the request does not name one.
    expect(described?.partitions).toHaveLength(3);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: MESSAGES }, (_, i) => ({ key: `client-${i}`, value: `message-${i}` }));
    const results = await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();
    expect(results.every((r) => r.errorCode === 0)).toBe(true);

    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const received: Array<{ key: string; value: string; partition: number }> = [];
    let resolveAll: () => void = () => undefined;
    const allReceived = new Promise<void>((resolve) => (resolveAll = resolve));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }: EachMessagePayload) => {
        received.push({ key: String(message.key), value: String(message.value), partition });
        if (received.length >= MESSAGES) resolveAll();
      },
    });
    try {
      await allReceived;
    } finally {
      // Stopping commits the offsets of the messages handled so far.
      await consumer.disconnect();
    }

    expect(received.map((m) => m.value).sort()).toEqual(sent.map((m) => m.value).sort());
    // The keys are fixed, so the default partitioner spreads them the same way every run: over all 3.
    expect(new Set(received.map((m) => m.partition)).size).toBe(3);

    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets?.topic).toBe(topic);
    const committed = (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBe(MESSAGES);
    const groups = await admin.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain(groupId);

    await admin.deleteGroups([groupId]);
    await admin.deleteTopics({ topics: [topic] });
    // KRaft removes a deleted topic from the metadata asynchronously: it is gone soon, not at once.
    await waitFor(
      () => admin.listTopics(),
      (topics) => !topics.includes(topic),
      { timeoutMs: 30_000, what: `topic ${topic} deleted` },
    );
  });
});
