import type { Config } from '../config/index.js';
import { BankopsError, errorMessage } from '../errors/index.js';
import { kafkajsOf, withAdmin, type KafkaClient } from './kafkajs.js';
import { readSchema, registerAvro, subjectFor, type SchemaRegistry } from './registry.js';

/** A topic's declaration (topics/specs.ts holds bankops' own). */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** -1 keeps records forever. */
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
  /** What the message key holds (for readers; partitioning follows it). */
  key: string;
  /** The Avro schema file in topics/schemas/ for the value. */
  schema: string;
  /** The dead-letter topic that takes this topic's records that cannot be processed. */
  deadLetter?: string;
}

export interface AppliedTopic {
  name: string;
  created: boolean;
  partitions: number;
  subject: string;
  schemaId: number;
}

/**
 * Creates missing topics and registers every value schema, idempotently: a second run creates nothing and
 * returns the same schema ids. An existing topic with fewer partitions than its spec is reported, never
 * shrunk or recreated.
 */
export async function applyTopics(
  config: Config,
  kafka: KafkaClient,
  registry: SchemaRegistry,
  specs: readonly TopicSpec[],
): Promise<AppliedTopic[]> {
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: 1,
          configEntries: [
            { name: 'retention.ms', value: String(s.retentionMs) },
            { name: 'cleanup.policy', value: s.cleanupPolicy },
          ],
        })),
      });
    }
    const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
    const partitionsOf = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    const applied: AppliedTopic[] = [];
    for (const spec of specs) {
      const partitions = partitionsOf.get(spec.name) ?? 0;
      if (partitions < spec.partitions) {
        throw new BankopsError(
          'KAFKA_FAILED',
          `topic ${spec.name} has ${partitions} partitions, its spec asks for ${spec.partitions}`,
          { hint: 'Add partitions with kafka-topics --alter; bankops never recreates a topic.' },
        );
      }
      const subject = subjectFor(spec.name);
      const schemaId = await registerAvro(registry, subject, await readSchema(config.repoRoot, spec.schema));
      applied.push({ name: spec.name, created: !existing.has(spec.name), partitions, subject, schemaId });
    }
    return applied;
  } catch (error) {
    if (error instanceof BankopsError) throw error;
    throw new BankopsError('KAFKA_FAILED', `topics apply failed: ${errorMessage(error)}`, { cause: error });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics (tests and benchmarks remove their own); a missing topic is an error. */
export async function deleteTopics(kafka: KafkaClient, names: readonly string[]): Promise<void> {
  await withAdmin(kafka, (admin) => admin.deleteTopics({ topics: [...names] }));
}
