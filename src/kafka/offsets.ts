import { withAdmin, type KafkaClient } from './kafkajs.js';

/** Where a partition's replay starts and the end offset it reaches (exclusive) at the time of the call. */
export interface ReplayRange {
  topic: string;
  partition: number;
  from: bigint;
  end: bigint;
}

/**
 * Each partition's first offset at or after `fromTime` (epoch ms; ListOffsets by timestamp, the end when
 * nothing is that new) and its current end offset.
 */
export async function replayRanges(
  client: KafkaClient,
  topics: readonly string[],
  fromTime: number,
): Promise<ReplayRange[]> {
  return withAdmin(client, async (admin) => {
    const ranges: ReplayRange[] = [];
    for (const topic of topics) {
      const starts = await admin.fetchTopicOffsetsByTimestamp(topic, fromTime);
      const ends = await admin.fetchTopicOffsets(topic);
      for (const start of starts) {
        const end = ends.find((e) => e.partition === start.partition);
        ranges.push({
          topic,
          partition: start.partition,
          from: BigInt(start.offset),
          end: BigInt(end?.high ?? start.offset),
        });
      }
    }
    return ranges;
  });
}

/** Deletes consumer groups that have no members left (their committed offsets go with them). */
export async function deleteGroups(client: KafkaClient, groupIds: readonly string[]): Promise<void> {
  await withAdmin(client, (admin) => admin.deleteGroups([...groupIds]));
}
