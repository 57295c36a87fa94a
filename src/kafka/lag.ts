import { withAdmin, type KafkaClient } from './kafkajs.js';

export interface TopicLag {
  topic: string;
  /** Messages not yet committed by the group, summed over partitions. */
  lag: number;
  endOffset: number;
}

/** A consumer group's lag per topic (end offset minus committed offset; uncommitted counts from 0). */
export async function groupLag(
  kafka: KafkaClient,
  groupId: string,
  topics: readonly string[],
): Promise<TopicLag[]> {
  return withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const wanted = topics.filter((t) => existing.has(t));
    const committed = await admin.fetchOffsets({ groupId, topics: wanted });
    const out: TopicLag[] = [];
    for (const topic of wanted) {
      const ends = await admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      let lag = 0;
      let endOffset = 0;
      for (const end of ends) {
        const high = Number(end.high);
        const low = Number(end.low);
        const at = Number(done.find((p) => p.partition === end.partition)?.offset ?? -1);
        endOffset += high;
        lag += Math.max(0, high - (at >= 0 ? at : low));
      }
      out.push({ topic, lag, endOffset });
    }
    return out;
  });
}
